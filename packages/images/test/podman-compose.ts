import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Podman } from './podman.ts';

const run = promisify(execFile);

/**
 * podman-compose (Debian 12's 1.0.3) driving the private podman store of `podman`: a wrapper script passes the
 * store flags, so the networks, volumes and containers of the run live and die with that store.
 */
export class PodmanCompose {
  readonly #wrapper: string;

  readonly podman: Podman;
  readonly dir: string;
  readonly project: string;

  constructor(podman: Podman, dir: string, project: string) {
    this.podman = podman;
    this.dir = dir;
    this.project = project;
    this.#wrapper = join(dir, 'podman-wrapper.sh');
    const flags = podman
      .storeFlags()
      .map((f) => `'${f}'`)
      .join(' ');
    writeFileSync(this.#wrapper, `#!/bin/sh\nexec podman ${flags} "$@"\n`);
    chmodSync(this.#wrapper, 0o755);
  }

  /** Runs podman-compose; `variables` are what a .env file would hold (1.0.3 has no --env-file). */
  async compose(file: string, variables: Readonly<Record<string, string>>, ...args: string[]) {
    return run('podman-compose', ['--podman-path', this.#wrapper, '-p', this.project, '-f', file, ...args], {
      env: { ...this.podman.environment(), ...variables },
      maxBuffer: 64 * 1024 * 1024,
      cwd: this.dir,
    });
  }
}
