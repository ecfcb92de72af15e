import { auth, http } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { notesOpenApiDocument } from './contract.ts';

type Operation = {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; name?: string; in?: string; scheme?: string }> };
};
const operations = (doc: Document) => Object.values(doc.paths).flatMap((p) => Object.values(p));

/** Issue 9: the document had no security scheme, no If-Match, no 413/429, and the gateway did not serve it. */
describe('the notes contract', () => {
  const api = notesOpenApiDocument('api') as unknown as Document;
  const gateway = notesOpenApiDocument('gateway') as unknown as Document;

  it('names each door’s credentials and requires them on every operation', () => {
    expect(api.components.securitySchemes.identityToken).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: http.identityHeader,
    });
    expect(gateway.components.securitySchemes.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: auth.apiKeyHeader,
    });
    expect(gateway.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(operations(api)).toHaveLength(5);
    for (const op of operations(api)) expect(op.security).toEqual([{ identityToken: [] }]);
    for (const op of operations(gateway)) expect(op.security).toEqual([{ apiKey: [] }, { bearer: [] }]);
  });

  it('documents If-Match and the 412/428 of PATCH, the 408/413 of bodies, 429/502/504 at the gateway', () => {
    const patch = api.paths['/v1/notes/{id}']?.patch as Operation;
    expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'if-match', in: 'header' }));
    expect(Object.keys(patch.responses)).toEqual(
      expect.arrayContaining(['200', '412', '428', '408', '413', '400', '401', '404']),
    );
    const create = api.paths['/v1/notes']?.post as Operation;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '408', '413', '409']));
    for (const op of operations(gateway)) {
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '429', '502', '503', '504']));
      expect(op.responses['429']?.headers).toHaveProperty('Retry-After');
      expect(op.responses['503']?.headers).toHaveProperty('Retry-After');
    }
    for (const op of operations(api)) expect(op.responses).not.toHaveProperty('429');
  });
});
