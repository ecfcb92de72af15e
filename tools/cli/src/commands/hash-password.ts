import { randomBytes } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { webUsers } from '@homelab/platform';
import { hash } from '@node-rs/argon2';
import { type Command, exitCodes, parseFlags, UsageError } from '../framework/index.ts';

const usage = `homelab hash-password [--user <name>]

Prints an argon2id hash (PHC string) of a web sign-in password, for the stack secret the cluster's web app reads:

  pulumi config set --secret webUsers "$(homelab hash-password --user demo)"

The password is read from standard input when it is piped (one line); otherwise a random one is generated and
printed to standard error, so only the hash reaches the stack config. @node-rs/argon2's defaults are the ones the
web app verifies against: argon2id, 19 MiB, t=2, p=1.

Options:
  --user <name>   print "name:<hash>" (the webUsers format) instead of the bare hash
`;

async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(argv, { user: { type: 'string' } });
  if (values.user !== undefined && !webUsers.namePattern.test(values.user)) {
    throw new UsageError(`--user must match ${webUsers.namePattern.source}, not "${values.user}"`);
  }
  // A terminal gets a generated password; a pipe gives its first line (an empty pipe also gets a generated one).
  let password = process.stdin.isTTY ? '' : ((await text(process.stdin)).split('\n')[0] ?? '');
  if (password === '') {
    password = randomBytes(16).toString('base64url');
    process.stderr.write(`generated password (keep it, it is not stored anywhere): ${password}\n`);
  }
  if (password.length < 12) {
    process.stderr.write('the password must have at least 12 characters\n');
    return exitCodes.findings;
  }
  const phc = await hash(password);
  process.stdout.write(`${values.user === undefined ? '' : `${values.user}:`}${phc}\n`);
  return exitCodes.ok;
}

export const hashPassword: Command = { summary: 'hash a web sign-in password for the stack config', usage, run };
