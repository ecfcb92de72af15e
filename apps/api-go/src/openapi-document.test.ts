import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embeddedOpenApiPath, openApiDocumentText } from './openapi-document.ts';

describe('the Go API serves the TypeScript API contract', () => {
  it('embeds the document the TypeScript contract generates', () => {
    // On failure: `node apps/api-go/src/export-openapi.ts`, then rebuild the Go API. The file may be formatted:
    // the Go API compacts it token by token, and the differential suite compares the served bytes.
    const embedded: unknown = JSON.parse(readFileSync(embeddedOpenApiPath, 'utf8'));
    expect(JSON.stringify(embedded)).toBe(openApiDocumentText());
  });
});
