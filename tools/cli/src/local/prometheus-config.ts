/** One process Prometheus scrapes locally. */
export interface ScrapeTarget {
  /** The app name (`api`, `gateway`, `web`): the `job` label the SLO rules select on. */
  readonly job: string;
  readonly port: number;
  /** `stable` or `canary`: lets the canary gate compare the two. */
  readonly track: string;
}

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
  localPrometheusConfig?: (options: { targets: readonly ScrapeTarget[]; dir: string }) => string;
}

/**
 * The local Prometheus configuration: the observability package's (scrape config plus the project's SLO and
 * alert rules, written into `dir`) when it provides one, else the minimal scrape-only configuration above.
 */
export async function localPrometheusConfigText(
  targets: readonly ScrapeTarget[],
  dir: string,
): Promise<{ text: string; source: 'observability' | 'fallback' }> {
  // A variable specifier: the package is optional for this command, and a missing export must not break `up`.
  const specifier = '@homelab/observability/local-prometheus';
  const provider = (await import(specifier).catch(() => undefined)) as PrometheusProvider | undefined;
  if (provider?.localPrometheusConfig) {
    return { text: provider.localPrometheusConfig({ targets, dir }), source: 'observability' };
  }
  return { text: minimalPrometheusConfig(targets), source: 'fallback' };
}
