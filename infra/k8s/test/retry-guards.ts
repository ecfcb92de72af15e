import { objectId } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';

/**
 * Envoy's retry triggers that fire only when the request never reached the upstream: the connection was refused
 * or timed out, or an HTTP/2 stream was refused (the server promises it did not process it). Every other trigger
 * (`reset`, `5xx`, `gateway-error`, `retriable-status-codes`, the gRPC ones) resends a request the upstream may
 * already have applied, for every method: a POST to a pod killed mid-request would be applied twice, and the
 * gateway's `outcome: unknown` would no longer tell the client the truth (issue 17's audit).
 */
const unsentTriggers = new Set(['connect-failure', 'refused-stream']);

/**
 * No BackendTrafficPolicy resends a request that may have been applied. `retry` without `retryOn` is refused too:
 * Envoy Gateway then retries on its default set, which includes `retriable-status-codes` (503) and gRPC
 * `unavailable`. HTTPRoute rules carry no Gateway API `retry` (it takes precedence and retries on status codes).
 */
export const sentRequestsNeverRetried: Guard = (objects) => [
  ...objects
    .filter((o) => o.kind === 'BackendTrafficPolicy' && o.spec?.retry !== undefined)
    .flatMap((o) => {
      const { retry } = o.spec;
      if ((retry.numRetries ?? 2) === 0) return [];
      const triggers: unknown[] | undefined = retry.retryOn?.triggers;
      if (triggers === undefined || triggers.length === 0)
        return [`${objectId(o)}: retry without retryOn.triggers (Envoy Gateway's default resends after a 503)`];
      const unsafe = triggers.filter((t) => !unsentTriggers.has(String(t)));
      return [
        ...(unsafe.length > 0
          ? [`${objectId(o)}: retries on ${unsafe.join(', ')}, which resends a request the upstream may have applied`]
          : []),
        ...((retry.retryOn?.httpStatusCodes ?? []).length > 0
          ? [`${objectId(o)}: retries on status codes, which resends a request the upstream answered`]
          : []),
      ];
    }),
  ...objects
    .filter((o) => o.kind === 'HTTPRoute')
    .flatMap((o) =>
      (o.spec?.rules ?? []).flatMap((rule: { retry?: unknown }, i: number) =>
        rule.retry !== undefined ? [`${objectId(o)}: rules[${i}].retry resends requests on status codes`] : [],
      ),
    ),
];
