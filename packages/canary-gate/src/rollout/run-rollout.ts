import { randomUUID } from 'node:crypto';
import type { RolloutResult, TimelinePoint } from '@homelab/deploy-report';
import { type AppName, canaryGate } from '@homelab/platform';
import { CanaryNotReadyError, type RolloutRecord, type TrafficDriver } from '../drivers/traffic-driver.ts';
import type { GateConfig } from '../engine/config.ts';
import { addCounts, type Counts, counterTracker, type Snapshot, zeroCounts } from '../engine/counts.ts';
import { currentWeight, evidenceOf, startGate, step } from '../engine/gate.ts';
import { type DecisionPlan, decisionPlan, type PlanOptions } from '../engine/power.ts';
import type { MetricSource } from '../sources/metric-source.ts';

export interface RunRolloutOptions {
  readonly app: AppName;
  readonly image: string;
  readonly config: GateConfig;
  readonly source: MetricSource;
  readonly driver: TrafficDriver;
  readonly evaluationSeconds: number;
  /**
   * Seconds of stable-only traffic read before the first shift: the observed rate for the power plan and stable's
   * baseline. Default two evaluations (drills and tests); `deploy()` uses `canaryGate.baselineSeconds`.
   */
  readonly baselineSeconds?: number;
  /** The power plan's target and cap; default `canaryGate.synthetic`. */
  readonly plan?: Omit<PlanOptions, 'evaluationSeconds'>;
  /**
   * Starts synthetic canary traffic at `rps` (tagged, read-mostly: src/load/synthetic.ts) when the plan asks for
   * it; stopped when the rollout ends. Without it the gate only says what it needs (the workflow runs k6).
   */
  readonly startSynthetic?: (rps: number) => { stop(): void };
  /** Called after every evaluation (the live progress line). */
  readonly onEvaluation?: (point: TimelinePoint) => void;
  /** Called for events worth a log line: recovery, stage changes, source failures. */
  readonly onEvent?: (message: string) => void;
  /** Injected for tests; default Date.now and setTimeout. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Finishes or reverts what a killed gate left behind, from the record on the objects: a decided promotion or
 * rollback is completed; an undecided rollout is reverted, because the evidence it had died with its process.
 */
export async function recoverInterrupted(driver: TrafficDriver, app: AppName): Promise<string | undefined> {
  const previous = await driver.recorded(app);
  if (!previous) return undefined;
  switch (previous.phase) {
    case 'promoting':
      await driver.promote(previous);
      return `finished the interrupted promotion of ${previous.image} (rollout ${previous.id})`;
    case 'rolling-back':
      await driver.rollback(previous);
      return `finished the interrupted rollback of ${previous.image} (rollout ${previous.id})`;
    case 'running':
      await driver.rollback(previous);
      return `reverted the interrupted rollout of ${previous.image} at ${previous.weight} % (rollout ${previous.id}): its evidence died with the gate`;
    default:
      return undefined;
  }
}

/** Runs one canary rollout to its end: promoted or rolled back, never left half-done on a normal exit. */
export async function runRollout(options: RunRolloutOptions): Promise<RolloutResult> {
  const { config, source, driver, app, image } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const event = options.onEvent ?? (() => {});
  const recovered = await recoverInterrupted(driver, app);
  if (recovered) event(recovered);
  const baselineSeconds = options.baselineSeconds ?? 2 * options.evaluationSeconds;
  const planOptions: PlanOptions = {
    targetDecisionSeconds: options.plan?.targetDecisionSeconds ?? canaryGate.synthetic.targetDecisionSeconds,
    maxSyntheticRps: options.plan?.maxSyntheticRps ?? canaryGate.synthetic.maxRps,
    evaluationSeconds: options.evaluationSeconds,
  };

  let record: RolloutRecord = {
    id: randomUUID(),
    app,
    image,
    previousImage: undefined,
    startedAt: new Date(now()).toISOString(),
    phase: 'running',
    weight: 0,
  };
  const result = (
    outcome: RolloutResult['outcome'],
    reason: RolloutResult['reason'],
    detail: string,
    alerts: readonly string[],
    timeline: readonly TimelinePoint[],
  ): RolloutResult => ({
    id: record.id,
    app,
    image,
    source: source.description,
    driver: driver.description,
    startedAt: record.startedAt,
    finishedAt: new Date(now()).toISOString(),
    outcome,
    reason,
    detail,
    recovered,
    alerts,
    plan: plan?.text,
    stages: config.stages,
    timeline,
  });
  let plan: DecisionPlan | undefined;
  try {
    await driver.start(record);
  } catch (error) {
    if (!(error instanceof CanaryNotReadyError)) throw error;
    // Decided before any traffic or evidence: a canary that is not ready must never get weight (its share would
    // fail at the proxy, where no canary metric counts it). The weights are still at 0; the rollback scales it down.
    event(`canary not ready, rolling back: ${error.message}`);
    await driver.rollback(record);
    return result('rolled-back', 'canary not ready', error.message, [], []);
  }
  const readSafely = async (): Promise<Snapshot | undefined> => {
    try {
      return await source.read();
    } catch (error) {
      event(`metrics unavailable (${(error as Error).message}): no data for this interval`);
      return undefined;
    }
  };
  // Per process, the last value seen: a process missing from one read is not counted again when it is back.
  const tracker = counterTracker();
  // The baseline: stable alone (the canary has weight 0) for a few seconds; its rate plans the rollout.
  const b0 = now();
  tracker.next(await readSafely());
  if (baselineSeconds > 0) await sleep(baselineSeconds * 1000 - (now() - b0));
  const baseline = tracker.next(await readSafely());
  const measured = Math.max(1, (now() - b0) / 1000);
  plan = decisionPlan(config, (baseline.stable.requests + baseline.canary.requests) / measured, planOptions);
  event(plan.text);
  let synthetic: { stop(): void } | undefined;
  if (plan.syntheticRps > 0) {
    if (options.startSynthetic) {
      synthetic = options.startSynthetic(plan.syntheticRps);
      event(`synthetic canary traffic started: ${plan.syntheticRps} req/s (tagged ${canaryGate.synthetic.header})`);
    } else {
      event(
        `asking for ${plan.syntheticRps} req/s of synthetic canary traffic (k6 run packages/canary-gate/k6/synthetic.ts -e SYNTHETIC_RPS=${plan.syntheticRps}); without it the decision takes longer`,
      );
    }
  }
  const state = startGate(config, baseline.stable);
  try {
    return await evaluate();
  } finally {
    synthetic?.stop();
  }

  async function evaluate(): Promise<RolloutResult> {
    const t0 = now();
    const firstWeight = currentWeight(config, state);
    await driver.setWeight(record, firstWeight);
    record = { ...record, weight: firstWeight };
    event(`stage 1/${config.stages.length}: canary at ${firstWeight} %`);

    let lastAt = 0;
    let canaryTotal: Counts = zeroCounts;
    let stableTotal: Counts = zeroCounts;
    const timeline: TimelinePoint[] = [];
    const alerts: string[] = [];

    for (let k = 1; ; k++) {
      const wait = t0 + k * options.evaluationSeconds * 1000 - now();
      if (wait > 0) await sleep(wait);
      const at = Math.round((now() - t0) / 100) / 10;
      // Readiness before evidence: a canary that stopped serving gets no more of the traffic (ADR 0103). A failed
      // read of it is no verdict; the metrics and the stage deadline still decide.
      const notReady = await driver.canaryNotReady?.(record).catch(() => undefined);
      if (notReady) {
        event(`canary not ready at ${at} s, rolling back: ${notReady}`);
        await driver.rollback(record);
        return result('rolled-back', 'canary not ready', notReady, alerts, timeline);
      }
      const delta = tracker.next(await readSafely());
      canaryTotal = addCounts(canaryTotal, delta.canary);
      stableTotal = addCounts(stableTotal, delta.stable);
      const stageBefore = state.stage;
      const weightBefore = currentWeight(config, state);
      const decision = step(config, state, { at, seconds: at - lastAt, ...delta });
      lastAt = at;
      const point: TimelinePoint = {
        at,
        stage: stageBefore,
        weight: weightBefore,
        canary: canaryTotal,
        stable: stableTotal,
        evidence: evidenceOf(config, state),
        decision,
      };
      timeline.push(point);
      options.onEvaluation?.(point);
      if (decision.kind === 'hold' && decision.alert) {
        alerts.push(`${at} s: ${decision.detail}`);
        event(`ALERT shared outage: ${decision.detail}`);
      }
      if (decision.kind === 'advance') {
        await driver.setWeight(record, decision.weight);
        record = { ...record, weight: decision.weight };
        event(`stage ${decision.stage + 1}/${config.stages.length}: canary at ${decision.weight} %`);
        continue;
      }
      if (decision.kind === 'held') {
        // No verdict (ADR 0131): the traffic goes back to stable, since nobody watches the canary once the gate
        // exits, but the canary is not scaled down and the rollout is not called a rollback: the operator decides.
        await driver.setWeight(record, 0);
        event(`held for the operator: ${decision.detail}`);
        return result('held', decision.reason, decision.detail, alerts, timeline);
      }
      if (decision.kind === 'promote' || decision.kind === 'rollback') {
        if (decision.kind === 'promote') await driver.promote(record);
        else await driver.rollback(record);
        return result(
          decision.kind === 'promote' ? 'promoted' : 'rolled-back',
          decision.kind === 'rollback' ? decision.reason : undefined,
          decision.detail,
          alerts,
          timeline,
        );
      }
    }
  }
}

/**
 * The manual rollback of the deploy workflow: no canary, no gate. Whatever a killed gate left is finished or
 * reverted first, then `image` (a known-good digest) becomes stable through the same idempotent promotion path.
 */
export async function rollbackTo(
  driver: TrafficDriver,
  app: AppName,
  image: string,
  now: () => number = Date.now,
): Promise<{ recovered: string | undefined; record: RolloutRecord }> {
  const recovered = await recoverInterrupted(driver, app);
  const record: RolloutRecord = {
    id: randomUUID(),
    app,
    image,
    previousImage: undefined,
    startedAt: new Date(now()).toISOString(),
    phase: 'promoting',
    weight: 0,
  };
  await driver.promote(record);
  return { recovered, record };
}
