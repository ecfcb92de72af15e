import { readFileSync } from 'node:fs';
import { hashApiKey, type StoredApiKey } from '@homelab/platform';

// The hash and the stored shape are the platform's (the Pulumi program and `homelab up` write the same store).
export { hashApiKey, type StoredApiKey } from '@homelab/platform';

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

/**
 * Looks presented keys up by their hash; the map is built once at start-up. Keys that verified are remembered,
 * so a client's key is hashed once, not on every request (hashing was a visible share of a proxied request).
 * Only verified keys enter that map, so it never holds more entries than the key store: unknown keys, whatever
 * a client sends, are hashed every time and never cached. It holds keys the process sees on every request
 * anyway; a lookup compares against V8's randomly seeded string hash, so its timing reveals nothing useful.
 */
export function createApiKeyVerifier(
  keys: readonly StoredApiKey[],
  hash: (key: string) => string = hashApiKey,
): (presented: string) => string | undefined {
  const byHash = new Map(keys.map((k) => [k.sha256, k.identity]));
  const verified = new Map<string, string>();
  return (presented) => {
    const known = verified.get(presented);
    if (known !== undefined) return known;
    if (presented.length === 0 || presented.length > 256) return undefined;
    const identity = byHash.get(hash(presented));
    if (identity !== undefined) verified.set(presented, identity);
    return identity;
  };
}
