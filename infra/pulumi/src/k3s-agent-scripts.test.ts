import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentJoin, shellQuote } from './k3s-agent-scripts.ts';

/**
 * Runs the join script in a real /bin/sh, with a stand-in `curl` whose "installer" records what the real k3s
 * installer would receive: its arguments (one per line) and the K3S_* / INSTALL_* environment.
 */
const runJoin = (script: string, stdin: string) => {
  const directory = mkdtempSync(join(tmpdir(), 'homelab-agent-'));
  const record = join(directory, 'installer.txt');
  writeFileSync(
    join(directory, 'curl'),
    `#!/bin/sh\necho "$@" > ${shellQuote(join(directory, 'curl-args.txt'))}\nprintf '%s\\n' 'for a in "$@"; do echo "arg:$a"; done > ${record}; env | grep -E "^(K3S_|INSTALL_K3S_)" | sort >> ${record}'\n`,
  );
  chmodSync(join(directory, 'curl'), 0o755);
  execFileSync('/bin/sh', ['-c', script], {
    input: stdin,
    env: { PATH: `${directory}:/usr/bin:/bin` },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  return { installer: readFileSync(record, 'utf8'), curl: readFileSync(join(directory, 'curl-args.txt'), 'utf8') };
};

describe('the k3s agent join script, run by a real shell', () => {
  const agent = {
    name: 'node-2',
    labels: { 'topology.kubernetes.io/zone': 'shelf-2', 'homelab.dev/note': '' },
    taints: ['homelab.dev/gpu=true:NoSchedule'],
  };
  const token = "K10abc::server:it's-$(secret)";

  it('hands the installer the token from stdin, the server, the pinned version and one flag per label and taint', () => {
    const script = agentJoin(agent, { serverUrl: 'https://192.168.1.20:6443', version: 'v1.34.6+k3s1' });
    const { installer, curl } = runJoin(script, `${token}\n`);
    expect(installer.split('\n').filter((l) => l.startsWith('arg:'))).toEqual([
      'arg:agent',
      'arg:--node-name=node-2',
      'arg:--node-label=topology.kubernetes.io/zone=shelf-2',
      'arg:--node-label=homelab.dev/note=',
      'arg:--node-taint=homelab.dev/gpu=true:NoSchedule',
    ]);
    expect(installer).toContain(`K3S_TOKEN=${token}\n`);
    expect(installer).toContain('K3S_URL=https://192.168.1.20:6443\n');
    expect(installer).toContain('INSTALL_K3S_VERSION=v1.34.6+k3s1\n');
    expect(curl).toContain('https://raw.githubusercontent.com/k3s-io/k3s/v1.34.6+k3s1/install.sh');
  });

  it('never writes the token into the script itself', () => {
    expect(agentJoin(agent, { serverUrl: 'https://s:6443', version: 'v1' })).not.toMatch(/K10|secret/);
  });

  it('quotes any value for the shell', () => {
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(token)}`], { encoding: 'utf8' })).toBe(token);
  });
});
