import { describe, expect, it } from 'vitest';
import { createApiKeyVerifier, parseApiKeys } from '../../../apps/gateway/src/auth/api-keys.ts';
import { hashedApiKeyStore } from './api-keys.ts';

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
