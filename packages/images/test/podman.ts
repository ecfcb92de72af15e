import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every container started here stops by itself after this long, even when the test process is killed. */
const maxContainerSeconds = 600;

/**
 * podman (Debian 12's 4.3) on a private storage root under `dir`: loading and running images here leaves the
 * host's own podman storage untouched, and `dispose()` (or the next run, if this one was killed) removes all of
 * it. podman needs explicit ulimits on these machines (no CAP_SYS_RESOURCE: real-nodes-facts.md), given through a
 * private containers.conf. Containers use the host network with the apps bound to 127.0.0.1: no bridge, no
 * iptables rule, nothing to undo.
 */
export class Podman {
  readonly #dir: string;
  readonly #env: NodeJS.ProcessEnv;

  readonly #runroot: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.#env = { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf') };
    // podman refuses a runroot longer than 50 characters.
    this.#runroot = join('/tmp', `hl-podman-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
  }

  /** Clears what a killed earlier run left in the same directory, then prepares an empty store. */
  async init(): Promise<void> {
    if (existsSync(join(this.#dir, 'root'))) await this.dispose();
    mkdirSync(this.#dir, { recursive: true });
    writeFileSync(
      join(this.#dir, 'containers.conf'),
      // netavark + aardvark-dns, not CNI + dnsname: with dnsname, after podman-compose's down + up the gateway (on
      // the edge and data networks) could no longer resolve `api` or `redis` (ENOTFOUND for minutes; seen in CI).
      // aardvark-dns, podman's own resolver, answers for every network a container is on, as Docker's embedded DNS
      // does at home.
      // Its network definitions live in the private directory too, not in the host's /etc/containers/networks.
      [
        '[containers]',
        'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
        '[network]',
        'network_backend = "netavark"',
        `network_config_dir = "${join(this.#dir, 'networks')}"`,
        '',
      ].join('\n'),
    );
  }

  /** The flags that point podman at this private store. */
  storeFlags(): string[] {
    return ['--root', join(this.#dir, 'root'), '--runroot', this.#runroot, '--storage-driver', 'vfs'];
  }

  environment(): NodeJS.ProcessEnv {
    return this.#env;
  }

  async podman(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run('podman', [...this.storeFlags(), ...args], { env: this.#env, maxBuffer: 64 * 1024 * 1024 });
  }

  /** `podman load` of an OCI archive; returns the loaded reference. */
  async load(archive: string): Promise<string> {
    const { stdout } = await this.podman('load', '-i', archive);
    const match = /Loaded image(?:\(s\))?: (\S+)/.exec(stdout);
    if (!match?.[1]) throw new Error(`podman load printed no image name: ${stdout}`);
    return match[1];
  }

  /** Starts a detached container on the host network with a read-only root and a /tmp tmpfs, as in the cluster. */
  async start(name: string, image: string, env: Readonly<Record<string, string>>, command: readonly string[] = []) {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const flags = [
      '--name',
      name,
      '--network',
      'host',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--timeout',
      `${maxContainerSeconds}`,
    ];
    await this.podman('run', '-d', ...flags, ...envArgs, image, ...command);
  }

  /**
   * Runs a container to completion; its exit code and output. `entrypoint` replaces the image's entrypoint, as a
   * Kubernetes container's `command` does (the Go image's migration Job).
   */
  async runToEnd(
    image: string,
    env: Readonly<Record<string, string>>,
    command: readonly string[] = [],
    options: { readonly entrypoint?: readonly string[] } = {},
  ) {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const flags = [
      ...(options.entrypoint ? ['--entrypoint', JSON.stringify(options.entrypoint)] : []),
      '--rm',
      '--network',
      'host',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--timeout',
      `${maxContainerSeconds}`,
    ];
    try {
      const { stdout, stderr } = await this.podman('run', ...flags, ...envArgs, image, ...command);
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  }

  async logs(name: string): Promise<string> {
    const { stdout, stderr } = await this.podman('logs', name).catch((e) => ({ stdout: '', stderr: String(e) }));
    return stdout + stderr;
  }

  /** Stops and removes every container, then the whole private store. */
  async dispose(): Promise<void> {
    await this.podman('rm', '--force', '--all', '--time', '5').catch(() => undefined);
    // Networks a compose project created (CNI bridges and their firewall rules) go with it.
    await this.podman('network', 'prune', '--force').catch(() => undefined);
    await this.podman('system', 'reset', '--force').catch(() => undefined);
    await removeIdleNetavarkChains();
    rmSync(this.#dir, { recursive: true, force: true });
    rmSync(this.#runroot, { recursive: true, force: true });
  }
}

/** What is missing to build and run images here (podman, umoci, root), or undefined when nothing is. */
export async function podmanMissing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'root (podman on a private store, umoci keeping file owners)';
  for (const tool of ['podman', 'umoci']) {
    const found = await run(tool, ['--version']).then(
      () => true,
      () => false,
    );
    if (!found) return `${tool} (apt-get install ${tool})`;
  }
  return undefined;
}

/**
 * netavark keeps its base chains (NETAVARK_FORWARD, NETAVARK-HOSTPORT-*), the jumps to them and each network's empty
 * DNAT chain after its last network is gone. When no network of anyone's is live any more (no forwarding rule in
 * NETAVARK_FORWARD, no jump to a network's DNAT chain), they are removed, so the run leaves the firewall as it
 * found it.
 */
async function removeIdleNetavarkChains(): Promise<void> {
  const tables = ['filter', 'nat'] as const;
  const rules = new Map<string, string[]>();
  for (const table of tables)
    rules.set(table, (await run('iptables', ['-t', table, '-S']).catch(() => ({ stdout: '' }))).stdout.split('\n'));
  const live = [...rules.values()]
    .flat()
    .some((r) => r.startsWith('-A NETAVARK_FORWARD ') || / -j NETAVARK-DN-/.test(r));
  if (live) return;
  for (const table of tables) {
    const tableRules = rules.get(table) ?? [];
    const chains = tableRules.filter((r) => r.startsWith('-N NETAVARK')).map((r) => r.slice(3));
    for (const jump of tableRules.filter((r) => r.startsWith('-A ') && / -j NETAVARK/.test(r)))
      await run('iptables', ['-t', table, '-D', ...splitRule(jump.slice(3))]).catch(() => undefined);
    for (const chain of chains) await run('iptables', ['-t', table, '-F', chain]).catch(() => undefined);
    for (const chain of chains) await run('iptables', ['-t', table, '-X', chain]).catch(() => undefined);
  }
}

/** `iptables -S` prints quoted comments; the words of a rule as iptables takes them back. */
const splitRule = (rule: string): string[] => [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
