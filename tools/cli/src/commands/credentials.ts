import { join, resolve } from 'node:path';
import { credentialsFileName, readCredentialsFile } from '@homelab/local-platform';
import { local } from '@homelab/platform';
import type { Command } from '../framework/command.ts';
import { exitCodes } from '../framework/exit-codes.ts';
import { parseFlags } from '../framework/flags.ts';

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
    const { values } = parseFlags(argv, { 'data-dir': { type: 'string' } });
    const file = join(resolve(repositoryRoot, values['data-dir'] ?? local.dataDir), credentialsFileName);
    const text = readCredentialsFile(file);
    if (text === undefined) {
      process.stderr.write(`${file} does not exist yet: run \`npm start\` (homelab up) first\n`);
      return exitCodes.findings;
    }
    process.stdout.write(text);
    return exitCodes.ok;
  },
};
