import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apps } from '@homelab/platform';
import type { LocalPorts } from './platform-processes.ts';
import type { ProcessSpec } from './supervisor.ts';

/** Debian's Prometheus (the `prometheus` package, installed by .ci/run). */
export const prometheusBinary = '/usr/bin/prometheus';

/** One process Prometheus scrapes locally. */
export interface ScrapeTarget {
  /** The app name (`api`, `gateway`, `web`): the `job` label the SLO rules select on. */
  readonly job: string;
  readonly port: number;
  /** `stable` or `canary`: lets the canary gate compare the two. */
  readonly track: string;
}

/** What local Prometheus scrapes: api (and its canary), gateway, and web when it runs. */
export const localScrapeTargets = (
  ports: LocalPorts,
  options: { readonly canary: boolean; readonly web: boolean },
): ScrapeTarget[] => [
  { job: apps.api.name, port: ports.api, track: 'stable' },
  ...(options.canary ? [{ job: apps.api.name, port: ports.canaryApi, track: 'canary' }] : []),
  { job: apps.gateway.name, port: ports.gateway, track: 'stable' },
  ...(options.web ? [{ job: apps.web.name, port: ports.web, track: 'stable' }] : []),
];

/**
 * A minimal Prometheus configuration for the local platform: every service's /metrics every 5 s, and the rule
 * files given. Used when the observability package does not provide its own local configuration.
 */
export function minimalPrometheusConfig(targets: readonly ScrapeTarget[], ruleFiles: readonly string[] = []): string {
  const jobs = new Map<string, ScrapeTarget[]>();
  for (const t of targets) jobs.set(t.job, [...(jobs.get(t.job) ?? []), t]);
  const lines = ['global:', '  scrape_interval: 5s', '  evaluation_interval: 5s'];
  if (ruleFiles.length > 0) lines.push('rule_files:', ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  lines.push('scrape_configs:');
  for (const [job, list] of jobs) {
    lines.push(`  - job_name: ${JSON.stringify(job)}`, '    static_configs:');
    for (const t of list) {
      lines.push(
        `      - targets: [${JSON.stringify(`127.0.0.1:${t.port}`)}]`,
        `        labels: { service: ${JSON.stringify(job)}, track: ${JSON.stringify(t.track)} }`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

interface PrometheusProvider {
  localPrometheusConfig?: (options: {
    targets: readonly ScrapeTarget[];
    dir: string;
    intervalSeconds?: number;
  }) => string;
}

/**
 * The local Prometheus configuration: the observability package's (scrape config plus the project's SLO and
 * alert rules, written into `dir`) when it provides one, else the minimal scrape-only configuration above.
 */
export async function localPrometheusConfigText(
  targets: readonly ScrapeTarget[],
  dir: string,
  intervalSeconds?: number,
): Promise<{ text: string; source: 'observability' | 'fallback' }> {
  // A variable specifier: the package is optional for this command, and a missing export must not break `up`.
  const specifier = '@homelab/observability/local-prometheus';
  const provider = (await import(specifier).catch(() => undefined)) as PrometheusProvider | undefined;
  if (provider?.localPrometheusConfig) {
    return {
      text: provider.localPrometheusConfig({ targets, dir, ...(intervalSeconds ? { intervalSeconds } : {}) }),
      source: 'observability',
    };
  }
  return { text: minimalPrometheusConfig(targets), source: 'fallback' };
}

export interface PrometheusProcessOptions {
  /** Where prometheus.yml, the rule files and the TSDB go (`<dataDir>/prometheus`). */
  readonly dataDir: string;
  readonly targets: readonly ScrapeTarget[];
  readonly port: number;
  /** Scrape and rule evaluation interval; default the observability package's (5 s). */
  readonly intervalSeconds?: number;
  /** Start with an empty TSDB: a drill must not see an earlier run's series (its alerts, its windows). */
  readonly freshData?: boolean;
}

/**
 * Prometheus as a supervised process on the local ports, with the observability package's rules when it provides
 * them: the one way `homelab up --prometheus` and the drills start it.
 */
export async function prometheusProcess(options: PrometheusProcessOptions): Promise<ProcessSpec> {
  const dir = join(options.dataDir, 'prometheus');
  if (options.freshData) rmSync(join(dir, 'data'), { recursive: true, force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  const { text } = await localPrometheusConfigText(options.targets, dir, options.intervalSeconds);
  writeFileSync(join(dir, 'prometheus.yml'), text);
  return {
    name: 'prometheus',
    command: prometheusBinary,
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--storage.tsdb.retention.time=2d',
    ],
    cwd: dir,
    env: {},
    readyUrl: `http://127.0.0.1:${options.port}/-/ready`,
  };
}
