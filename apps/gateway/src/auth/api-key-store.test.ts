import { hashedApiKeyStore } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { createApiKeyVerifier, parseApiKeys } from './api-keys.ts';

// The Pulumi program writes the gateway Secret with the platform's hashedApiKeyStore.
describe('the API key store written into the gateway Secret', () => {
  it("is what the gateway's own parser reads, and verifies the original keys only", () => {
    const store = hashedApiKeyStore({ alice: 'a'.repeat(40), bob: 'b'.repeat(40) });
    expect(store).not.toContain('a'.repeat(40));
    const verify = createApiKeyVerifier(parseApiKeys(store));
    expect(verify('a'.repeat(40))).toBe('alice');
    expect(verify('b'.repeat(40))).toBe('bob');
    expect(verify('c'.repeat(40))).toBeUndefined();
  });
});
