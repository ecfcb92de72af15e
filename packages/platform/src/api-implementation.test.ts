import { describe, expect, it } from 'vitest';
import { apiImage, apiImplementationOf, apiImplementations, parseApiImplementation } from './api-implementation.ts';
import { appImage } from './k8s.ts';

describe('API implementations', () => {
  it('the TypeScript one is the image every manifest used so far', () => {
    expect(apiImage('ts')).toBe(appImage('api'));
    expect(apiImage('go')).toBe(appImage('api').replace('/api:', '/api-go:'));
  });
  it('each migrates with its own command', () => {
    expect(apiImplementations.go.migrateCommand).toEqual(['/app/api', 'migrate']);
    expect(apiImplementations.ts.migrateCommand).toEqual(['node', 'src/migrate.ts']);
  });
  it('refuses an unknown choice, naming the accepted ones', () => {
    expect(parseApiImplementation('go')).toBe('go');
    expect(() => parseApiImplementation('rust')).toThrow(/expected one of ts, go/);
  });
  it.each([
    [apiImage('ts'), 'ts'],
    [apiImage('go'), 'go'],
    [`ghcr.io/owner/repo/api-go@sha256:${'a'.repeat(64)}`, 'go'],
    [`registry.example:5000/homelab/api@sha256:${'b'.repeat(64)}`, 'ts'],
    ['api-go', 'go'],
    [`ghcr.io/owner/repo/gateway@sha256:${'c'.repeat(64)}`, undefined],
    ['ghcr.io/owner/api-go/web:1.0', undefined],
    ['ghcr.io/owner/repo/api-golang:1.0', undefined],
  ])('names the implementation of %s: %s', (image, implementation) => {
    expect(apiImplementationOf(image)).toBe(implementation);
  });
});
