import { createHash } from 'node:crypto';

/**
 * The gateway's key store (`[{ identity, sha256 }]`, its API_KEYS_FILE format) from the stack's
 * `{ identity: key }`: the cluster only ever holds hashes; the keys stay in the encrypted stack config.
 */
export function hashedApiKeyStore(keys: Readonly<Record<string, string>>): string {
  const entries = Object.entries(keys)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([identity, key]) => ({ identity, sha256: createHash('sha256').update(key).digest('hex') }));
  return JSON.stringify(entries);
}
