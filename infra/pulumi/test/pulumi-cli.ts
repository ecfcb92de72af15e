import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { realServersRequired } from '@homelab/test-servers';

const repoRoot = new URL('../../../', import.meta.url).pathname;

/** Where scripts/pulumi-tools.sh puts the pinned CLI and Kubernetes provider (asked of the script: one layout). */
export interface PulumiToolPaths {
  readonly cli: string;
  readonly kubernetes: string;
}

export const pulumiToolPaths = (): PulumiToolPaths => {
  const out = execFileSync('bash', [join(repoRoot, 'scripts/pulumi-tools.sh'), '--print-dir'], { encoding: 'utf8' });
  const dirs = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
  if (!dirs.pulumi || !dirs.kubernetes) throw new Error(`scripts/pulumi-tools.sh --print-dir printed: ${out}`);
  return { cli: dirs.pulumi, kubernetes: dirs.kubernetes };
};

/**
 * Why the real `pulumi up` suite cannot run, or undefined when it can. Locally a missing build skips with this
 * notice; under CI=true (or HOMELAB_REQUIRE_REAL=1) it throws: scripts/test.sh builds the binaries first.
 */
export const pulumiUnavailable = (): string | undefined => {
  const paths = pulumiToolPaths();
  const missing = [join(paths.cli, 'pulumi'), join(paths.kubernetes, 'pulumi-resource-kubernetes')].filter(
    (file) => !existsSync(file),
  );
  if (missing.length === 0) return undefined;
  const why = `Pulumi CLI / Kubernetes provider not built (bash scripts/pulumi-tools.sh): missing ${missing.join(', ')}`;
  if (realServersRequired()) throw new Error(why);
  process.stderr.write(`\n[pulumi] SKIPPING the real \`pulumi up\` suite: ${why}\n`);
  return why;
};

/**
 * The environment of a Pulumi run that touches nothing outside `home`: a file backend and PULUMI_HOME there, a
 * passphrase for the stack's secrets, no update check, and only the built binaries as plugins (nothing is
 * downloaded: the provider on PATH is used as an ambient plugin).
 */
export const pulumiEnvironment = (paths: PulumiToolPaths, home: string): Record<string, string> => {
  // The file backend refuses a state directory that does not exist.
  mkdirSync(join(home, 'state'), { recursive: true });
  return {
    PATH: `${paths.cli}:${paths.kubernetes}:${process.env.PATH ?? ''}`,
    PULUMI_HOME: join(home, 'pulumi-home'),
    PULUMI_BACKEND_URL: `file://${join(home, 'state')}`,
    PULUMI_CONFIG_PASSPHRASE: 'homelab-test-passphrase',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
  };
};
