import { addOnRequests, canary, edge, footprintBudget, footprintPeakBudget, namespaces } from '@homelab/platform';
import { type K8sObject, podTemplateOf } from './manifests.ts';

/** CPU in millicores from a Kubernetes quantity ("50m", "0.5", "1"). */
export const cpuMillis = (quantity: string | undefined): number => {
  if (!quantity) return 0;
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  return Number(quantity) * 1000;
};

const memoryUnits: Record<string, number> = {
  Ki: 1 / 1024,
  Mi: 1,
  Gi: 1024,
  K: 1000 / 1024 ** 2,
  M: 1e6 / 1024 ** 2,
  G: 1e9 / 1024 ** 2,
};

/** Memory in MiB from a Kubernetes quantity ("96Mi", "1Gi", "512M", bytes). */
export const memoryMiB = (quantity: string | undefined): number => {
  if (!quantity) return 0;
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(quantity);
  if (!match) throw new Error(`memory quantity "${quantity}" is not understood`);
  const [, value, unit = ''] = match;
  if (unit === '') return Number(value) / 1024 ** 2;
  const factor = memoryUnits[unit];
  if (factor === undefined) throw new Error(`memory unit "${unit}" is not understood`);
  return Number(value) * factor;
};

export type FootprintGroup = 'apps' | 'data' | 'edge' | 'jobs (transient)' | 'add-ons';

export interface FootprintRow {
  readonly group: FootprintGroup;
  readonly workload: string;
  readonly replicas: number;
  /** Per replica. */
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

const groupOf = (o: K8sObject): FootprintGroup | undefined => {
  if (o.kind === 'Job' || o.kind === 'CronJob') return 'jobs (transient)';
  if (o.metadata.namespace === namespaces.apps) return 'apps';
  if (o.metadata.namespace === namespaces.data) return 'data';
  if (o.metadata.namespace === namespaces.edge) return 'edge';
  return undefined;
};

// biome-ignore lint/suspicious/noExplicitAny: containers are read as untyped JSON.
const requestsOf = (containers: any[]) => ({
  cpuMillis: containers.reduce((sum, c) => sum + cpuMillis(c.resources?.requests?.cpu), 0),
  memoryMiB: containers.reduce((sum, c) => sum + memoryMiB(c.resources?.requests?.memory), 0),
});

/**
 * Every workload's requests at its minimum replica count, read from the synthesized objects: HPA-owned
 * Deployments at `minReplicas`, canaries at 0, StatefulSets at `replicas`, Envoy proxies from the EnvoyProxy
 * objects (plus Envoy Gateway's shutdown-manager sidecar), and the add-ons from their pinned chart values.
 */
export const footprint = (objects: readonly K8sObject[]): FootprintRow[] => {
  const rows: FootprintRow[] = [];
  for (const o of objects) {
    const group = groupOf(o);
    const template = podTemplateOf(o);
    if (template && group) {
      const hpa = objects.find(
        (h) =>
          h.kind === 'HorizontalPodAutoscaler' &&
          h.metadata.namespace === o.metadata.namespace &&
          h.spec.scaleTargetRef.kind === o.kind &&
          h.spec.scaleTargetRef.name === o.metadata.name,
      );
      const replicas = o.kind === 'Job' || o.kind === 'CronJob' ? 1 : (hpa?.spec.minReplicas ?? o.spec.replicas ?? 1);
      rows.push({ group, workload: `${o.kind}/${o.metadata.name}`, replicas, ...requestsOf(template.spec.containers) });
    }
    if (o.kind === 'EnvoyProxy') {
      const deployment = o.spec.provider.kubernetes.envoyDeployment;
      const envoy = requestsOf([deployment.container]);
      rows.push({
        group: 'edge',
        workload: `envoy/${o.metadata.name}`,
        replicas: deployment.replicas ?? 1,
        cpuMillis: envoy.cpuMillis + cpuMillis(edge.shutdownManagerRequests.cpu),
        memoryMiB: envoy.memoryMiB + memoryMiB(edge.shutdownManagerRequests.memory),
      });
    }
  }
  for (const a of addOnRequests) {
    rows.push({
      group: 'add-ons',
      workload: `${a.chart}/${a.pod} (${a.source})`,
      replicas: a.replicas,
      cpuMillis: a.cpuMillis,
      memoryMiB: a.memoryMiB,
    });
  }
  return rows;
};

/** A rolling update's surge (`maxSurge`, a count or a percentage of `replicas`, rounded up; default 25 %). */
const surgeOf = (o: K8sObject, replicas: number): number => {
  if (o.kind !== 'Deployment' || o.spec.strategy?.type === 'Recreate') return 0;
  const surge = o.spec.strategy?.rollingUpdate?.maxSurge ?? '25%';
  return typeof surge === 'number' ? surge : Math.ceil((replicas * Number.parseFloat(surge)) / 100);
};

/**
 * Every workload at the most pods it can run at once: HPA-owned Deployments at `maxReplicas` plus their rollout
 * surge, each canary at the count a deploy gives it (the canary-gate cluster driver: one less than the stable
 * minimum, at least one), StatefulSets at `replicas`, every Job and CronJob running (x parallelism), the proxies
 * and add-ons as at the minimum.
 */
export const footprintAtPeak = (objects: readonly K8sObject[]): FootprintRow[] =>
  footprint(objects).map((row) => {
    const [kind, name] = row.workload.split('/');
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name && podTemplateOf(x));
    if (!o) return row;
    if (o.kind === 'Job' || o.kind === 'CronJob') {
      const spec = o.kind === 'Job' ? o.spec : o.spec.jobTemplate?.spec;
      return { ...row, replicas: spec?.parallelism ?? 1 };
    }
    const hpa = objects.find(
      (h) =>
        h.kind === 'HorizontalPodAutoscaler' &&
        h.metadata.namespace === o.metadata.namespace &&
        h.spec.scaleTargetRef.name === o.metadata.name,
    );
    if (hpa) return { ...row, replicas: hpa.spec.maxReplicas + surgeOf(o, hpa.spec.maxReplicas) };
    if (o.kind === 'Deployment' && o.metadata.name.endsWith(canary.suffix)) {
      const stableHpa = objects.find(
        (h) =>
          h.kind === 'HorizontalPodAutoscaler' &&
          h.metadata.namespace === o.metadata.namespace &&
          h.spec.scaleTargetRef.name === o.metadata.name.slice(0, -canary.suffix.length),
      );
      return { ...row, replicas: Math.max(1, (stableHpa?.spec.minReplicas ?? 1) - 1) };
    }
    return row;
  });

export const totals = (rows: readonly FootprintRow[], groups: readonly FootprintGroup[]) =>
  rows
    .filter((r) => groups.includes(r.group))
    .reduce(
      (t, r) => ({
        cpuMillis: t.cpuMillis + r.cpuMillis * r.replicas,
        memoryMiB: t.memoryMiB + r.memoryMiB * r.replicas,
      }),
      {
        cpuMillis: 0,
        memoryMiB: 0,
      },
    );

/** The steady-state platform the budget covers: apps, data and edge at minimum replicas. */
export const budgetedGroups: readonly FootprintGroup[] = ['apps', 'data', 'edge'];

export const withinBudget = (rows: readonly FootprintRow[]): boolean => {
  const t = totals(rows, budgetedGroups);
  return t.cpuMillis <= footprintBudget.cpuMillis && t.memoryMiB <= footprintBudget.memoryMiB;
};

/** The report as text: one line per workload, subtotals per group, the budget verdict. */
export const formatFootprint = (rows: readonly FootprintRow[], peak?: readonly FootprintRow[]): string => {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const lines = [
    `${'group'.padEnd(18)}${'workload'.padEnd(62)}${pad('replicas', 9)}${pad('cpu (m)', 10)}${pad('memory (Mi)', 13)}`,
  ];
  const groups: FootprintGroup[] = ['apps', 'data', 'edge', 'jobs (transient)', 'add-ons'];
  for (const group of groups) {
    for (const r of rows.filter((x) => x.group === group)) {
      lines.push(
        `${group.padEnd(18)}${r.workload.padEnd(62)}${pad(r.replicas, 9)}${pad(r.cpuMillis * r.replicas, 10)}${pad(Math.round(r.memoryMiB * r.replicas), 13)}`,
      );
    }
    const t = totals(rows, [group]);
    lines.push(
      `${''.padEnd(18)}${`subtotal ${group}`.padEnd(62)}${pad('', 9)}${pad(t.cpuMillis, 10)}${pad(Math.round(t.memoryMiB), 13)}`,
    );
  }
  const b = totals(rows, budgetedGroups);
  const all = totals(rows, ['apps', 'data', 'edge', 'add-ons']);
  const jobs = rows.filter((r) => r.group === 'jobs (transient)');
  lines.push(
    '',
    `apps + data + edge: ${b.cpuMillis}m CPU, ${Math.round(b.memoryMiB)} Mi requested; budget ${footprintBudget.cpuMillis}m / ${footprintBudget.memoryMiB} Mi: ${withinBudget(rows) ? 'fits' : 'DOES NOT FIT'} (${Math.round((100 * b.cpuMillis) / footprintBudget.cpuMillis)} % CPU, ${Math.round((100 * b.memoryMiB) / footprintBudget.memoryMiB)} % memory)`,
    `with add-ons: ${all.cpuMillis}m CPU, ${Math.round(all.memoryMiB)} Mi; a running job adds up to ${Math.max(0, ...jobs.map((r) => r.cpuMillis))}m / ${Math.max(0, ...jobs.map((r) => r.memoryMiB))} Mi`,
  );
  if (peak) {
    const p = totals(peak, ['apps', 'data', 'edge', 'jobs (transient)', 'add-ons']);
    const fits = p.cpuMillis <= footprintPeakBudget.cpuMillis && p.memoryMiB <= footprintPeakBudget.memoryMiB;
    lines.push(
      `at peak (HPA maximums + surge, a canary per app, every job, add-ons): ${p.cpuMillis}m CPU, ${Math.round(p.memoryMiB)} Mi; peak budget ${footprintPeakBudget.cpuMillis}m / ${footprintPeakBudget.memoryMiB} Mi: ${fits ? 'fits' : 'DOES NOT FIT'} (${Math.round((100 * p.cpuMillis) / footprintPeakBudget.cpuMillis)} % CPU, ${Math.round((100 * p.memoryMiB) / footprintPeakBudget.memoryMiB)} % memory)`,
    );
  }
  return lines.join('\n');
};
