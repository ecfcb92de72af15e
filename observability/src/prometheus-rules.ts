import { appNames } from '@homelab/platform';
import type { RuleGroup } from './alert-rule.ts';
import { certificateAlerts } from './alerts/certificates.ts';
import { dataStoreAlerts } from './alerts/data-stores.ts';
import { dnsAlerts } from './alerts/dns.ts';
import { envoyAlerts } from './alerts/envoy.ts';
import { kubernetesAlerts } from './alerts/kubernetes.ts';
import { monitoringAlerts } from './alerts/monitoring.ts';
import { sloRuleGroup } from './slo-rules.ts';

/** One PrometheusRule: its metadata.name and spec.groups. The same groups are written as a plain rule file. */
export interface RuleSet {
  name: string;
  groups: RuleGroup[];
}

/**
 * Every rule of the platform: one set per service's SLOs, then one per platform component. C's manifests turn
 * each set into a PrometheusRule; `generate` writes each to `dist/rules/<name>.yaml` for promtool and the local
 * Prometheus.
 */
export function prometheusRules(): RuleSet[] {
  const slo = appNames.map((service) => ({ name: `slo-${service}`, groups: [sloRuleGroup(service)] }));
  const platform = [
    certificateAlerts(),
    kubernetesAlerts(),
    dnsAlerts(),
    dataStoreAlerts(),
    envoyAlerts(),
    monitoringAlerts(),
  ].map((group) => ({ name: group.name, groups: [group] }));
  return [...slo, ...platform];
}
