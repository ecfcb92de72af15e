import { writeFileSync } from 'node:fs';
import { embeddedOpenApiPath, openApiDocumentText } from './openapi-document.ts';

/** `node apps/api-go/src/export-openapi.ts`: rewrites the Go API's embedded copy after a contract change. */
writeFileSync(embeddedOpenApiPath, openApiDocumentText());
console.log(`wrote ${embeddedOpenApiPath}`);
