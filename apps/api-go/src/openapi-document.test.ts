import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embeddedOpenApiPath, openApiDocumentText } from './openapi-document.ts';

describe('the Go API serves the TypeScript API contract', () => {
  it('embeds the document the TypeScript contract generates, byte for byte', () => {
    // On failure: `node apps/api-go/src/export-openapi.ts`, then rebuild the Go API.
    expect(readFileSync(embeddedOpenApiPath, 'utf8')).toBe(openApiDocumentText());
  });
});
