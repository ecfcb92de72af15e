import { describe, expect, it } from 'vitest';
import { apiImage, apiImplementations, parseApiImplementation } from './api-implementation.ts';
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
});
