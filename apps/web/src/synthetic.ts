import { canaryGate } from '@homelab/platform';
import { requestHeader } from '@homelab/service-kit';
import type { Context } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set on a signed-in page: the load-test identity's tagged request (the canary gate's web profile). */
    synthetic: boolean;
  }
}

/**
 * ADR 0130 on web. Web is public through its own HTTPRoute, with no gateway in front to strip the tag, so the
 * service kit's default (the header alone) would let anyone hide requests from web's user-facing SLO. The tag
 * counts only once the session has named the load-test identity; the observer reads the flag when the request
 * ends.
 */
export const markSynthetic = (c: Context, identity: string, syntheticIdentity: string): void => {
  if (identity === syntheticIdentity && requestHeader(c, canaryGate.synthetic.header) === canaryGate.synthetic.value)
    c.set('synthetic', true);
};

export const isSynthetic = (c: Context): boolean => c.get('synthetic') === true;
