import { data, edge, namespaces } from '@homelab/platform';
import { find, type K8sObject } from '../src/manifests.ts';
import { classMutations } from './class-mutations.ts';
import { meaningMutations } from './meaning-mutations.ts';

/** A way to break the output that matters, and the guard(s) expected to catch it. */
export interface Mutation {
  readonly name: string;
  readonly caughtBy: readonly string[];
  readonly apply: (objects: K8sObject[]) => void;
}

const apiDeployment = (o: K8sObject[]) => find(o, 'Deployment', 'api', namespaces.apps);
const apiContainer = (o: K8sObject[]) => apiDeployment(o).spec.template.spec.containers[0];

export const mutations: readonly Mutation[] = [
  {
    name: 'drop the API readiness probe',
    caughtBy: ['workloadHygiene'],
    apply: (o) => {
      delete apiContainer(o).readinessProbe;
    },
  },
  {
    name: 'point a probe at an undeclared port',
    caughtBy: ['probesTargetDeclaredPorts'],
    apply: (o) => {
      apiContainer(o).livenessProbe.httpGet.port = 'metrics';
    },
  },
  {
    name: 'mismatch the web Service selector',
    caughtBy: ['servicesSelectPods'],
    apply: (o) => {
      find(o, 'Service', 'web', namespaces.apps).spec.selector['app.kubernetes.io/name'] = 'webb';
    },
  },
  {
    name: 'mismatch a Deployment selector and its template',
    caughtBy: ['workloadSelectorsMatchTemplates', 'servicesSelectPods'],
    apply: (o) => {
      apiDeployment(o).spec.template.metadata.labels['homelab.dev/track'] = 'canary-ish';
    },
  },
  {
    name: 'remove the api -> postgres NetworkPolicy allow',
    caughtBy: ['realFlowsAllowed'],
    apply: (o) => {
      const i = o.findIndex((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'api-to-postgres-ingress');
      o.splice(i, 1);
    },
  },
  {
    name: 'widen the postgres allow to every pod of the app namespace (web -> postgres)',
    caughtBy: ['forbiddenFlowsDenied'],
    apply: (o) => {
      for (const name of ['api-to-postgres-ingress', 'api-to-postgres-egress']) {
        const np = find(o, 'NetworkPolicy', name);
        if (np.spec.ingress) np.spec.ingress[0].from[0].podSelector = {};
        else np.spec.podSelector = {};
      }
    },
  },
  {
    name: 'run the API as root',
    caughtBy: ['podSecurityRestricted', 'workloadHygiene'],
    apply: (o) => {
      const spec = apiDeployment(o).spec.template.spec;
      spec.securityContext.runAsUser = 0;
      spec.securityContext.runAsNonRoot = false;
      spec.containers[0].securityContext.runAsUser = 0;
      spec.containers[0].securityContext.runAsNonRoot = false;
    },
  },
  {
    name: 'allow privilege escalation',
    caughtBy: ['podSecurityRestricted'],
    apply: (o) => {
      apiContainer(o).securityContext.allowPrivilegeEscalation = true;
    },
  },
  {
    name: 'mount a hostPath volume',
    caughtBy: ['podSecurityRestricted'],
    apply: (o) => {
      apiDeployment(o).spec.template.spec.volumes.push({ name: 'host', hostPath: { path: '/var/run' } });
    },
  },
  {
    name: 'set an unsafe sysctl on Redis',
    caughtBy: ['podSecurityRestricted'],
    apply: (o) => {
      const pod = find(o, 'StatefulSet', 'redis', namespaces.data).spec.template.spec;
      pod.securityContext.sysctls = [{ name: 'net.core.somaxconn', value: '1024' }];
    },
  },
  {
    name: 'unpin the postgres image (tag only)',
    caughtBy: ['workloadHygiene'],
    apply: (o) => {
      const c = find(o, 'StatefulSet', 'postgres', namespaces.data).spec.template.spec.containers[0];
      c.image = c.image.split('@')[0];
    },
  },
  {
    name: 'use a latest app image',
    caughtBy: ['workloadHygiene'],
    apply: (o) => {
      apiContainer(o).image = apiContainer(o).image.replace(/:[^:]+$/, ':latest');
    },
  },
  {
    name: 'typo a field (spec.replica)',
    caughtBy: ['schemas'],
    apply: (o) => {
      find(o, 'StatefulSet', 'redis', namespaces.data).spec.replica = 1;
    },
  },
  {
    name: 'typo a field of an Envoy Gateway policy',
    caughtBy: ['schemas'],
    apply: (o) => {
      find(o, 'BackendTrafficPolicy', 'api').spec.retry.retryon = { triggers: ['reset'] };
    },
  },
  {
    name: 'point the HPA at a renamed Deployment',
    caughtBy: ['hpaTargetsExist'],
    apply: (o) => {
      find(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef.name = 'api-v2';
    },
  },
  {
    name: 'truncate a Grafana dashboard',
    caughtBy: ['configMapsLoadable'],
    apply: (o) => {
      const cm = o.find((x) => x.kind === 'ConfigMap' && x.metadata.labels?.grafana_dashboard === '1');
      if (!cm) throw new Error('no dashboard ConfigMap in the manifests');
      const key = Object.keys(cm.data)[0] ?? '';
      cm.data[key] = cm.data[key].slice(0, 100);
    },
  },
  {
    name: 'read a Secret nobody creates',
    caughtBy: ['secretReferencesKnown'],
    apply: (o) => {
      const volume = apiDeployment(o).spec.template.spec.volumes.find((v: { secret?: unknown }) => v.secret);
      volume.secret.secretName = 'api-db';
    },
  },
  {
    name: 'drop the memory request the HPA scales on',
    caughtBy: ['hpaTargetsExist'],
    apply: (o) => {
      delete apiContainer(o).resources.requests.memory;
    },
  },
  {
    name: 'serve the listener from a Secret no Certificate writes',
    caughtBy: ['listenerCertificatesIssued'],
    apply: (o) => {
      find(o, 'Certificate', edge.public.tlsSecretName).spec.secretName = 'other-tls';
    },
  },
  {
    name: 'route to a port the Service does not have',
    caughtBy: ['routesResolve'],
    apply: (o) => {
      find(o, 'HTTPRoute', 'api').spec.rules[0].backendRefs[0].port = data.postgres.port;
    },
  },
  {
    name: 'a PodDisruptionBudget that permits no disruption',
    caughtBy: ['pdbsPermitDisruption'],
    apply: (o) => {
      find(o, 'PodDisruptionBudget', 'web').spec.maxUnavailable = 0;
    },
  },
  {
    name: 'a rollout that may drop capacity',
    caughtBy: ['zeroDowntimeRollouts'],
    apply: (o) => {
      find(o, 'Deployment', 'web').spec.strategy.rollingUpdate.maxUnavailable = 1;
    },
  },
  {
    name: 'mount the ServiceAccount token',
    caughtBy: ['workloadHygiene'],
    apply: (o) => {
      apiDeployment(o).spec.template.spec.automountServiceAccountToken = true;
    },
  },
  {
    name: 'lower the app namespace below restricted',
    caughtBy: ['namespacesEnforceRestricted'],
    apply: (o) => {
      const labels = find(o, 'Namespace', namespaces.apps).metadata.labels ?? {};
      labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    },
  },
  {
    name: 'scrape a port the pods do not declare',
    caughtBy: ['monitorsSelectPods'],
    apply: (o) => {
      find(o, 'PodMonitor', 'postgres').spec.podMetricsEndpoints[0].port = 'metric';
    },
  },
  {
    name: 'attach a traffic policy to a route that does not exist',
    caughtBy: ['edgeReferencesResolve'],
    apply: (o) => {
      find(o, 'BackendTrafficPolicy', 'api').spec.targetRefs[0].name = 'apis';
    },
  },
  {
    name: 'issue the gateway certificate from a missing issuer',
    caughtBy: ['edgeReferencesResolve'],
    apply: (o) => {
      find(o, 'Certificate', edge.public.tlsSecretName).spec.issuerRef.name = 'homelab-ca-old';
    },
  },
  {
    name: 'point the API at a Redis port nobody serves',
    caughtBy: ['configUrlsResolve'],
    apply: (o) => {
      const cm = find(o, 'ConfigMap', 'api-config');
      cm.data.REDIS_URL = cm.data.REDIS_URL.replace(/:\d+$/, ':6380');
    },
  },
  {
    name: 'let the gateway call the API directly, around the internal Gateway',
    caughtBy: ['configUrlsResolve'],
    apply: (o) => {
      find(o, 'ConfigMap', 'gateway-config').data.API_URL =
        `http://api.${namespaces.apps}.svc.cluster.local:${find(o, 'Service', 'api').spec.ports[0].port}`;
    },
  },
  {
    name: 'let the deployer read Secrets',
    caughtBy: ['rbacLeastPrivilege'],
    apply: (o) => {
      find(o, 'Role', 'homelab-deployer').rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] });
    },
  },
  {
    name: 'let the deployer patch every Deployment',
    caughtBy: ['rbacLeastPrivilege'],
    apply: (o) => {
      delete find(o, 'Role', 'homelab-deployer').rules[1].resourceNames;
    },
  },
  {
    name: 'point an alert at a runbook that does not exist',
    caughtBy: ['runbooksExist'],
    apply: (o) => {
      const rule = o.find(
        (x) =>
          x.kind === 'PrometheusRule' &&
          x.spec.groups.some((g: { rules: { alert?: string }[] }) => g.rules.some((r) => r.alert)),
      );
      if (!rule) throw new Error('no PrometheusRule with an alert in the manifests');
      const alert = rule.spec.groups
        .flatMap((g: { rules: { alert?: string }[] }) => g.rules)
        .find((r: { alert?: string }) => r.alert);
      alert.annotations.runbook_url = alert.annotations.runbook_url.replace(/\.md$/, '-missing.md');
    },
  },
  {
    name: 'ignore a checker without a reason',
    caughtBy: ['exemptionsHaveReasons'],
    apply: (o) => {
      const annotations = find(o, 'Deployment', 'web').metadata.annotations ?? {};
      annotations['kube-score/ignore'] += ',pod-probes';
    },
  },
  // The mutation classes of issue 10, in their own file.
  ...classMutations,
  // The classes of issue 17: meaning, not names.
  ...meaningMutations,
];
