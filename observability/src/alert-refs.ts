import { type AppName, apps } from '@homelab/platform';
import { isAlertingRule } from './alert-rule.ts';
import { prometheusRules } from './prometheus-rules.ts';
import { burnRateAlertName } from './slo-rules.ts';

/** An alert as something else refers to it (a drill, a runbook link): the pair its runbook path is built from. */
export interface AlertRef {
  readonly component: string;
  readonly name: string;
}

let byName: Map<string, AlertRef> | undefined;

/**
 * The alert named `name` from the rules observability generates, so a caller that names an alert (the drills)
 * cannot drift from the definition: a renamed or removed alert throws here, at import time of the caller, not in
 * a runbook link that 404s later.
 */
export function platformAlert(name: string): AlertRef {
  byName ??= new Map(
    prometheusRules()
      .flatMap((set) => set.groups.flatMap((group) => group.rules))
      .filter(isAlertingRule)
      .map((rule) => [rule.alert, { component: rule.labels.component ?? '', name: rule.alert }]),
  );
  const ref = byName.get(name);
  if (!ref) throw new Error(`no alert named "${name}" in observability's rules`);
  return ref;
}

/** The page/ticket burn-rate alert of one SLO of one service (`sloName` as in packages/platform's apps). */
export function sloAlert(service: AppName, sloName: string): AlertRef {
  const slo = apps[service].slos.find((s) => s.name === sloName);
  if (!slo) throw new Error(`${service} has no SLO named "${sloName}"`);
  return platformAlert(burnRateAlertName(service, slo));
}
