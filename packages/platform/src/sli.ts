import { namespaces } from './cluster.ts';
import { http } from './http.ts';

/** Route patterns that never count; a trailing `/*` excludes everything under that prefix. */
const excludedRoutes = [http.paths.liveness, http.paths.readiness, http.paths.metrics, '/admin/*'] as const;

/** The label the services put on the canary gate's synthetic load (ADR 0130; `canaryGate.synthetic` uses it). */
export const syntheticTrafficLabel = { name: 'traffic', value: 'synthetic' } as const;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const routeRegex = (route: string) =>
  route.endsWith('/*') ? `${escapeRegex(route.slice(0, -1))}.*` : escapeRegex(route);

/**
 * The one definition of a request that counts for an SLO, the status page and the canary gate: every request a
 * service answers except the kubelet's probes, Prometheus' scrapes and operators' admin calls (weights, faults),
 * which are machines or operators at a fixed rate and would dilute the error ratio (and answer 503 on purpose
 * while a pod drains). Selected by the `route` label, which the services take from the matched route pattern
 * (never the raw URL). Unmatched paths (`route="unmatched"`) do count: a client saw that answer.
 */
export const sliRequests = {
  /** Route patterns that never count (`/admin/*`: everything under /admin/). */
  excludedRoutes,
  /**
   * The PromQL label matcher selecting the requests that count for users (SLO rules, status page):
   * `traffic!="synthetic",route!~"/healthz|/readyz|/metrics|/admin/.*"`. The canary gate's tagged synthetic load
   * is left out here (ADR 0130) and counted by the gate through `gatePromqlMatcher`.
   */
  promqlMatcher: `${syntheticTrafficLabel.name}!="${syntheticTrafficLabel.value}",route!~"${excludedRoutes.map(routeRegex).join('|')}"`,
  /** The canary gate's matcher: the same routes, synthetic load included (it is the gate's evidence). */
  gatePromqlMatcher: `route!~"${excludedRoutes.map(routeRegex).join('|')}"`,
  /**
   * The `job` matcher selecting one service's own series: locally the scrape job is the app name (`api`), in the
   * cluster a PodMonitor names it `<namespace>/<monitor>` (`homelab-apps/api`). Rules and status page use both.
   */
  promqlJobMatcher: (service: string): string => `job=~"(${namespaces.apps}/)?${service}"`,
  /** Whether a request with this `route` label counts (no label: it counts). */
  counts: (route: string | undefined): boolean =>
    route === undefined ||
    !excludedRoutes.some((r) => (r.endsWith('/*') ? route.startsWith(r.slice(0, -1)) : route === r)),
} as const;
