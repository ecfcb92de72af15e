import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendHistory, evidenceChart, markdownSummary, type RolloutResult } from '@homelab/deploy-report';
import { serviceSelector } from '@homelab/observability';
import { type AppName, canaryGate } from '@homelab/platform';
import type { KubeConfig } from '@kubernetes/client-node';
import { clusterDriver } from './drivers/cluster-driver.ts';
import { clusterHistory } from './drivers/cluster-history.ts';
import { localDriver } from './drivers/local-driver.ts';
import type { TrafficDriver } from './drivers/traffic-driver.ts';
import { type GateConfig, gateConfigFor } from './engine/config.ts';
import { autocannonSynthetic } from './load/synthetic.ts';
import { progressLine } from './report/progress.ts';
import { runRollout } from './rollout/run-rollout.ts';
import type { MetricSource } from './sources/metric-source.ts';
import { prometheusSource } from './sources/prometheus-source.ts';
import { scrapeSource } from './sources/scrape-source.ts';

export type DeployTarget =
  | {
      readonly kind: 'local';
      readonly gatewayUrl: string;
      readonly adminToken: string;
      /** /metrics of the stable and canary processes (used without Prometheus). */
      readonly stableMetrics: readonly string[];
      readonly canaryMetrics: readonly string[];
      /** Local Prometheus (`homelab up --prometheus`): read it instead of scraping. */
      readonly prometheusUrl?: string;
      readonly stateFile: string;
    }
  | {
      readonly kind: 'cluster';
      readonly kubeConfig: KubeConfig;
      readonly prometheusUrl: string;
      readonly namespace?: string;
    };

export interface DeployOptions {
  readonly app: AppName;
  readonly image: string;
  readonly target: DeployTarget;
  /** Where the JSON record, the markdown summary and the SVG chart are written. */
  readonly outDir: string;
  /** The JSON-lines deploy history. */
  readonly historyFile: string;
  readonly overrides?: Partial<GateConfig>;
  readonly evaluationSeconds?: number;
  /** Seconds of stable-only traffic before the first shift (default `canaryGate.baselineSeconds`). */
  readonly baselineSeconds?: number;
  /**
   * Where to send synthetic canary traffic when the power plan asks for it (the gateway and the load-test
   * identity's API key): autocannon here; without it the gate only prints the k6 command (the workflow runs k6).
   */
  readonly synthetic?: { readonly baseUrl: string; readonly apiKey: string };
  /** `$GITHUB_STEP_SUMMARY` when set: the summary is appended there too. */
  readonly stepSummaryFile?: string;
  /** Progress output; `live` rewrites one terminal line instead of printing one per evaluation. */
  readonly write: (text: string) => void;
  readonly live?: boolean;
}

export interface DeployOutcome {
  readonly result: RolloutResult;
  readonly files: { readonly record: string; readonly summary: string; readonly chart: string };
}

/** Builds the source and the driver for a target: the only place that knows local from cluster. */
export function wire(
  app: AppName,
  target: DeployTarget,
  latencyThresholdSeconds: number,
): { source: MetricSource; driver: TrafficDriver } {
  if (target.kind === 'local') {
    const source = target.prometheusUrl
      ? prometheusSource({
          url: target.prometheusUrl,
          selector: serviceSelector(app),
          trackLabel: canaryGate.trackLabel.local,
          latencyThresholdSeconds,
        })
      : scrapeSource({ canary: target.canaryMetrics, stable: target.stableMetrics, latencyThresholdSeconds });
    const driver = localDriver({
      gatewayUrl: target.gatewayUrl,
      adminToken: target.adminToken,
      route: canaryGate.localGatewayRoute,
      stateFile: target.stateFile,
    });
    return { source, driver };
  }
  return {
    source: prometheusSource({
      url: target.prometheusUrl,
      selector: serviceSelector(app),
      trackLabel: canaryGate.trackLabel.cluster,
      latencyThresholdSeconds,
    }),
    driver: clusterDriver({
      kubeConfig: target.kubeConfig,
      ...(target.namespace ? { namespace: target.namespace } : {}),
    }),
  };
}

/** `homelab deploy`: one gated canary rollout, its record, summary, chart and history entry. */
export async function deploy(options: DeployOptions): Promise<DeployOutcome> {
  const config = gateConfigFor(options.app, options.overrides);
  const { source, driver } = wire(options.app, options.target, config.latencyThresholdSeconds);
  const stages = config.stages.length;
  const result = await runRollout({
    app: options.app,
    image: options.image,
    config,
    source,
    driver,
    evaluationSeconds: options.evaluationSeconds ?? canaryGate.evaluationSeconds,
    baselineSeconds: options.baselineSeconds ?? canaryGate.baselineSeconds,
    ...(options.synthetic ? { startSynthetic: autocannonSynthetic(options.synthetic) } : {}),
    onEvent: (message) => options.write(`${options.live ? '\n' : ''}deploy ${options.app}: ${message}\n`),
    onEvaluation: (point) => {
      const line = progressLine(point, stages);
      options.write(options.live ? `\r\u001b[2K${line}` : `${line}\n`);
    },
  });
  if (options.live) options.write('\n');
  mkdirSync(options.outDir, { recursive: true });
  const stem = join(options.outDir, `deploy-${options.app}-${result.id}`);
  const files = { record: `${stem}.json`, summary: `${stem}.md`, chart: `${stem}.svg` };
  writeFileSync(files.record, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(files.chart, evidenceChart(result));
  const summary = markdownSummary(result, files.chart);
  writeFileSync(files.summary, summary);
  if (options.stepSummaryFile) appendFileSync(options.stepSummaryFile, `${summary}\n`);
  appendHistory(options.historyFile, result);
  if (options.target.kind === 'cluster') {
    try {
      await clusterHistory({
        kubeConfig: options.target.kubeConfig,
        ...(options.target.namespace ? { namespace: options.target.namespace } : {}),
      }).append(result);
    } catch (error) {
      // The rollout itself is done and recorded on the route; a history the deployer may not write is a warning.
      options.write(
        `deploy ${options.app}: history not kept in ConfigMap ${canaryGate.history.configMap}: ${(error as Error).message.split('\n')[0]}\n`,
      );
    }
  }
  return { result, files };
}
