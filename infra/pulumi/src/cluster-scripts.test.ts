import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versions } from '@homelab/platform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { k3sCreate, k3sDelete, kindCreate, kindDelete } from './cluster-scripts.ts';
import { k3sInstallScriptUrl, k3sServerFlags } from './k3s-install.ts';
import { kindConfigYaml } from './kind-config.ts';

interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;

/** Runs a script the way the command provider does (`/bin/sh -c`), with stub tools first on PATH. */
const sh = (script: string, env: Record<string, string>, stdin = ''): Promise<ShellResult> =>
  new Promise((resolve) => {
    const child = execFile(
      '/bin/sh',
      ['-c', script],
      { env: { PATH: `${dir}/bin:/usr/bin:/bin`, STUB_STATE: dir, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    // Scripts that never read stdin may exit before it is written: that EPIPE is not a failure.
    child.stdin?.on('error', () => {});
    child.stdin?.end(stdin);
  });

const stub = (name: string, body: string) => {
  const path = join(dir, 'bin', name);
  writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> "$STUB_STATE/calls"\n${body}\n`);
  chmodSync(path, 0o755);
};
const calls = () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') : []);

/** A kind that keeps its clusters in a file, the way the real one keeps Docker containers. */
const stubKind = (createFails = false) =>
  stub(
    'kind',
    `touch "$STUB_STATE/clusters"
case "$1 $2" in
  "get clusters") cat "$STUB_STATE/clusters" ;;
  "create cluster") ${createFails ? 'echo "port 80 is already allocated" >&2; exit 1' : 'cat > "$STUB_STATE/config"; echo "$4" >> "$STUB_STATE/clusters"'} ;;
  "get kubeconfig") echo "kubeconfig-of-$4" ;;
  "delete cluster") grep -vx "$4" "$STUB_STATE/clusters" > "$STUB_STATE/rest" || true; mv "$STUB_STATE/rest" "$STUB_STATE/clusters" ;;
esac`,
  );

const kindEnv = { KIND_CLUSTER: 'homelab', KIND_NODE_IMAGE: versions.kubernetes.kindNodeImage };
const config = kindConfigYaml({ clusterName: 'homelab', nodeImage: versions.kubernetes.kindNodeImage });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cluster-scripts-'));
  mkdirSync(join(dir, 'bin'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the kind commands', () => {
  it('create the cluster from the config on stdin and print only the kubeconfig on stdout', async () => {
    stubKind();
    const result = await sh(kindCreate, kindEnv, config);
    expect(result).toMatchObject({ code: 0, stdout: 'kubeconfig-of-homelab\n' });
    expect(result.stderr).toContain('creating kind cluster homelab');
    expect(parse(readFileSync(join(dir, 'config'), 'utf8')).nodes[0].image).toBe(versions.kubernetes.kindNodeImage);
  });

  it('continue after an interruption: a second run reuses the cluster instead of creating another', async () => {
    stubKind();
    await sh(kindCreate, kindEnv, config);
    const again = await sh(kindCreate, kindEnv, config);
    expect(again).toMatchObject({ code: 0, stdout: 'kubeconfig-of-homelab\n' });
    expect(again.stderr).toContain('exists; reusing it');
    expect(calls().filter((c) => c.startsWith('kind create'))).toHaveLength(1);
  });

  it('fail, printing no kubeconfig, when kind cannot create the cluster', async () => {
    stubKind(true);
    const result = await sh(kindCreate, kindEnv, config);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('port 80 is already allocated');
  });

  it('delete the cluster, and succeed again when it is already gone', async () => {
    stubKind();
    await sh(kindCreate, kindEnv, config);
    expect((await sh(kindDelete, kindEnv)).code).toBe(0);
    expect(readFileSync(join(dir, 'clusters'), 'utf8').trim()).toBe('');
    expect((await sh(kindDelete, kindEnv)).code).toBe(0);
  });
});

describe('the k3s commands', () => {
  const kubeconfig = () => join(dir, 'k3s.yaml');
  const k3sEnv = (install: boolean) => ({
    K3S_VERSION: versions.kubernetes.k3s,
    K3S_INSTALL: String(install),
    K3S_INSTALL_URL: k3sInstallScriptUrl(),
    K3S_FLAGS: k3sServerFlags.join(' '),
    K3S_KUBECONFIG: kubeconfig(),
  });
  /** A k3s of the given version whose API answers. */
  const stubK3s = (version: string) =>
    stub('k3s', `[ "$1" = "--version" ] && echo "k3s version ${version} (abc)"; exit 0`);

  it('print the kubeconfig of the installed k3s without installing anything', async () => {
    stubK3s(versions.kubernetes.k3s);
    stub('curl', 'exit 1');
    writeFileSync(kubeconfig(), 'kubeconfig-of-k3s\n');
    const result = await sh(k3sCreate, k3sEnv(false));
    expect(result).toMatchObject({ code: 0, stdout: 'kubeconfig-of-k3s\n', stderr: '' });
    expect(calls().some((c) => c.startsWith('curl'))).toBe(false);
  });

  it('warn when the running k3s is not the pinned release', async () => {
    stubK3s('v1.30.0+k3s1');
    writeFileSync(kubeconfig(), 'kubeconfig-of-k3s\n');
    const result = await sh(k3sCreate, k3sEnv(false));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`not the pinned ${versions.kubernetes.k3s}`);
  });

  it('install the pinned release with the platform flags when asked and not yet installed', async () => {
    stubK3s('v1.30.0+k3s1');
    // The "installer" curl returns records how it was run, then leaves the kubeconfig behind.
    stub(
      'curl',
      `echo 'echo "installer INSTALL_K3S_VERSION=$INSTALL_K3S_VERSION $*" >> "$STUB_STATE/calls"; echo kubeconfig-of-new-k3s > "$K3S_KUBECONFIG"'`,
    );
    const result = await sh(k3sCreate, k3sEnv(true));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('kubeconfig-of-new-k3s\n');
    expect(calls()).toContain(`curl -sfL ${k3sInstallScriptUrl()}`);
    expect(calls()).toContain(
      `installer INSTALL_K3S_VERSION=${versions.kubernetes.k3s} server ${k3sServerFlags.join(' ')}`,
    );
  });

  it('leave a k3s it did not install in place on delete', async () => {
    stub('k3s-uninstall.sh', 'exit 0');
    expect(await sh(k3sDelete, k3sEnv(false))).toMatchObject({ code: 0, stdout: '' });
    expect(calls()).toEqual([]);
  });
});
