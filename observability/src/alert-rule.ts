import { runbookUrl } from '@homelab/platform';

/** A Prometheus alerting rule, shaped as in a rule file and a PrometheusRule's spec.groups[].rules[]. */
export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export interface AlertSpec {
  /** PascalCase with the component prefix, e.g. `PostgresDown`. */
  readonly name: string;
  /** The runbook directory: `runbooks/<component>/<name>.md`. */
  readonly component: string;
  readonly expr: string;
  /** Omitted for alerts that must fire on the first evaluation (the Watchdog). */
  readonly for?: string;
  readonly severity: 'page' | 'ticket' | 'none';
  readonly summary: string;
  readonly description: string;
  readonly labels?: Record<string, string>;
}

/**
 * Builds an alerting rule; `runbook_url` always comes from the alert name through `runbookUrl`, so an alert and
 * its runbook cannot drift apart by a typo.
 */
export function alertRule(spec: AlertSpec): AlertingRule {
  return {
    alert: spec.name,
    expr: spec.expr,
    ...(spec.for ? { for: spec.for } : {}),
    labels: { severity: spec.severity, component: spec.component, ...spec.labels },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: runbookUrl(spec.component, spec.name),
    },
  };
}

export const isAlertingRule = (rule: Rule): rule is AlertingRule => 'alert' in rule;
