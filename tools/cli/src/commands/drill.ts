import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canRunLocally, localInjections, runLocalDrillSession } from '@homelab/drill-targets';
import {
  pickBlind,
  renderList,
  renderPlan,
  renderRecord,
  type Scenario,
  scenarioNamed,
  scenarios,
  untilFiring,
} from '@homelab/drills';
import { prometheusBinary } from '@homelab/local-platform';
import { local } from '@homelab/platform';
import { type Command, exitCodes, integerFlag, parseFlags, UsageError } from '../framework/index.ts';

/** Where orchestrator/README.md builds the binary, relative to the repository root. */
const defaultOrchestratorBin = '.tools/orchestrator';

const usage = `homelab drill <scenario> [options]
homelab drill --list | --blind

Breaks the platform on purpose under a bounded load, watches for the signals that should follow, verifies
recovery, reverts, prints the timeline and writes a postmortem draft. Local drills start their own api, gateway,
Redis and PostgreSQL (real processes, each service in a cgroup with its Kubernetes memory limit). Cluster drills
(k8s-*) run in a namespace of their own (drills), against the cluster of \`homelab cluster up\` (kwok nodes:
container failures simulated) or your own with --kubeconfig (kind/k3s: containers really crash and get
OOM-killed; the nodes need the api image, see docs/drills.md). Orchestrator drills (orch-*) start the platform
on the Go orchestrator (\`orchestrator up --platform\`: 3 network-namespace nodes; root) and tear it down after.

Options:
  --list                 the drills, local and cluster
  --dry-run              print what the drill would do; change nothing
  --json                 the run's record as JSON on stdout (progress still goes to stderr)
  --blind                a random local drill, not named: diagnose it, type your answer; timed against recovery
  --postmortem-dir <d>   default postmortems/ (relative to the repository root)
  --no-postmortem        write no draft
  --prometheus           start Prometheus (${prometheusBinary}) with the project's rules beside api and gateway
                         (1 s scrape and evaluation) and watch the burn-rate alerts go pending; local drills only
  --until-firing         hold the fault until the expected alerts fire (the page tier's \`for\`: minutes;
                         implies --prometheus; for home use, not CI)
  --data-dir <dir>       default ${local.dataDir}/drills
  --port-offset <n>      default 30000 (beside a running homelab up)
  --kubeconfig <file>    cluster drills: default the homelab cluster up kubeconfig when it exists, else
                         $KUBECONFIG, else ~/.kube/config (the progress output says which)
  --orchestrator <bin>   orchestrator drills: the orchestrator binary (default ${defaultOrchestratorBin}; build it
                         with go build -o ${defaultOrchestratorBin} ./orchestrator/cmd/orchestrator)
`;

const repositoryRoot = resolve(import.meta.dirname, '../../../..');

/** The scenario called `name`; an unknown name is a usage error (exit 2) that lists the drills there are. */
function named(name: string) {
  try {
    return scenarioNamed(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Whether this run starts Prometheus, and the scenario held until firing when asked. Only the process platform
 * runs Prometheus; elsewhere (TLS listener, cluster) alert signals stay "not observable".
 */
function alertWatching(
  scenario: Scenario,
  prometheus: boolean,
  firing: boolean,
  progress: (line: string) => void,
): { scenario: Scenario; prometheus: boolean; maxFaultSeconds?: number } {
  if (!prometheus && !firing) return { scenario, prometheus: false };
  const processDrill = scenario.environment === 'local' && localInjections.has(scenario.inject.kind);
  if (firing && !processDrill) throw new UsageError(`--until-firing: ${scenario.name} runs no Prometheus`);
  if (!processDrill) {
    progress(`--prometheus: ${scenario.name} does not run on the process platform; its alerts stay unobserved`);
    return { scenario, prometheus: false };
  }
  if (!existsSync(prometheusBinary)) {
    if (firing) throw new UsageError(`--until-firing needs ${prometheusBinary} (apt-get install prometheus)`);
    progress(`${prometheusBinary} not found: running without Prometheus (alerts not observable)`);
    return { scenario, prometheus: false };
  }
  if (!firing) return { scenario, prometheus: true };
  let held: ReturnType<typeof untilFiring>;
  try {
    held = untilFiring(scenario);
  } catch (error) {
    throw new UsageError(`--until-firing: ${(error as Error).message}`);
  }
  progress(`--until-firing: the fault is held up to ${held.holdSeconds} s for the alerts' \`for\``);
  return { scenario: held.scenario, prometheus: true, maxFaultSeconds: held.holdSeconds };
}

async function runDrill(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      list: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      blind: { type: 'boolean' },
      'postmortem-dir': { type: 'string' },
      'no-postmortem': { type: 'boolean' },
      prometheus: { type: 'boolean' },
      'until-firing': { type: 'boolean' },
      'data-dir': { type: 'string' },
      'port-offset': { type: 'string' },
      kubeconfig: { type: 'string' },
      orchestrator: { type: 'string' },
    },
    { positionals: true },
  );
  if (values.list) {
    process.stdout.write(values.json ? `${JSON.stringify(scenarios, null, 2)}\n` : `${renderList(scenarios)}\n`);
    return exitCodes.ok;
  }
  const [name, ...extra] = positionals;
  if (extra.length > 0 || (name === undefined && !values.blind) || (name !== undefined && values.blind)) {
    throw new UsageError('name one drill, or give --blind without a name');
  }
  const scenario = values.blind
    ? pickBlind(
        scenarios.filter((s) => s.environment !== 'orchestrator' && canRunLocally(s)),
        Math.random(),
      )
    : named(name as string);
  if (values['dry-run']) {
    process.stdout.write(values.json ? `${JSON.stringify(scenario, null, 2)}\n` : `${renderPlan(scenario)}\n`);
    return exitCodes.ok;
  }
  if (!canRunLocally(scenario)) {
    process.stderr.write(
      `${scenario.name} is defined but cannot run here yet: ${
        scenario.environment === 'local'
          ? `the local target cannot inject ${scenario.inject.kind} yet`
          : `the ${scenario.environment} target does not carry out this action yet`
      }. See --dry-run for what it would do.\n`,
    );
    return exitCodes.usage;
  }
  const orchestratorBin = resolve(repositoryRoot, values.orchestrator ?? defaultOrchestratorBin);
  if (scenario.environment === 'orchestrator') {
    if (!existsSync(orchestratorBin)) {
      throw new UsageError(
        `${scenario.name} needs the orchestrator binary: ${orchestratorBin} not found (go build -o ${defaultOrchestratorBin} ./orchestrator/cmd/orchestrator, or --orchestrator <bin>)`,
      );
    }
    if (process.getuid?.() !== 0) throw new UsageError(`${scenario.name} needs root (namespaces, cgroups, a bridge)`);
  }
  const portOffset = integerFlag(values['port-offset'], 'port-offset', 30_000);
  const progress = (line: string) => process.stderr.write(`drill | ${line}\n`);
  const watched = alertWatching(scenario, values.prometheus === true, values['until-firing'] === true, progress);
  const { record, postmortemPath } = await runLocalDrillSession(watched.scenario, {
    root: repositoryRoot,
    dataDir: resolve(repositoryRoot, values['data-dir'] ?? join(local.dataDir, 'drills')),
    portOffset,
    postmortemDir: values['no-postmortem']
      ? undefined
      : resolve(repositoryRoot, values['postmortem-dir'] ?? 'postmortems'),
    blind: values.blind === true,
    kubeconfig: values.kubeconfig,
    orchestratorBin,
    progress,
    prometheus: watched.prometheus,
    ...(watched.maxFaultSeconds ? { maxFaultSeconds: watched.maxFaultSeconds } : {}),
  });
  process.stdout.write(values.json ? `${JSON.stringify(record, null, 2)}\n` : `${renderRecord(record)}\n`);
  if (postmortemPath) process.stderr.write(`drill | postmortem draft: ${postmortemPath}\n`);
  return record.passed ? exitCodes.ok : exitCodes.findings;
}

/** `homelab drill`: parses flags and runs the drill through @homelab/drill-targets. */
export const drill: Command = {
  summary: 'break the platform on purpose, measure, write the postmortem',
  usage,
  run: runDrill,
};
