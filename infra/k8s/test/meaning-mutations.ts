import { data, edge, namespaces, secretNames } from '@homelab/platform';
import { find, type K8sObject } from '../src/manifests.ts';
import type { Mutation } from './mutations.ts';

/**
 * The classes of issue 17 (source mutations that passed every proof because the proofs checked names, not
 * meaning): each guard has several cases of its own, on different objects, and none of them is caught by a guard
 * that existed before (the mutation table shows it: `node infra/k8s/scripts/mutate.ts`).
 */

const backup = (o: K8sObject[]) => find(o, 'CronJob', 'postgres-backup', namespaces.data);
const restore = (o: K8sObject[]) => find(o, 'Job', 'postgres-restore', namespaces.data);
const podSpec = (o: K8sObject[], kind: string, name: string, ns: string) => {
  const w = find(o, kind, name, ns);
  return kind === 'CronJob' ? w.spec.jobTemplate.spec.template.spec : w.spec.template.spec;
};
const container = (o: K8sObject[], kind: string, name: string, ns: string, index = 0) =>
  podSpec(o, kind, name, ns).containers[index];
const publicHosts = (o: K8sObject[]) => find(o, 'Certificate', edge.public.tlsSecretName).spec.dnsNames as string[];
const policy = (o: K8sObject[], name: string) => find(o, 'NetworkPolicy', name);

export const meaningMutations: readonly Mutation[] = [
  // Jobs that run when they must not, CronJobs that never fire or overlap.
  {
    name: 'un-suspend the restore Job (every apply restores the newest dump)',
    caughtBy: ['oneShotJobsSuspended'],
    apply: (o) => {
      restore(o).spec.suspend = false;
    },
  },
  {
    name: 'drop suspend from the restore Job (absent means run)',
    caughtBy: ['oneShotJobsSuspended'],
    apply: (o) => {
      delete restore(o).spec.suspend;
    },
  },
  {
    name: 'a backup schedule that never fires (30 February)',
    caughtBy: ['cronJobsFireInTime'],
    apply: (o) => {
      backup(o).spec.schedule = '15 3 30 2 *';
    },
  },
  {
    name: 'a backup schedule that fires once in four years (29 February)',
    caughtBy: ['cronJobsFireInTime'],
    apply: (o) => {
      backup(o).spec.schedule = '15 3 29 2 *';
    },
  },
  {
    name: 'a monthly backup behind a weekly retention (every dump deleted before the next)',
    caughtBy: ['cronJobsFireInTime'],
    apply: (o) => {
      backup(o).spec.schedule = '15 3 1 * *';
    },
  },
  {
    name: 'backups that may run twice at once (concurrencyPolicy Allow)',
    caughtBy: ['cronJobsNeverOverlap'],
    apply: (o) => {
      backup(o).spec.concurrencyPolicy = 'Allow';
    },
  },
  {
    name: 'drop concurrencyPolicy from the backup (the default allows overlap)',
    caughtBy: ['cronJobsNeverOverlap'],
    apply: (o) => {
      delete backup(o).spec.concurrencyPolicy;
    },
  },
  {
    name: 'a backup run allowed to last past the next fire time',
    caughtBy: ['cronJobsNeverOverlap'],
    apply: (o) => {
      backup(o).spec.jobTemplate.spec.activeDeadlineSeconds = 2 * 24 * 3600;
    },
  },
  // Certificates that do not name what the listener serves.
  {
    name: 'drop the API hostname from the public certificate',
    caughtBy: ['certificatesCoverHostnames'],
    apply: (o) => {
      const c = find(o, 'Certificate', edge.public.tlsSecretName);
      c.spec.dnsNames = publicHosts(o).slice(0, 1);
    },
  },
  {
    name: 'serve a hostname on the HTTPS listener that the certificate does not name',
    caughtBy: ['certificatesCoverHostnames'],
    apply: (o) => {
      find(o, 'HTTPRoute', 'web', namespaces.apps).spec.hostnames.push(`status.${publicHosts(o)[0]}`);
    },
  },
  {
    name: 'attach a route without hostnames to the HTTPS listener (serves any name)',
    caughtBy: ['certificatesCoverHostnames'],
    apply: (o) => {
      delete find(o, 'HTTPRoute', 'gateway', namespaces.apps).spec.hostnames;
    },
  },
  // Names, keys and files a container reads that nothing provides.
  {
    name: 'read an env var from a ConfigMap key nobody writes (api)',
    caughtBy: ['configReferencesResolve'],
    apply: (o) => {
      container(o, 'Deployment', 'api', namespaces.apps).env.push({
        name: 'LOG_LEVEL',
        valueFrom: { configMapKeyRef: { name: 'api-config', key: 'LOG_LEVELS' } },
      });
    },
  },
  {
    name: 'read an env var from a ConfigMap that does not exist (web)',
    caughtBy: ['configReferencesResolve'],
    apply: (o) => {
      container(o, 'Deployment', 'web', namespaces.apps).env.push({
        name: 'LOG_LEVEL',
        valueFrom: { configMapKeyRef: { name: 'web-settings', key: 'LOG_LEVEL' } },
      });
    },
  },
  {
    name: 'read a backup setting from a ConfigMap key nobody writes (data tier)',
    caughtBy: ['configReferencesResolve'],
    apply: (o) => {
      container(o, 'CronJob', 'postgres-backup', namespaces.data).env.push({
        name: 'BACKUP_DIR',
        valueFrom: { configMapKeyRef: { name: 'postgres-restore', key: 'BACKUP_DIR' } },
      });
    },
  },
  {
    name: 'point the gateway at a JWT file its Secret does not have',
    caughtBy: ['configReferencesResolve'],
    apply: (o) => {
      const cm = find(o, 'ConfigMap', 'gateway-config', namespaces.apps);
      cm.data.JWT_SECRET_FILE = cm.data.JWT_SECRET_FILE.replace(/\/[^/]+$/, '/jwt');
    },
  },
  {
    name: 'point PostgreSQL at a password file its Secret does not have (data tier)',
    caughtBy: ['configReferencesResolve'],
    apply: (o) => {
      const env = container(o, 'StatefulSet', 'postgres', namespaces.data).env;
      const e = env.find((x: { name: string }) => x.name.endsWith('_FILE'));
      e.value = e.value.replace(/\/[^/]+$/, '/passwd');
    },
  },
  {
    name: 'drop the credentials mount from the postgres exporter (its DATA_SOURCE_PASS_FILE dangles)',
    caughtBy: ['configReferencesResolve'],
    apply: (o) => {
      const exporter = container(o, 'StatefulSet', 'postgres', namespaces.data, 1);
      exporter.volumeMounts = exporter.volumeMounts.filter((m: { name: string }) => m.name !== secretNames.postgres);
    },
  },
  // Allowed flows beyond the needed ones.
  {
    name: 'let the API reach every Redis port (the exporter too)',
    caughtBy: ['allowedFlowsEqualNeeded'],
    apply: (o) => {
      delete policy(o, 'api-to-redis-egress').spec.egress[0].ports;
      delete policy(o, 'api-to-redis-ingress').spec.ingress[0].ports;
    },
  },
  {
    name: 'DNS for every pod of the data namespace (PostgreSQL and Redis resolve nothing)',
    caughtBy: ['allowedFlowsEqualNeeded'],
    apply: (o) => {
      policy(o, 'dns-postgres-backup-egress').spec.podSelector = {};
    },
  },
  {
    name: "let web call the gateway's canary pods (web uses the stable Service)",
    caughtBy: ['allowedFlowsEqualNeeded'],
    apply: (o) => {
      delete policy(o, 'web-to-gateway-egress').spec.egress[0].to[0].podSelector.matchLabels['homelab.dev/track'];
      delete policy(o, 'web-to-gateway-ingress').spec.podSelector.matchLabels['homelab.dev/track'];
    },
  },
  {
    name: 'let Prometheus reach the PostgreSQL client port, not only the exporter',
    caughtBy: ['allowedFlowsEqualNeeded'],
    apply: (o) => {
      policy(o, 'prometheus-to-postgres-exporter-ingress').spec.ingress[0].ports.push({
        port: data.postgres.port,
        protocol: 'TCP',
      });
    },
  },
  // Probe timing against the progress deadline.
  {
    name: 'a readiness delay past the progress deadline (web)',
    caughtBy: ['probesFitProgressDeadline'],
    apply: (o) => {
      container(o, 'Deployment', 'web', namespaces.apps).readinessProbe.initialDelaySeconds = 700;
    },
  },
  {
    name: 'a canary startup allowance longer than its progress deadline (api-canary)',
    caughtBy: ['probesFitProgressDeadline'],
    apply: (o) => {
      container(o, 'Deployment', 'api-canary', namespaces.apps).startupProbe.failureThreshold = 60;
    },
  },
  // The footprint at peak.
  {
    name: 'an HPA maximum the node cannot hold (web)',
    caughtBy: ['footprintFitsAtPeak'],
    apply: (o) => {
      find(o, 'HorizontalPodAutoscaler', 'web', namespaces.apps).spec.maxReplicas = 20;
    },
  },
  {
    name: 'a backup Job too big to schedule beside the platform at peak',
    caughtBy: ['footprintFitsAtPeak'],
    apply: (o) => {
      const r = container(o, 'CronJob', 'postgres-backup', namespaces.data).resources;
      r.requests.memory = '1Gi';
      r.limits.memory = '1Gi';
    },
  },
  // Services and their pods.
  {
    name: 'a stable Service that also selects the canary pods (web)',
    caughtBy: ['servicesSelectDisjointPods'],
    apply: (o) => {
      delete find(o, 'Service', 'web', namespaces.apps).spec.selector['homelab.dev/track'];
    },
  },
  {
    name: 'a canary Service that also selects the stable pods (api)',
    caughtBy: ['servicesSelectDisjointPods'],
    apply: (o) => {
      delete find(o, 'Service', 'api-canary', namespaces.apps).spec.selector['homelab.dev/track'];
    },
  },
  {
    name: "a StatefulSet's Service that is not headless (postgres)",
    caughtBy: ['statefulSetsHaveHeadlessService'],
    apply: (o) => {
      delete find(o, 'Service', 'postgres', namespaces.data).spec.clusterIP;
    },
  },
  {
    name: 'a StatefulSet whose serviceName names no Service (redis)',
    caughtBy: ['statefulSetsHaveHeadlessService'],
    apply: (o) => {
      find(o, 'StatefulSet', 'redis', namespaces.data).spec.serviceName = 'redis-headless';
    },
  },
  // The gateway's /metrics wants METRICS_TOKEN (ADR 0122): its scrape must present that very Secret key.
  {
    name: "the gateway's PodMonitor scrapes without the bearer token",
    caughtBy: ['metricsScrapesCarryToken'],
    apply: (o) => {
      delete find(o, 'PodMonitor', 'gateway', namespaces.apps).spec.podMetricsEndpoints[0].authorization;
    },
  },
  {
    name: "the gateway's PodMonitor presents another Secret's key (the JWT secret)",
    caughtBy: ['metricsScrapesCarryToken'],
    apply: (o) => {
      find(o, 'PodMonitor', 'gateway', namespaces.apps).spec.podMetricsEndpoints[0].authorization.credentials = {
        name: secretNames.gatewayJwt,
        key: 'secret',
      };
    },
  },
  {
    name: "the gateway's PodMonitor names a Secret key nobody writes",
    caughtBy: ['metricsScrapesCarryToken'],
    apply: (o) => {
      find(o, 'PodMonitor', 'gateway', namespaces.apps).spec.podMetricsEndpoints[0].authorization.credentials.key =
        'bearer';
    },
  },
  // Envoy resending a request a pod may already have applied (issue 17's audit).
  {
    name: 'retry the api route after a reset (a POST to a pod killed mid-request is applied twice)',
    caughtBy: ['sentRequestsNeverRetried'],
    apply: (o) => {
      find(o, 'BackendTrafficPolicy', 'api').spec.retry.retryOn.triggers.push('reset');
    },
  },
  {
    name: 'retry the gateway route on a 503 answer (retriable-status-codes)',
    caughtBy: ['sentRequestsNeverRetried'],
    apply: (o) => {
      find(o, 'BackendTrafficPolicy', 'gateway').spec.retry.retryOn = {
        triggers: ['connect-failure', 'retriable-status-codes'],
        httpStatusCodes: [503],
      };
    },
  },
  {
    name: "drop retryOn from the web route (Envoy Gateway's default retries a 503)",
    caughtBy: ['sentRequestsNeverRetried'],
    apply: (o) => {
      delete find(o, 'BackendTrafficPolicy', 'web').spec.retry.retryOn;
    },
  },
  // Issue 17's audit: a backup that never fires, and a prototype name taken for a ConfigMap key.
  {
    name: 'suspend the backup CronJob (it never fires)',
    caughtBy: ['cronJobsActive'],
    apply: (o) => {
      backup(o).spec.suspend = true;
    },
  },
  {
    name: 'a backup startingDeadlineSeconds below 10 s (may never be scheduled)',
    caughtBy: ['cronJobsActive'],
    apply: (o) => {
      backup(o).spec.startingDeadlineSeconds = 5;
    },
  },
  {
    name: 'read an env var from a ConfigMap key named constructor (an Object.prototype name)',
    caughtBy: ['configReferencesResolve'],
    apply: (o) => {
      const c = container(o, 'Deployment', 'api', namespaces.apps);
      c.env = [
        ...(c.env ?? []),
        { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'api-config', key: 'constructor' } } },
      ];
    },
  },
  {
    name: 'read an env var from a ConfigMap key named toString (web)',
    caughtBy: ['configReferencesResolve'],
    apply: (o) => {
      const c = container(o, 'Deployment', 'web', namespaces.apps);
      c.env = [
        ...(c.env ?? []),
        { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'toString' } } },
      ];
    },
  },
];
