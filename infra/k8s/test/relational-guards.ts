import { type K8sObject, objectId, podTemplateOf } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';

/**
 * Relations between values that no schema expresses, and fields a schema calls optional that the object cannot
 * work without. Each rule is about the kind of object, not the one example that found the class.
 */

const units: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes quantity ("250m", "1.5Gi", "2") as a number; undefined when it is not one. */
export const quantity = (q: string | number | undefined): number | undefined => {
  if (q === undefined) return undefined;
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(q));
  if (!m) return undefined;
  return Number(m[1]) * (units[m[2] ?? ''] ?? Number.NaN);
};

/** A Go duration ("24h", "1h30m", "90s") in seconds; undefined when it is not one. */
export const durationSeconds = (d: string | undefined): number | undefined => {
  if (!d) return undefined;
  const parts = [...d.matchAll(/([0-9.]+)(h|m|s)/g)];
  if (parts.map((p) => p[0]).join('') !== d) return undefined;
  return parts.reduce((s, [, n, u]) => s + Number(n) * (u === 'h' ? 3600 : u === 'm' ? 60 : 1), 0);
};

// biome-ignore lint/suspicious/noExplicitAny: containers are read as untyped JSON
type Container = any;
const containersOf = (o: K8sObject): Container[] => {
  const spec = podTemplateOf(o)?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
};

/** Every limit at least its request (the API server refuses this on pods; on a template only at pod creation). */
export const limitsCoverRequests: Guard = (objects) =>
  objects.flatMap((o) =>
    containersOf(o).flatMap((c) =>
      Object.entries((c.resources?.limits ?? {}) as Record<string, string>).flatMap(([resource, limit]) => {
        const request = quantity(c.resources?.requests?.[resource]);
        const l = quantity(limit);
        return request !== undefined && l !== undefined && l < request
          ? [
              `${objectId(o)} container ${c.name}: ${resource} limit ${limit} < request ${c.resources.requests[resource]}`,
            ]
          : [];
      }),
    ),
  );

/** The pod's grace period outlasts the preStop sleep, or the kubelet kills the pod mid-drain. */
export const gracePeriodCoversPreStop: Guard = (objects) =>
  objects.flatMap((o) => {
    const spec = podTemplateOf(o)?.spec;
    if (!spec) return [];
    const grace = spec.terminationGracePeriodSeconds ?? 30;
    return containersOf(o).flatMap((c) => {
      const sleep = c.lifecycle?.preStop?.sleep?.seconds;
      return sleep !== undefined && sleep >= grace
        ? [`${objectId(o)} container ${c.name}: preStop sleep ${sleep}s >= terminationGracePeriodSeconds ${grace}`]
        : [];
    });
  });

/**
 * cert-manager's own rules, which only its webhook enforces (not running on this cluster, not in any schema):
 * duration at least 1h, renewBefore below the duration; and ours: renew with at least a third of the lifetime left.
 */
export const certificateTiming: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'Certificate')
    .flatMap((o) => {
      const duration = durationSeconds(o.spec.duration ?? '2160h');
      const renewBefore = durationSeconds(o.spec.renewBefore);
      if (duration === undefined) return [`${objectId(o)}: duration ${o.spec.duration} is not a duration`];
      const problems: string[] = [];
      if (duration < 3600) problems.push(`${objectId(o)}: duration ${o.spec.duration} below cert-manager's 1h minimum`);
      if (o.spec.renewBefore !== undefined) {
        if (renewBefore === undefined)
          problems.push(`${objectId(o)}: renewBefore ${o.spec.renewBefore} is not a duration`);
        else if (renewBefore >= duration)
          problems.push(`${objectId(o)}: renewBefore ${o.spec.renewBefore} >= duration ${o.spec.duration}`);
        else if (renewBefore < duration / 3)
          problems.push(`${objectId(o)}: renewBefore ${o.spec.renewBefore} leaves under a third of ${o.spec.duration}`);
      }
      return problems;
    });

/** HPA bounds in order; an HPA whose minimum exceeds its maximum never settles. */
export const hpaBoundsOrdered: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'HorizontalPodAutoscaler')
    .flatMap((o) =>
      (o.spec.minReplicas ?? 1) > o.spec.maxReplicas
        ? [`${objectId(o)}: minReplicas ${o.spec.minReplicas} > maxReplicas ${o.spec.maxReplicas}`]
        : [],
    );

/**
 * Optional in the schema, required in practice: a claim template without a storage request or access mode never
 * binds; a container without requests cannot be scheduled fairly or autoscaled.
 */
export const requiredOptionalFields: Guard = (objects) =>
  objects.flatMap((o) => {
    const problems: string[] = [];
    for (const t of o.kind === 'StatefulSet' ? (o.spec.volumeClaimTemplates ?? []) : []) {
      const name = `${objectId(o)} volumeClaimTemplate ${t.metadata?.name}`;
      if (quantity(t.spec?.resources?.requests?.storage) === undefined) problems.push(`${name}: no storage request`);
      if (!t.spec?.accessModes?.length) problems.push(`${name}: no access mode`);
    }
    for (const c of containersOf(o)) {
      for (const r of ['cpu', 'memory'])
        if (quantity(c.resources?.requests?.[r]) === undefined)
          problems.push(`${objectId(o)} container ${c.name}: no ${r} request`);
    }
    return problems;
  });

export const relationalGuards: Record<string, Guard> = {
  limitsCoverRequests,
  gracePeriodCoversPreStop,
  certificateTiming,
  hpaBoundsOrdered,
  requiredOptionalFields,
};
