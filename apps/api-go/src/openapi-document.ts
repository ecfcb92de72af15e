import { join } from 'node:path';
import { notesOpenApiDocument } from '@homelab/notes-contract';

/** Where the Go API embeds the TypeScript API's document (internal/openapi, `go:embed`). */
export const embeddedOpenApiPath = join(import.meta.dirname, '..', 'internal', 'openapi', 'openapi.json');

/** Exactly the bytes the TypeScript API serves at /openapi.json (`c.json(document)` is JSON.stringify). */
export const openApiDocumentText = (): string => JSON.stringify(notesOpenApiDocument('api'));
