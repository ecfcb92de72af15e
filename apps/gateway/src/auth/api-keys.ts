import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One stored API key: the identity it authenticates and the SHA-256 of the key, never the key itself. */
export interface StoredApiKey {
  readonly identity: string;
  readonly sha256: string;
}

/**
 * SHA-256 without a salt or a slow KDF is the right hash here: keys are 32 random bytes, so there is nothing to
 * brute-force, and the gateway hashes on every request (a KDF would cost milliseconds per call).
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** Identities are forwarded in a header: keep them to a conservative character set so none can inject one. */
export const identityPattern = /^[A-Za-z0-9._@-]{1,128}$/;

/**
 * Parses the key store: JSON `[{ "identity": "...", "sha256": "<hex>" }]` (the mounted Secret file) or the
 * compact `identity:sha256,identity2:sha256` form (an env value). Throws naming the bad entry.
 */
export function parseApiKeys(text: string): StoredApiKey[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const entries: unknown[] = trimmed.startsWith('[')
    ? (JSON.parse(trimmed) as unknown[])
    : trimmed.split(',').map((pair) => {
        const [identity, sha256] = pair.trim().split(':');
        return { identity, sha256 };
      });
  return entries.map((entry, index) => {
    const { identity, sha256 } = (entry ?? {}) as Record<string, unknown>;
    if (typeof identity !== 'string' || !identityPattern.test(identity)) {
      throw new Error(`API key entry ${index}: identity must match ${identityPattern}`);
    }
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) {
      throw new Error(`API key entry ${index} (${identity}): sha256 must be 64 lowercase hex characters`);
    }
    return { identity, sha256 };
  });
}

export const loadApiKeysFile = (path: string): StoredApiKey[] => parseApiKeys(readFileSync(path, 'utf8'));

/** Looks presented keys up by their hash; the map is built once at start-up. */
export function createApiKeyVerifier(keys: readonly StoredApiKey[]): (presented: string) => string | undefined {
  const byHash = new Map(keys.map((k) => [k.sha256, k.identity]));
  return (presented) =>
    presented.length > 0 && presented.length <= 256 ? byHash.get(hashApiKey(presented)) : undefined;
}
