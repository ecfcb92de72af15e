import { createHash } from 'node:crypto';

/** One stored API key: the identity it authenticates and the SHA-256 of the key, never the key itself. */
export interface StoredApiKey {
  readonly identity: string;
  readonly sha256: string;
}

/**
 * The one hash of an API key, shared by the gateway (verifying), the Pulumi program (the cluster's key store) and
 * `homelab up` (the demo key). SHA-256 without a salt or a slow KDF is the right hash here: keys are 32 random
 * bytes, so there is nothing to brute-force, and the gateway hashes every key it has not verified before (a KDF
 * would cost milliseconds).
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * The gateway's key store as its API_KEYS_FILE holds it (`[{ identity, sha256 }]`, sorted by identity), from
 * `{ identity: key }`: the cluster only ever holds hashes.
 */
export const hashedApiKeyStore = (keys: Readonly<Record<string, string>>): string =>
  JSON.stringify(
    Object.entries(keys)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([identity, key]): StoredApiKey => ({ identity, sha256: hashApiKey(key) })),
  );
