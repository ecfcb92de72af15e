import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const projectDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * What the Pulumi language host does with `typescript: false` (ADR 0050): Node itself imports src/index.ts,
 * stripping the types. Run outside vitest's transform, with the real host probe and an empty stack config, the
 * program must load and stop at the preflight, naming what is missing.
 */
const loader = `
import * as pulumi from '@pulumi/pulumi';
await pulumi.runtime.setMocks(
  { newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs },
  'homelab', 'load-check', true,
);
pulumi.runtime.setAllConfig({ 'homelab:cluster': 'k3s', 'homelab:k3sKubeconfig': '/nonexistent/k3s.yaml' }, []);
try {
  await import('./src/index.ts');
  console.log('LOADED WITHOUT PREFLIGHT FAILURE');
} catch (error) {
  console.log(error.message);
}
`;

describe('the program under plain Node', () => {
  it('loads by type stripping and stops at the preflight with the missing secrets and kubeconfig', async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--input-type=module', '--eval', loader],
        { cwd: projectDir, timeout: 60_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      ),
    );
    expect(stdout).toMatch(/^Preflight found \d+ problems; nothing was created/);
    expect(stdout).toContain('cannot read the k3s kubeconfig /nonexistent/k3s.yaml');
    expect(stdout).toContain('homelab:postgresPassword is not set');
    expect(stdout).not.toContain('LOADED WITHOUT PREFLIGHT FAILURE');
  });
});
