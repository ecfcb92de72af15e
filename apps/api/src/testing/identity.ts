import { http } from '@homelab/platform';
import { createIdentitySigner } from '@homelab/service-kit';

/** The identity-token key of test apps and spawned test APIs (never a deployed key). */
export const testIdentitySecret = 'test-only-identity-token-secret-0123456789';

/** Signs identity tokens as the gateway would, with the test key. */
export const signTestIdentity = createIdentitySigner({ secret: testIdentitySecret });

/** Headers of a request the gateway authenticated as `user`: the signed identity token plus `extra`. */
export const userHeaders = async (user: string, extra: Record<string, string> = {}) => ({
  [http.identityHeader]: await signTestIdentity(user),
  ...extra,
});
