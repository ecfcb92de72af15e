import { monitoringStack } from '@homelab/platform';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Construct } from 'constructs';
import { addObject } from './api-object.ts';

/** The shape `@homelab/observability`'s `prometheusRules()` returns: one entry per PrometheusRule object. */
export interface RuleFile {
  readonly name: string;
  readonly groups: ReadonlyArray<{ readonly name: string; readonly rules: readonly object[] }>;
}

export interface PrometheusRulesProps {
  readonly ruleFiles: readonly RuleFile[];
}

/** The observability package's recording and alerting rules as PrometheusRule objects the operator loads. */
export class PrometheusRules extends Construct {
  constructor(scope: Construct, id: string, props: PrometheusRulesProps) {
    super(scope, id);
    const seen = new Set<string>();
    for (const file of props.ruleFiles) {
      if (seen.has(file.name)) throw new Error(`PrometheusRule "${file.name}" is defined twice`);
      seen.add(file.name);
      addObject(
        this,
        file.name,
        new PrometheusRule({
          metadata: { name: file.name, labels: { ...monitoringStack.releaseLabel } },
          spec: { groups: file.groups.map((g) => ({ name: g.name, rules: g.rules as never })) },
        }),
      );
    }
  }
}
