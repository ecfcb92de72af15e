import { podIdentity, project } from '@homelab/platform';
import { type K8sObject, objectId, podTemplateOf, workloads } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';

/** Volume types the Pod Security Standards' "restricted" profile allows. */
const restrictedVolumeTypes = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** Sysctls the "baseline" profile (and so "restricted") allows. */
const safeSysctls = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const allowedSeLinuxTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** The "baseline" checks that apply to a pod-level or container-level security context alike. */
// biome-ignore lint/suspicious/noExplicitAny: security contexts are read as untyped JSON.
const contextProblems = (ctx: any, where: string): string[] => {
  const problems: string[] = [];
  const se = ctx.seLinuxOptions;
  if (se && (!allowedSeLinuxTypes.has(se.type ?? '') || se.user || se.role)) problems.push(`${where}: SELinux options`);
  if (ctx.appArmorProfile?.type === 'Unconfined') problems.push(`${where}: AppArmor unconfined`);
  if (ctx.windowsOptions?.hostProcess) problems.push(`${where}: Windows hostProcess`);
  if (ctx.seccompProfile?.type === 'Unconfined') problems.push(`${where}: seccomp unconfined`);
  if (ctx.procMount && ctx.procMount !== 'Default') problems.push(`${where}: procMount ${ctx.procMount}`);
  return problems;
};

// biome-ignore lint/suspicious/noExplicitAny: pod specs are read as untyped JSON.
const allContainers = (spec: any): any[] => [
  ...(spec.initContainers ?? []),
  ...(spec.containers ?? []),
  ...(spec.ephemeralContainers ?? []),
];

/**
 * The Pod Security Standards "restricted" profile (Kubernetes 1.30+), checked per workload as the admission
 * controller would check its pods.
 */
export const podSecurityRestricted: Guard = (objects) =>
  workloads(objects).flatMap((o) => {
    const spec = podTemplateOf(o)?.spec ?? {};
    const id = objectId(o);
    const problems: string[] = [];
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (spec[field]) problems.push(`${id}: ${field}`);
    }
    for (const volume of spec.volumes ?? []) {
      const type = Object.keys(volume).find((k) => k !== 'name');
      if (!type || !restrictedVolumeTypes.has(type)) problems.push(`${id}: volume ${volume.name} of type ${type}`);
    }
    const podContext = spec.securityContext ?? {};
    if (podContext.runAsUser === 0) problems.push(`${id}: pod runAsUser 0`);
    problems.push(...contextProblems(podContext, `${id}: pod`));
    for (const sysctl of podContext.sysctls ?? []) {
      if (!safeSysctls.has(sysctl.name)) problems.push(`${id}: unsafe sysctl ${sysctl.name}`);
    }
    for (const c of allContainers(spec)) {
      const ctx = c.securityContext ?? {};
      const where = `${id}: container ${c.name}`;
      problems.push(...contextProblems(ctx, where));
      if (ctx.privileged) problems.push(`${where}: privileged`);
      if (ctx.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (!(ctx.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
      for (const cap of ctx.capabilities?.add ?? []) {
        if (cap !== 'NET_BIND_SERVICE') problems.push(`${where}: adds capability ${cap}`);
      }
      if ((ctx.runAsNonRoot ?? podContext.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if (ctx.runAsUser === 0) problems.push(`${where}: runAsUser 0`);
      const seccomp = (ctx.seccompProfile ?? podContext.seccompProfile)?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where}: seccompProfile ${seccomp}`);
      for (const port of c.ports ?? []) if (port.hostPort) problems.push(`${where}: hostPort ${port.hostPort}`);
    }
    return problems;
  });

const thirdPartyPin = /^[^@\s]+:[^@:\s]+@sha256:[0-9a-f]{64}$/;
const secretLikeName = /(PASSWORD|SECRET|TOKEN|API_?KEY|CREDENTIAL)/i;

/**
 * The rest of the workload checklist: non-root identity >= 10000, read-only root, no token, requests and a
 * memory limit, ephemeral storage, probes, pinned images and no secret values in env.
 */
export const workloadHygiene: Guard = (objects) =>
  workloads(objects).flatMap((o: K8sObject) => {
    const spec = podTemplateOf(o)?.spec ?? {};
    const id = objectId(o);
    const isService = o.kind === 'Deployment' || o.kind === 'StatefulSet';
    const problems: string[] = [];
    if (spec.automountServiceAccountToken !== false) problems.push(`${id}: mounts a ServiceAccount token`);
    if (!spec.serviceAccountName || spec.serviceAccountName === 'default')
      problems.push(`${id}: no dedicated ServiceAccount`);
    if (o.metadata.namespace === undefined || o.metadata.namespace === 'default')
      problems.push(`${id}: default namespace`);
    const podContext = spec.securityContext ?? {};
    for (const c of allContainers(spec)) {
      const ctx = c.securityContext ?? {};
      const where = `${id}: container ${c.name}`;
      const uid = ctx.runAsUser ?? podContext.runAsUser;
      const gid = ctx.runAsGroup ?? podContext.runAsGroup;
      if (!(uid >= podIdentity.uid) || !(gid >= podIdentity.gid))
        problems.push(`${where}: uid/gid ${uid}/${gid} < 10000`);
      if (ctx.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
      const { requests = {}, limits = {} } = c.resources ?? {};
      for (const r of ['cpu', 'memory', 'ephemeral-storage'])
        if (!requests[r]) problems.push(`${where}: no ${r} request`);
      for (const r of ['memory', 'ephemeral-storage']) if (!limits[r]) problems.push(`${where}: no ${r} limit`);
      if (isService) {
        if (!c.readinessProbe) problems.push(`${where}: no readiness probe`);
        if (!c.livenessProbe) problems.push(`${where}: no liveness probe`);
        if (c.readinessProbe && JSON.stringify(c.readinessProbe) === JSON.stringify(c.livenessProbe)) {
          problems.push(`${where}: liveness probe identical to readiness`);
        }
      }
      const image: string = c.image ?? '';
      const own = image.startsWith(`${project.imageRepository}/`);
      if (own ? !/:[^:/@]+$/.test(image) || image.endsWith(':latest') : !thirdPartyPin.test(image)) {
        problems.push(`${where}: image ${image} is not pinned (${own ? 'tag' : 'tag and digest'})`);
      }
      if (image.includes(':latest')) problems.push(`${where}: image uses latest`);
      for (const env of c.env ?? []) {
        // `*_FILE` variables hold the path of a mounted Secret, which is the recommended form.
        if (env.value !== undefined && secretLikeName.test(env.name) && !env.name.endsWith('_FILE'))
          problems.push(`${where}: secret-like ${env.name} inline`);
      }
    }
    return problems;
  });

/** Rolling behaviour of the stateless apps: no capacity lost during a rollout, preStop sleep, grace for drain. */
export const zeroDowntimeRollouts: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'Deployment')
    .flatMap((o) => {
      const id = objectId(o);
      const spec = o.spec.template.spec;
      const problems: string[] = [];
      if (o.spec.strategy?.rollingUpdate?.maxUnavailable !== 0) problems.push(`${id}: maxUnavailable is not 0`);
      for (const c of spec.containers) {
        const sleep = c.lifecycle?.preStop?.sleep?.seconds;
        if (!sleep) problems.push(`${id}: container ${c.name} has no native preStop sleep`);
        else if (!(spec.terminationGracePeriodSeconds > sleep))
          problems.push(`${id}: grace period does not cover preStop`);
      }
      if (!spec.topologySpreadConstraints?.length && !spec.affinity?.podAntiAffinity) {
        problems.push(`${id}: no topology spread or anti-affinity`);
      }
      return problems;
    });

/** Namespaces holding workloads enforce "restricted". */
export const namespacesEnforceRestricted: Guard = (objects) => {
  const used = new Set(workloads(objects).map((o) => o.metadata.namespace));
  return objects
    .filter((o) => o.kind === 'Namespace' && used.has(o.metadata.name))
    .flatMap((ns) =>
      ns.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'restricted'
        ? []
        : [`${objectId(ns)}: does not enforce restricted`],
    );
};
