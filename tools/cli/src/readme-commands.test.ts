import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { credentialsCommandLine, writeCredentialsFile } from '@homelab/local-platform';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README's commands as a newcomer types them in a fresh shell: without sourcing bootstrap.sh, with the
 * machine's own Node first on PATH (this machine's /usr/bin/node is 20, too old to run TypeScript; the README says
 * any Node will do). Each goes through npm, as documented, so the launcher and the npm scripts are what is tested.
 */
const root = resolve(import.meta.dirname, '../../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const machineNode = '/usr/bin/node';
const run = promisify(execFile);

/** PATH as a fresh shell has it: the machine's bin directories first, the repository's .tools/bin nowhere. */
const freshPath = [
  '/usr/local/bin',
  '/usr/bin',
  '/bin',
  ...(process.env.PATH ?? '').split(delimiter).filter((p) => !p.startsWith(join(root, '.tools'))),
].join(delimiter);

const npm = async (args: readonly string[]) => {
  try {
    const { stdout, stderr } = await run('npm', [...args], {
      cwd: root,
      env: { ...process.env, PATH: freshPath, npm_config_update_notifier: 'false' },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
};

/**
 * Every npm command the README writes (inline code or a sh block): `npm start`, `npm test`, `npm run <script>`,
 * with or without `-- <args>`.
 */
const npmCommands = [
  ...readme.matchAll(/npm (start|test|run(?: -{1,2}[a-z]+)* ([a-z][\w:-]*))(?: -- ([^`\n#]*))?/g),
].map((m) => ({
  line: m[0].trim(),
  script: m[2] ?? m[1] ?? '',
  args: (m[3] ?? '').trim().split(/\s+/).filter(Boolean),
}));
/**
 * The harmless form each documented script is run in here: its --help, answered after the launcher has brought
 * the repository's Node (a newly documented script fails the test until it is given one).
 */
const harmless: Record<string, readonly string[]> = {
  start: ['--help'],
  test: ['--help'],
  'test:quick': ['--help'],
  homelab: ['--help'],
  images: ['--help'],
};
/** Every `homelab <command>` the README documents, each answered with its own --help through npm. */
const documented = [
  ...new Set([
    ...[...readme.matchAll(/^homelab ([a-z][a-z-]*)/gm), ...readme.matchAll(/`homelab ([a-z][a-z-]*)/g)].map(
      (m) => m[1] ?? '',
    ),
    ...npmCommands.flatMap((c) => (c.script === 'homelab' && /^[a-z]/.test(c.args[0] ?? '') ? [c.args[0]] : [])),
  ]),
].filter((c): c is string => Boolean(c));

/** Every package.json of the workspace with its scripts. */
const packageScripts = execFileSync('git', ['ls-files', '*package.json'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f.endsWith('package.json'))
  .flatMap((file) =>
    Object.entries(
      (JSON.parse(readFileSync(join(root, file), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {},
    ).map(([name, command]) => ({ file, name, command })),
  );

const missing = !existsSync(machineNode);
if (missing) {
  const say = `[readme-commands] ${machineNode} is absent: the README commands are not run on the machine's Node`;
  if (process.env.CI === 'true') throw new Error(`${say} (required under CI)`);
  process.stderr.write(`${say}\n`);
}

// A static scan: it needs no Node of the machine's, so it runs everywhere.
describe('the npm scripts', () => {
  it('no npm script hands TypeScript, vitest or tsc to whatever Node ran npm', () => {
    // Through scripts/tools.sh (or a launcher that sources bootstrap.sh) they run on the repository's Node.
    const direct = packageScripts.filter(({ command }) => /^(node|vitest|tsc|tsx)\b/.test(command));
    expect(direct.map(({ file, name, command }) => `${file} ${name}: ${command}`)).toEqual([]);
  });
});

describe.skipIf(missing)("the README's commands, on the machine's Node, without sourcing", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'homelab-readme-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('the README documents `npm run homelab -- --help` and the commands it lists', async () => {
    const version = (await run(machineNode, ['--version'])).stdout.trim();
    process.stdout.write(
      `[readme-commands] machine Node ${version}; scripts: ${[...new Set(npmCommands.map((c) => c.script))].join(', ')}; commands: ${documented.join(', ')}\n`,
    );
    expect(npmCommands.map((c) => c.line)).toContain('npm run homelab -- <args>');
    expect(npmCommands.map((c) => c.line)).toContain('npm run images -- build');
    expect(documented).toEqual(expect.arrayContaining(['credentials', 'deploy', 'drill', 'triage', 'cluster']));
  });

  it('every `npm run <script>` the README documents answers its harmless form (exit 0)', async () => {
    const scripts = [...new Set(npmCommands.map((c) => c.script))];
    expect(scripts.filter((script) => harmless[script] === undefined)).toEqual([]);
    for (const script of scripts) {
      const res = await npm(['run', '--silent', script, '--', ...(harmless[script] ?? [])]);
      expect(res.stderr, script).not.toMatch(/Unknown file extension/);
      expect(res.code, `npm run ${script}: ${res.stderr}`).toBe(0);
      expect(res.stdout.trim().length, script).toBeGreaterThan(0);
    }
  }, 600_000);

  it('`npm run homelab -- --help` lists the commands, and each answers `<command> --help` (exit 0)', async () => {
    const res = await npm(['run', '--silent', 'homelab', '--', '--help']);
    expect(res.stderr).not.toMatch(/Unknown file extension/);
    expect(res.code, res.stderr).toBe(0);
    for (const command of documented) {
      expect(res.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
      const own = await npm(['run', '--silent', 'homelab', '--', command, '--help']);
      expect(own.code, `homelab ${command} --help: ${own.stderr}`).toBe(0);
      expect(own.stdout.length, command).toBeGreaterThan(0);
    }
  }, 600_000);

  it('the start banner prints a command that works, and it prints the banner again', async () => {
    writeCredentialsFile(join(dataDir, 'credentials'), ['web  http://localhost:3000 user demo password p4ss']);
    const [first, ...rest] = credentialsCommandLine.split(' ');
    expect(first).toBe('npm');
    const res = await npm([...rest.slice(0, 1), '--silent', ...rest.slice(1), '--data-dir', dataDir]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('user demo password p4ss');
  }, 180_000);

  it('`npm start -- --help` answers with the options (exit 0)', async () => {
    const res = await npm(['start', '--silent', '--', '--help']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('--data-dir');
  }, 180_000);
});
