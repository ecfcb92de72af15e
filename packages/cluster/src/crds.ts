import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { versions } from '@homelab/platform';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube.ts';

/** Every CRD under the directory scripts/k8s-tools.sh filled from the pinned modules (gateway-api/, cert-manager/, ...). */
export const loadCrds = (dir: string): KubeObject[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) =>
      readdirSync(join(dir, d.name))
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .flatMap((f) => parseAllDocuments(readFileSync(join(dir, d.name, f), 'utf8')).map((doc) => doc.toJSON())),
    )
    .filter((o): o is KubeObject => o?.kind === 'CustomResourceDefinition');

const strip = (v: string) => v.replace(/^v/, '');

/**
 * What each CRD says about the release it came from, against the pins in versions.json. The module version the
 * files were downloaded at is the pin by construction (go.sum/sumdb check the zip); this checks the files inside
 * agree, so a wrong path in the tools script (another chart's CRDs) cannot pass as the pinned ones.
 */
export const crdVersionProblems = (crds: readonly KubeObject[], dir: string): string[] => {
  const problems: string[] = [];
  const pins = {
    'github.com/envoyproxy/gateway': versions.charts.envoyGateway.version,
    'github.com/cert-manager/cert-manager': versions.charts.certManager.version,
    'github.com/prometheus-operator/prometheus-operator': versions.charts.kubePrometheusStack.prometheusOperator,
  };
  const fetched = Object.fromEntries(
    readFileSync(join(dir, 'versions.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
  for (const [mod, pin] of Object.entries(pins)) {
    if (fetched[mod] !== pin) problems.push(`${mod}: fetched ${fetched[mod] ?? 'nothing'}, pinned ${pin}`);
  }
  const groups = new Set(crds.map((c) => c.spec.group as string));
  for (const g of ['gateway.networking.k8s.io', 'gateway.envoyproxy.io', 'cert-manager.io', 'monitoring.coreos.com']) {
    if (!groups.has(g)) problems.push(`no CRD of group ${g}`);
  }
  for (const c of crds) {
    const labels = c.metadata.labels ?? {};
    const annotations = (c.metadata.annotations ?? {}) as Record<string, string>;
    if (c.spec.group === 'cert-manager.io' || c.spec.group === 'acme.cert-manager.io') {
      const v = labels['app.kubernetes.io/version'];
      if (v !== undefined && strip(v) !== strip(pins['github.com/cert-manager/cert-manager']))
        problems.push(`${c.metadata.name}: cert-manager ${v}, pinned ${pins['github.com/cert-manager/cert-manager']}`);
    }
    if (c.spec.group === 'monitoring.coreos.com') {
      const v = annotations['operator.prometheus.io/version'];
      const pin = pins['github.com/prometheus-operator/prometheus-operator'];
      if (v === undefined || strip(v) !== strip(pin)) problems.push(`${c.metadata.name}: operator ${v}, pinned ${pin}`);
    }
  }
  return problems;
};
