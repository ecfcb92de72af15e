import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http } from '@homelab/platform';
import { stringify } from 'yaml';
import { prometheusRules } from './prometheus-rules.ts';
import { ruleFileName, ruleFileYaml } from './rule-files.ts';

export interface LocalScrapeTarget {
  /** The app name: becomes the `job` label the SLO rules select on. */
  job: string;
  /** `host:port` of the process, e.g. `127.0.0.1:3002`. */
  address: string;
  /** Extra target labels, e.g. `{ track: 'canary' }`. */
  labels?: Record<string, string>;
}

/** Scrape and evaluate every 5 s locally: a local run lasts minutes, and the 5m windows fill quickly. */
const localIntervalSeconds = 5;

/**
 * The prometheus.yml of the local platform, with `rule_files` relative to the config's directory. `intervalSeconds`
 * (default 5) is both the scrape and the rule evaluation interval.
 */
export function localPrometheusYaml(
  targets: readonly LocalScrapeTarget[],
  ruleFiles: readonly string[],
  intervalSeconds = localIntervalSeconds,
): string {
  const jobs = new Map<string, LocalScrapeTarget[]>();
  for (const target of targets) jobs.set(target.job, [...(jobs.get(target.job) ?? []), target]);
  const config = {
    global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s` },
    rule_files: [...ruleFiles],
    scrape_configs: [...jobs].map(([job, list]) => ({
      job_name: job,
      metrics_path: http.paths.metrics,
      static_configs: list.map((t) => ({ targets: [t.address], labels: { service: job, ...t.labels } })),
    })),
  };
  return stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Writes `prometheus.yml` and the platform's rule files (the same groups C's PrometheusRules carry) into `dir`,
 * for `/usr/bin/prometheus --config.file=<configFile>`.
 */
export async function writeLocalPrometheusFiles(
  dir: string,
  targets: ReadonlyArray<{ job: string; address: string; labels?: Record<string, string> }>,
): Promise<{ configFile: string; ruleFiles: string[] }> {
  await mkdir(join(dir, 'rules'), { recursive: true });
  const ruleFiles: string[] = [];
  for (const set of prometheusRules()) {
    const relative = join('rules', ruleFileName(set));
    await writeFile(join(dir, relative), ruleFileYaml(set));
    ruleFiles.push(relative);
  }
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, localPrometheusYaml(targets, ruleFiles));
  return { configFile, ruleFiles };
}

/**
 * The shape `homelab up --prometheus` (tools/cli) calls today: targets as `{ job, port, track }`, the config
 * returned as text. Writes the rule files into `dir` (synchronously: the caller is synchronous) and returns the config.
 */
export function localPrometheusConfig(options: {
  targets: ReadonlyArray<{ job: string; port: number; track: string }>;
  dir: string;
  /** Scrape and evaluation interval; default 5 s. Drills use 1 s (see tools/cli drill-platform.ts). */
  intervalSeconds?: number;
}): string {
  mkdirSync(join(options.dir, 'rules'), { recursive: true });
  const ruleFiles = prometheusRules().map((set) => {
    const relative = join('rules', ruleFileName(set));
    writeFileSync(join(options.dir, relative), ruleFileYaml(set));
    return relative;
  });
  return localPrometheusYaml(
    options.targets.map((t) => ({ job: t.job, address: `127.0.0.1:${t.port}`, labels: { track: t.track } })),
    ruleFiles,
    options.intervalSeconds,
  );
}
