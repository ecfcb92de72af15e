import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { embeddedOpenApiPath, openApiDocumentText } from './openapi-document.ts';

/**
 * `node apps/api-go/src/export-openapi.ts`: rewrites the Go API's embedded copy after a contract change, formatted
 * as the repository's formatter wants it (the Go API serves it compacted, token for token).
 */
writeFileSync(embeddedOpenApiPath, openApiDocumentText());
execFileSync('pnpm', ['exec', 'biome', 'format', '--write', embeddedOpenApiPath], { stdio: 'inherit' });
console.log(`wrote ${embeddedOpenApiPath}`);
