import { edge, namespaces } from '@homelab/platform';
import { find, type K8sObject } from '../src/manifests.ts';
import type { Mutation } from './mutations.ts';

const container = (o: K8sObject[], kind: string, name: string, namespace: string) =>
  find(o, kind, name, namespace).spec.template.spec.containers[0];

/**
 * The classes independent mutations of the cdk8s sources found passing every test (issue 10): relational values and
 * fields the schema calls optional but the object needs; and flows whose only expectation was the list that made them. Several examples per class, on different kinds, so a proof
 * that only handles the first example fails here.
 */
export const classMutations: readonly Mutation[] = [
  {
    name: 'a memory limit below its request (api)',
    caughtBy: ['limitsCoverRequests'],
    apply: (o) => {
      container(o, 'Deployment', 'api', namespaces.apps).resources.limits.memory = '1Mi';
    },
  },
  {
    name: 'an ephemeral-storage limit below its request (postgres)',
    caughtBy: ['limitsCoverRequests'],
    apply: (o) => {
      const r = container(o, 'StatefulSet', 'postgres', namespaces.data).resources;
      r.limits['ephemeral-storage'] = '1Ki';
    },
  },
  {
    name: 'a certificate renewed no earlier than it expires',
    caughtBy: ['certificateTiming'],
    apply: (o) => {
      find(o, 'Certificate', edge.public.tlsSecretName).spec.renewBefore = '24h';
    },
  },
  {
    name: 'a certificate shorter than cert-manager allows',
    caughtBy: ['certificateTiming'],
    apply: (o) => {
      const c = find(o, 'Certificate', edge.public.tlsSecretName).spec;
      c.duration = '30m';
      c.renewBefore = '10m';
    },
  },
  {
    name: 'a preStop sleep as long as the grace period (web)',
    caughtBy: ['gracePeriodCoversPreStop'],
    apply: (o) => {
      const d = find(o, 'Deployment', 'web', namespaces.apps).spec.template.spec;
      d.containers[0].lifecycle.preStop.sleep.seconds = d.terminationGracePeriodSeconds ?? 30;
    },
  },
  {
    name: 'an HPA whose minimum exceeds its maximum',
    caughtBy: ['hpaBoundsOrdered'],
    apply: (o) => {
      const h = find(o, 'HorizontalPodAutoscaler', 'web').spec;
      h.minReplicas = h.maxReplicas + 1;
    },
  },
  {
    name: 'a volume claim template with no storage request (postgres)',
    caughtBy: ['requiredOptionalFields'],
    apply: (o) => {
      delete find(o, 'StatefulSet', 'postgres', namespaces.data).spec.volumeClaimTemplates[0].spec.resources;
    },
  },
  {
    name: 'a volume claim template with no access mode (redis)',
    caughtBy: ['requiredOptionalFields'],
    apply: (o) => {
      delete find(o, 'StatefulSet', 'redis', namespaces.data).spec.volumeClaimTemplates[0].spec.accessModes;
    },
  },
  {
    name: 'a container with no CPU request (gateway)',
    caughtBy: ['requiredOptionalFields'],
    apply: (o) => {
      delete container(o, 'Deployment', 'gateway', namespaces.apps).resources.requests.cpu;
    },
  },
  // Circular expectations: a flow deleted from the list the policies are generated from takes both its policies
  // and its `realFlowsAllowed` expectation with it; the connection is still made by what the objects say.
  ...(
    [
      ['prometheus -> postgres exporter', ['prometheus-to-postgres-exporter-ingress']],
      ['migration -> postgres', ['migration-to-postgres-egress', 'migration-to-postgres-ingress']],
      ['public proxy -> web', ['public-proxy-to-web-ingress', 'public-proxy-to-web-egress']],
    ] as const
  ).map(
    ([flow, policies]): Mutation => ({
      name: `drop the flow ${flow} from the flow list (its policies go with it)`,
      caughtBy: ['dependencyFlowsAllowed'],
      apply: (o) => {
        for (const name of policies) o.splice(o.indexOf(find(o, 'NetworkPolicy', name)), 1);
      },
    }),
  ),
];
