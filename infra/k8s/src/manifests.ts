import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One Kubernetes object as it appears in the synthesized YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are untyped JSON; each guard narrows what it reads.
  [field: string]: any;
}

/** The committed output directory, infra/k8s/dist. */
export const distDir = new URL('../dist/', import.meta.url).pathname;

/** Parses every document of every `*.k8s.yaml` file in `dir`. */
export const loadManifests = (dir: string = distDir): K8sObject[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.k8s.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
        .map((doc) => doc.toJSON() as K8sObject | null)
        .filter((o): o is K8sObject => o !== null),
    );

export const objectId = (o: K8sObject): string =>
  `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** A deep copy, so a mutation case never changes the objects another test reads. */
export const cloneObjects = (objects: readonly K8sObject[]): K8sObject[] => structuredClone(objects) as K8sObject[];

export const find = (objects: readonly K8sObject[], kind: string, name: string, namespace?: string): K8sObject => {
  const found = objects.find(
    (o) =>
      o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (!found) throw new Error(`no ${kind} ${namespace ?? '*'}/${name} in the manifests`);
  return found;
};

/** Workload kinds and where their pod template sits. */
// biome-ignore lint/suspicious/noExplicitAny: pod specs are read as untyped JSON by the guards.
type PodSpecJson = any;
export const podTemplateOf = (
  o: K8sObject,
): { metadata?: { labels?: Record<string, string> }; spec: PodSpecJson } | undefined => {
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'Job':
      return o.spec?.template;
    case 'CronJob':
      return o.spec?.jobTemplate?.spec?.template;
    default:
      return undefined;
  }
};

export const workloads = (objects: readonly K8sObject[]): K8sObject[] => objects.filter((o) => podTemplateOf(o));
