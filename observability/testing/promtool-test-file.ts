import type { AlertingRule } from '../src/alert-rule.ts';

/** The shapes of a `promtool test rules` file (Prometheus docs, "Unit testing for rules"). */
export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}

export interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpectedAlert[];
}

export interface PromqlExprTest {
  expr: string;
  eval_time: string;
  exp_samples: Array<{ labels: string; value: number }>;
}

export interface PromtoolTest {
  /** Not read by promtool; names the scenario in the generated file and in failures. */
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test?: AlertRuleTest[];
  promql_expr_test?: PromqlExprTest[];
}

export interface PromtoolTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: PromtoolTest[];
}

/** A counter that grows by `increment` for `steps` samples, after the previous segment. */
export interface CounterSegment {
  steps: number;
  increment: number;
}

/**
 * Expanding notation for a counter that starts at 0 and then grows segment by segment: `0 1+1x4 5+0x9` is
 * 0,1,2,3,4,5 then ten samples of 5. One sample per evaluation step.
 */
export function counterValues(segments: readonly CounterSegment[]): string {
  let value = 0;
  const parts = ['0'];
  for (const { steps, increment } of segments) {
    if (steps <= 0) continue;
    const first = value + increment;
    parts.push(`${first}+${increment}x${steps - 1}`);
    value = first + increment * (steps - 1);
  }
  return parts.join(' ');
}

/** Renders the `{{ $labels.x }}` templates of an alert's annotations as Prometheus would for these labels. */
export function expectedAlert(rule: AlertingRule, seriesLabels: Record<string, string>): ExpectedAlert {
  const labels = { ...seriesLabels, ...rule.labels };
  const render = (text: string) =>
    text.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, name: string) => labels[name as keyof typeof labels] ?? '');
  return {
    exp_labels: labels,
    exp_annotations: {
      summary: render(rule.annotations.summary),
      description: render(rule.annotations.description),
      runbook_url: rule.annotations.runbook_url,
    },
  };
}

/** `90` steps of `5m` -> `450m`: promtool takes eval_time as a duration from the start. */
export const atStep = (step: number, intervalSeconds: number): string => `${(step * intervalSeconds) / 60}m`;
