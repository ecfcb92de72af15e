import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { auth } from '@homelab/platform';
import type { LocalPorts } from './platform-processes.ts';
import type { LocalSecrets } from './secrets.ts';

/** The file, under the data directory, that keeps what the start banner shows (README: "Quick start"). */
export const credentialsFileName = 'credentials';

export interface CredentialsInput {
  readonly ports: LocalPorts;
  readonly secrets: LocalSecrets;
  readonly demoIdentity: string;
  readonly canaryWeight?: number | undefined;
  readonly prometheus: boolean;
}

/**
 * The URLs, the demo credentials with the header each goes in, and the admin token, as lines for the banner and
 * the credentials file. One function for both, so the file never says something the banner does not.
 */
export function credentialLines({
  ports,
  secrets,
  demoIdentity,
  canaryWeight,
  prometheus,
}: CredentialsInput): string[] {
  const web = `http://localhost:${ports.web}`;
  const gateway = `http://localhost:${ports.gateway}`;
  return [
    `web          ${web}   (user ${demoIdentity}, password ${secrets.demoPassword})`,
    `status page  ${web}/status`,
    `gateway      ${gateway}/v1/notes`,
    `api          http://localhost:${ports.api}/openapi.json`,
    ...(canaryWeight !== undefined
      ? [`canary       http://localhost:${ports.canaryApi}   (${canaryWeight} % of traffic)`]
      : []),
    ...(prometheus ? [`prometheus   http://localhost:${ports.prometheus}`] : []),
    `api key      header ${auth.apiKeyHeader} (identity ${demoIdentity}):`,
    `             curl -H '${auth.apiKeyHeader}: ${secrets.demoApiKey}' ${gateway}/v1/notes`,
    'admin token  header authorization: Bearer <token>:',
    `             curl -H 'authorization: Bearer ${secrets.adminToken}' ${gateway}/admin/upstreams`,
  ];
}

/** Writes the credentials file readable by this user only (0600, also when it already existed wider). */
export function writeCredentialsFile(path: string, lines: readonly string[]): void {
  const text = [
    '# Written by `homelab up` on every start; `homelab credentials` prints it. Secrets live in secrets.json',
    '# beside this file (delete both to rotate). Never commit either: the data directory is gitignored.',
    ...lines,
    '',
  ].join('\n');
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The credentials file's text, or undefined when `homelab up` never ran with this data directory. */
export function readCredentialsFile(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
