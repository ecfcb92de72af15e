import { writeFileSync } from 'node:fs';
import { embeddedOpenApiPath, openApiDocumentText } from './openapi-document.ts';

/** `node apps/api-go/src/export-openapi.ts`: rewrites the Go API's embedded copy after a contract change. */
// Indented as the repository's formatter writes JSON; the Go API serves it compacted.
writeFileSync(embeddedOpenApiPath, `${JSON.stringify(JSON.parse(openApiDocumentText()), null, 2)}\n`);
console.log(`wrote ${embeddedOpenApiPath}`);
