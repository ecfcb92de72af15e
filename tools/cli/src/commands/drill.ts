import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pickBlind, renderList, renderPlan, renderRecord, scenarioNamed, scenarios } from '@homelab/drills';
import { local } from '@homelab/platform';
import { canRunLocally, runLocalDrillSession } from '../local/drill-session.ts';

export const drillUsage = `homelab drill <scenario> [options]
homelab drill --list | --blind

Breaks the platform on purpose under a bounded load, watches for the signals that should follow, verifies
recovery, reverts, prints the timeline and writes a postmortem draft. Local drills start their own api, gateway,
Redis and PostgreSQL (real processes, each service in a cgroup with its Kubernetes memory limit).

Options:
  --list                 the drills, local and cluster
  --dry-run              print what the drill would do; change nothing
  --json                 the run's record as JSON on stdout (progress still goes to stderr)
  --blind                a random local drill, not named: diagnose it, type your answer; timed against recovery
  --postmortem-dir <d>   default postmortems/ (relative to the repository root)
  --no-postmortem        write no draft
  --data-dir <dir>       default ${local.dataDir}/drills
  --port-offset <n>      default 30000 (beside a running homelab up)
`;

const repositoryRoot = resolve(import.meta.dirname, '../../../..');

export async function drill(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      list: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      blind: { type: 'boolean' },
      'postmortem-dir': { type: 'string' },
      'no-postmortem': { type: 'boolean' },
      'data-dir': { type: 'string' },
      'port-offset': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(drillUsage);
    return 0;
  }
  if (values.list) {
    process.stdout.write(values.json ? `${JSON.stringify(scenarios, null, 2)}\n` : `${renderList(scenarios)}\n`);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (extra.length > 0 || (name === undefined && !values.blind) || (name !== undefined && values.blind)) {
    process.stderr.write(drillUsage);
    return 2;
  }
  const scenario = values.blind
    ? pickBlind(scenarios.filter(canRunLocally), Math.random())
    : scenarioNamed(name as string);
  if (values['dry-run']) {
    process.stdout.write(values.json ? `${JSON.stringify(scenario, null, 2)}\n` : `${renderPlan(scenario)}\n`);
    return 0;
  }
  if (!canRunLocally(scenario)) {
    process.stderr.write(
      `${scenario.name} is defined but cannot run here yet: ${
        scenario.environment === 'cluster'
          ? 'cluster drills need the control-plane package (packages/cluster) merged'
          : scenario.name === 'bad-canary'
            ? 'it needs packages/canary-gate merged'
            : `the local target cannot inject ${scenario.inject.kind} yet`
      }. See --dry-run for what it would do.\n`,
    );
    return 2;
  }
  const portOffset = Number(values['port-offset'] ?? 30_000);
  if (!Number.isInteger(portOffset) || portOffset < 0) throw new Error('--port-offset must be a whole number >= 0');
  const { record, postmortemPath } = await runLocalDrillSession(scenario, {
    root: repositoryRoot,
    dataDir: resolve(repositoryRoot, values['data-dir'] ?? join(local.dataDir, 'drills')),
    portOffset,
    postmortemDir: values['no-postmortem']
      ? undefined
      : resolve(repositoryRoot, values['postmortem-dir'] ?? 'postmortems'),
    blind: values.blind === true,
    progress: (line) => process.stderr.write(`drill | ${line}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(record, null, 2)}\n` : `${renderRecord(record)}\n`);
  if (postmortemPath) process.stderr.write(`drill | postmortem draft: ${postmortemPath}\n`);
  return record.passed ? 0 : 1;
}
