import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { local } from '@homelab/platform';
import type { Command } from '../cli.ts';
import { credentialsFileName, readCredentialsFile } from '../local/credentials.ts';

const repositoryRoot = resolve(import.meta.dirname, '../../../..');

const usage = `homelab credentials [--data-dir <dir>]

Prints the local platform's URLs, the demo user's web password, the demo API key with its header and the admin
token, as the last \`homelab up\` wrote them to <data-dir>/${credentialsFileName} (default ${local.dataDir}).
`;

/** `homelab credentials`: the start banner again, after the access logs scrolled it away. */
export const credentialsCommand: Command = {
  summary: 'print the local URLs, demo credentials and admin token',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: [...argv],
      options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      process.stdout.write(usage);
      return 0;
    }
    const file = join(resolve(repositoryRoot, values['data-dir'] ?? local.dataDir), credentialsFileName);
    const text = readCredentialsFile(file);
    if (text === undefined) {
      process.stderr.write(`${file} does not exist yet: run \`npm start\` (homelab up) first\n`);
      return 1;
    }
    process.stdout.write(text);
    return 0;
  },
};
