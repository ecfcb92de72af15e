import { join, resolve } from 'node:path';
import { clusterDriver, rollbackTo, deploy as runGatedDeploy } from '@homelab/canary-gate';
import { loadKubeConfig } from '@homelab/cluster';
import { loadOrCreateSecrets, localPorts } from '@homelab/local-platform';
import {
  type AppName,
  apiImplementationOf,
  apiImplementations,
  apps,
  canaryGate,
  http,
  local,
} from '@homelab/platform';
import { githubStepSummary } from '../env.ts';
import { type Command, exitCodes, integerFlag, numberFlag, parseFlags, UsageError } from '../framework/index.ts';

const usage = `homelab deploy <app> --image <ref@sha256:digest> [options]
homelab deploy api --local [options]

Deploys <app> as a canary and shifts traffic in stages (${canaryGate.stages.map((s) => `${s.weight} %`).join(' -> ')}) while
it flows, gated on the app's SLOs by two anytime-valid sequential tests per SLI; promotes or rolls back by itself.
Writes a JSON record, a markdown summary (also to $GITHUB_STEP_SUMMARY when set) and an SVG chart, and appends
the deploy history. Exit code: 0 promoted, 1 rolled back (or failed), 2 bad command line, 3 held for the operator
(no verdict by the deadline policy: traffic back on stable, the canary kept; never a rollback of a healthy canary).
Before the first shift it reads stable alone for a baseline and prints its power plan: the expected decision time
at the observed rate, and the synthetic canary traffic it needs when real traffic is too low.

Cluster (default): the HTTPRoute weights and the <app>-canary Deployment, by server-side apply.
  --image <ref@digest>     the new image, pinned by digest; for the api an image of either implementation
                           (.../api@sha256:... TypeScript, .../api-go@sha256:... Go): the other one's is a switch
  --kubeconfig <file>      the deployer ServiceAccount's kubeconfig (default: $KUBECONFIG / ~/.kube/config)
  --prometheus-url <url>   Prometheus' HTTP API (required)
  --namespace <ns>         default the apps namespace
  --immediate              no canary, no gate: make --image stable now (the workflow's manual rollback to a
                           known-good digest); finishes or reverts an interrupted rollout first

Local (--local): the gateway's weights of the local platform started with \`homelab up --canary\`.
  --prometheus             read the local Prometheus (\`homelab up --prometheus\`) instead of scraping /metrics
  --data-dir <dir>         the platform's data directory (default ${local.dataDir})
  --port-offset <n>        as given to \`homelab up\`

Both:
  --out <dir>              record, summary and chart (default <data-dir>/deploys)
  --stage-deadline <s>     override every stage's deadline (seconds)
  --evaluation <s>         seconds between evaluations (default ${canaryGate.evaluationSeconds})
  --baseline <s>           seconds of stable-only traffic before the first shift (default ${canaryGate.baselineSeconds})
  --synthetic              local: start the tagged synthetic load (autocannon) at the rate the plan asks for
  --override promote-if-no-worse
                           emergencies: in a shared outage, promote a canary the relative test finds no worse than
                           stable instead of holding (recorded as an operator override)
`;

/** Held for the operator: neither promoted nor rolled back (ADR 0131). */
const heldExitCode = 3;

const repositoryRoot = resolve(import.meta.dirname, '../../../..');
const digestRef = /^[^\s@]+@sha256:[a-f0-9]{64}$/;

/** `homelab deploy`: parses flags and hands over to @homelab/canary-gate. */
async function runDeploy(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      image: { type: 'string' },
      local: { type: 'boolean' },
      prometheus: { type: 'boolean' },
      'prometheus-url': { type: 'string' },
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'data-dir': { type: 'string' },
      'port-offset': { type: 'string' },
      out: { type: 'string' },
      'stage-deadline': { type: 'string' },
      evaluation: { type: 'string' },
      immediate: { type: 'boolean' },
      baseline: { type: 'string' },
      synthetic: { type: 'boolean' },
      override: { type: 'string' },
    },
    { positionals: true },
  );
  const app = positionals[0] as AppName | undefined;
  if (!app || !(app in apps) || positionals.length > 1) {
    throw new UsageError(`one app to deploy: ${Object.keys(apps).join(', ')}`);
  }
  const seconds = { whole: false, above: 0 } as const;
  const deadline = numberFlag(values['stage-deadline'], 'stage-deadline', undefined, seconds);
  const evaluationSeconds = numberFlag(values.evaluation, 'evaluation', undefined, seconds);
  const dataDir = resolve(repositoryRoot, values['data-dir'] ?? local.dataDir);
  const outDir = resolve(values.out ?? join(dataDir, 'deploys'));
  const baseline = numberFlag(values.baseline, 'baseline', undefined, { whole: false, min: 0 });
  if (values.override !== undefined && values.override !== 'promote-if-no-worse') {
    throw new UsageError(`--override: the only override is promote-if-no-worse, not "${values.override}"`);
  }
  if (values.synthetic && !values.local) {
    throw new UsageError(
      '--synthetic starts autocannon locally; in the cluster run k6/synthetic.ts (the workflow does)',
    );
  }
  const overrides = {
    ...(deadline ? { stages: canaryGate.stages.map((s) => ({ weight: s.weight, deadlineSeconds: deadline })) } : {}),
    ...(values.override ? { promoteIfNoWorse: true } : {}),
  };
  let synthetic: { baseUrl: string; apiKey: string } | undefined;

  let target: Parameters<typeof runGatedDeploy>[0]['target'];
  let image = values.image;
  if (values.local) {
    // Locally only the API has a canary process (`homelab up --canary`).
    if (app !== 'api') throw new UsageError('--local: only the api has a local canary (homelab up --canary)');
    const offset = integerFlag(values['port-offset'], 'port-offset', 0);
    const ports = localPorts(offset);
    const secrets = loadOrCreateSecrets(join(dataDir, 'secrets.json'));
    const loopback = (port: number) => `http://127.0.0.1:${port}`;
    image ??= 'local-canary';
    if (values.synthetic) synthetic = { baseUrl: loopback(ports.gateway), apiKey: secrets.demoApiKey };
    target = {
      kind: 'local',
      gatewayUrl: loopback(ports.gateway),
      adminToken: secrets.adminToken,
      stableMetrics: [loopback(ports.api) + http.paths.metrics],
      canaryMetrics: [loopback(ports.canaryApi) + http.paths.metrics],
      ...(values.prometheus ? { prometheusUrl: loopback(ports.prometheus) } : {}),
      stateFile: join(dataDir, 'canary-rollout.json'),
    };
  } else {
    if (!image || !digestRef.test(image)) throw new UsageError('--image must be <ref>@sha256:<64 hex digits>');
    // The api has two implementations with one contract (ADR 0151): the image names which one the canary runs, and
    // deploying the other one's image is the switch. Any other image name would start a canary that cannot serve.
    if (app === 'api' && !apiImplementationOf(image)) {
      const names = Object.values(apiImplementations).map((i) => i.imageName);
      throw new UsageError(`--image for the api must be an image of ${names.join(' or ')}, not ${image}`);
    }
    if (values.immediate) {
      const driver = clusterDriver({
        kubeConfig: loadKubeConfig({ kubeconfig: values.kubeconfig }),
        ...(values.namespace ? { namespace: values.namespace } : {}),
      });
      const { recovered, record } = await rollbackTo(driver, app, image);
      if (recovered) process.stdout.write(`deploy ${app}: ${recovered}\n`);
      process.stdout.write(`deploy ${app}: ${record.image} is stable (immediate, rollout ${record.id})\n`);
      return exitCodes.ok;
    }
    if (!values['prometheus-url']) throw new UsageError('--prometheus-url is required in the cluster');
    target = {
      kind: 'cluster',
      kubeConfig: loadKubeConfig({ kubeconfig: values.kubeconfig }),
      prometheusUrl: values['prometheus-url'],
      ...(values.namespace ? { namespace: values.namespace } : {}),
    };
  }
  const stepSummaryFile = githubStepSummary();
  const { result, files } = await runGatedDeploy({
    app,
    image,
    target,
    outDir,
    historyFile: join(dataDir, canaryGate.history.localFile),
    overrides,
    ...(evaluationSeconds ? { evaluationSeconds } : {}),
    ...(baseline !== undefined ? { baselineSeconds: baseline } : {}),
    ...(synthetic ? { synthetic } : {}),
    ...(stepSummaryFile ? { stepSummaryFile } : {}),
    write: (text) => process.stdout.write(text),
    live: process.stdout.isTTY === true,
  });
  process.stdout.write(
    `deploy ${app}: ${result.outcome}${result.reason ? ` (${result.reason})` : ''}: ${result.detail}\n` +
      `  record ${files.record}\n  summary ${files.summary}\n  chart ${files.chart}\n`,
  );
  if (result.outcome === 'held') return heldExitCode;
  return result.outcome === 'promoted' ? exitCodes.ok : exitCodes.findings;
}

export const deploy: Command = {
  summary: 'deploy an app as a canary gated on its SLOs',
  usage,
  run: runDeploy,
};
