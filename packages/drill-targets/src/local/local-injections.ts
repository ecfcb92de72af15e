import { join } from 'node:path';
import { gateConfigFor, type RolloutResult, runRollout, wire } from '@homelab/canary-gate';
import type { Injection } from '@homelab/drills';
import type { LocalPorts } from '@homelab/local-platform';
import { http } from '@homelab/platform';
import { adminFaults, dependency, envOf, type LocalDrill, pidOf } from './local-drill.ts';

/** What the local platform can inject; a drill with another injection is defined but not runnable here. */
export const localInjections: ReadonlySet<Injection['kind']> = new Set([
  'kill-process',
  'fault',
  'bad-config',
  'stop-dependency',
  'canary',
]);

/**
 * The real gate, as `homelab deploy` runs it locally, against the canary the drill just broke: scraping both
 * versions, shifting the gateway's weights. Resolves with the result, or undefined when the gate itself failed
 * (logged).
 */
function startBadCanaryRollout(
  injection: Extract<Injection, { kind: 'canary' }>,
  context: {
    gateway: string;
    adminToken: string;
    ports: LocalPorts;
    stateFile: string;
    log: (line: string) => void;
  },
): Promise<RolloutResult | undefined> {
  const config = gateConfigFor(injection.app, { stages: [{ weight: injection.weight, deadlineSeconds: 40 }] });
  const metrics = (port: number) => [`http://127.0.0.1:${port}${http.paths.metrics}`];
  const { source, driver } = wire(
    injection.app,
    {
      kind: 'local',
      gatewayUrl: context.gateway,
      adminToken: context.adminToken,
      stableMetrics: metrics(context.ports.api),
      canaryMetrics: metrics(context.ports.canaryApi),
      stateFile: context.stateFile,
    },
    config.latencyThresholdSeconds,
  );
  return runRollout({
    app: injection.app,
    image: 'drill/bad-canary',
    config,
    source,
    driver,
    evaluationSeconds: 1,
    onEvent: context.log,
  }).catch((error: Error) => {
    context.log(`failed: ${error.message}`);
    return undefined;
  });
}

/** The bad environment goes into the spec the supervisor starts from; the old values are kept for the revert. */
function injectBadConfig(drill: LocalDrill, injection: Extract<Injection, { kind: 'bad-config' }>): void {
  const env = envOf(drill, injection.app);
  for (const [key, value] of Object.entries(injection.env)) {
    drill.savedEnv.set(key, env[key]);
    env[key] = value;
  }
  // A rollout: the running process goes (it drains on SIGTERM), the next start reads the bad config.
  const pid = pidOf(drill, injection.app);
  if (pid) process.kill(pid, 'SIGTERM');
}

function revertBadConfig(drill: LocalDrill, injection: Extract<Injection, { kind: 'bad-config' }>): void {
  const env = envOf(drill, injection.app);
  for (const [key, value] of drill.savedEnv) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  drill.savedEnv.clear();
}

/** The canary's fault set, then the gate started against it; its result is what `canary-rolled-back` watches. */
async function injectBadCanary(drill: LocalDrill, injection: Extract<Injection, { kind: 'canary' }>): Promise<void> {
  if (!drill.options.canary) throw new Error('the platform was started without a canary');
  await adminFaults(drill, 'api-canary', 'PUT', injection.settings);
  drill.rollout = startBadCanaryRollout(injection, {
    gateway: drill.gateway,
    adminToken: drill.secrets.adminToken,
    ports: drill.ports,
    stateFile: join(drill.options.dataDir, 'drill-canary-rollout.json'),
    log: (line) => drill.logged.push({ at: Date.now(), name: 'canary-gate', line }),
  }).then((result) => {
    drill.rolloutResult = result;
  });
}

/** Faults for real: a signal to the process, the service kit's fault endpoint, a bad environment, a server stopped. */
export async function inject(drill: LocalDrill, injection: Injection): Promise<void> {
  switch (injection.kind) {
    case 'kill-process': {
      const pid = pidOf(drill, injection.app);
      if (!pid) throw new Error(`${injection.app} is not running`);
      process.kill(pid, injection.signal);
      return;
    }
    case 'fault':
      return adminFaults(drill, injection.app, 'PUT', injection.settings);
    case 'bad-config':
      return injectBadConfig(drill, injection);
    case 'stop-dependency':
      return dependency(drill, injection.dependency).stop();
    case 'canary':
      return injectBadCanary(drill, injection);
    default:
      throw new Error(`the local platform cannot inject ${injection.kind}`);
  }
}

export async function revert(drill: LocalDrill, injection: Injection): Promise<void> {
  switch (injection.kind) {
    case 'fault':
      // The process may be mid-restart (an OOM kill clears the fault by itself): best effort.
      await adminFaults(drill, injection.app, 'DELETE').catch(() => undefined);
      return;
    case 'bad-config':
      return revertBadConfig(drill, injection);
    case 'stop-dependency':
      return dependency(drill, injection.dependency).start();
    case 'canary':
      await adminFaults(drill, 'api-canary', 'DELETE').catch(() => undefined);
      return;
    default:
      return;
  }
}
