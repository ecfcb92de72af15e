import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../cli.ts';

/** The command line alone: what `homelab deploy` refuses before touching anything (exit 2, the usage). */
describe('homelab deploy, bad command lines', () => {
  const run = async (...argv: string[]) => {
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      return { code: await runCli(argv), err: err.join('') };
    } finally {
      spy.mockRestore();
      out.mockRestore();
    }
  };

  it('needs an image pinned by digest in the cluster', async () => {
    const r = await run('deploy', 'api', '--image', 'ghcr.io/x/api:latest', '--prometheus-url', 'http://p:9090');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--image must be <ref>@sha256/);
  });

  it('knows the apps, and only the api has a local canary', async () => {
    expect((await run('deploy', 'nope', '--local')).err).toMatch(
      /one app to deploy: web, api, gateway|one app to deploy/,
    );
    expect((await run('deploy', 'web', '--local')).err).toMatch(/only the api has a local canary/);
  });

  it('refuses a non-positive stage deadline and an unknown flag', async () => {
    expect((await run('deploy', 'api', '--local', '--stage-deadline', '0')).code).toBe(2);
    expect((await run('deploy', 'api', '--local', '--frobnicate')).code).toBe(2);
  });

  it('takes for the api only an image of one of its implementations (api or api-go)', async () => {
    const other = `ghcr.io/x/web@sha256:${'a'.repeat(64)}`;
    expect((await run('deploy', 'api', '--image', other, '--prometheus-url', 'http://p:9090')).err).toMatch(
      /--image for the api must be an image of api or api-go/,
    );
    const go = `ghcr.io/x/api-go@sha256:${'a'.repeat(64)}`;
    expect((await run('deploy', 'api', '--image', go)).err).toMatch(/--prometheus-url is required/);
  });

  it('needs Prometheus in the cluster', async () => {
    const image = `ghcr.io/x/api@sha256:${'a'.repeat(64)}`;
    expect((await run('deploy', 'api', '--image', image)).err).toMatch(/--prometheus-url is required/);
  });

  it('knows only one override, a baseline of seconds, and --synthetic only locally', async () => {
    expect((await run('deploy', 'api', '--local', '--override', 'promote')).err).toMatch(
      /the only override is promote-if-no-worse/,
    );
    expect((await run('deploy', 'api', '--local', '--baseline', 'soon')).err).toMatch(/--baseline must be/);
    const image = `ghcr.io/x/api@sha256:${'a'.repeat(64)}`;
    expect(
      (await run('deploy', 'api', '--image', image, '--prometheus-url', 'http://p:9090', '--synthetic')).err,
    ).toMatch(/--synthetic starts autocannon locally/);
  });
});
