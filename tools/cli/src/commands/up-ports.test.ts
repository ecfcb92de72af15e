import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { localPorts } from '@homelab/local-platform';
import { describe, expect, it } from 'vitest';

const main = resolve(import.meta.dirname, '../main.ts');

describe('homelab up with a port taken', () => {
  it('refuses to start, naming the port and the pid and command holding it, and never says ready', async () => {
    const portOffset = 22_000 + Math.floor(Math.random() * 400) * 20;
    const { gateway } = localPorts(portOffset);
    const holder = spawn(
      process.execPath,
      ['-e', `require("node:net").createServer().listen(${gateway}, "127.0.0.1", () => console.log("listening"))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'homelab-ports-'));
    try {
      await new Promise((r) => holder.stdout?.once('data', r));
      const run = spawnSync(
        process.execPath,
        [main, 'up', '--data-dir', dataDir, '--port-offset', String(portOffset), '--no-color'],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(`port ${gateway} (gateway) is taken by pid ${holder.pid} (`);
      expect(run.stdout).not.toMatch(/\| ready$/m);
      expect(run.stdout).not.toContain('started (pid');
    } finally {
      holder.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
