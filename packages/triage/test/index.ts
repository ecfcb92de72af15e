/** Test-only helpers other packages' tests use (the CLI's): real servers and processes, never mocks. */
export { type Issued, issue, makeCa } from './certificates.ts';
export { startDnsServer } from './dns-server.ts';
