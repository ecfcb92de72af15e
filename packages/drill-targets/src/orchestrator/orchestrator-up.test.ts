import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runLeftovers } from './orchestrator-up.ts';

describe('runLeftovers', () => {
  let host: string;
  afterEach(() => rmSync(host, { recursive: true, force: true }));
  const fake = () => {
    host = mkdtempSync(join(tmpdir(), 'orch-leftovers-'));
    const paths = { sys: join(host, 'sys'), run: join(host, 'run'), proc: join(host, 'proc') };
    for (const d of ['class/net', 'fs/cgroup/memory', 'fs/cgroup/pids'])
      mkdirSync(join(paths.sys, d), { recursive: true });
    mkdirSync(join(paths.run, 'netns'), { recursive: true });
    mkdirSync(paths.proc, { recursive: true });
    return paths;
  };
  const proc = (paths: { proc: string }, pid: number, env: string[]) => {
    mkdirSync(join(paths.proc, String(pid)));
    writeFileSync(join(paths.proc, String(pid), 'environ'), `${env.join('\0')}\0`);
  };

  it('is empty for a clean host, and ignores other runs', () => {
    const paths = fake();
    mkdirSync(join(paths.sys, 'class/net/ob111111'));
    writeFileSync(join(paths.run, 'netns/orch-111111-n1'), '');
    mkdirSync(join(paths.sys, 'fs/cgroup/memory/orchestrator/111111'), { recursive: true });
    proc(paths, 10, ['ORCHESTRATOR_OWNER=orchestrator/1234567/n1', 'PATH=/bin']);
    expect(runLeftovers('ob123456', paths)).toEqual([]);
  });

  it('names every kind of leftover of the run, including shims tagged with a node below it', () => {
    const paths = fake();
    mkdirSync(join(paths.sys, 'class/net/ob123456'));
    writeFileSync(join(paths.run, 'netns/orch-123456-n2'), '');
    mkdirSync(join(paths.sys, 'fs/cgroup/pids/orchestrator/123456/n2'), { recursive: true });
    mkdirSync(join(paths.run, 'orchestrator/123456'), { recursive: true });
    proc(paths, 42, ['PATH=/bin', 'ORCHESTRATOR_OWNER=orchestrator/123456/n2']);
    expect(runLeftovers('ob123456', paths)).toEqual([
      'link ob123456',
      'netns orch-123456-n2',
      `cgroup ${join(paths.sys, 'fs/cgroup/pids/orchestrator/123456')}`,
      `directory ${join(paths.run, 'orchestrator/123456')}`,
      'process 42',
    ]);
  });

  it('refuses a name that is not a run bridge', () => {
    expect(() => runLeftovers('eth0')).toThrow(/not an orchestrator bridge/);
  });
});
