import type { Verdict } from './cluster/server-verdict.ts';

/**
 * What the real API server (strict server-side apply, dry-run, against the live objects) does with each mutation
 * case of mutations.ts, checked by cluster/on-cluster.test.ts. `refused` and `warned` cases have the
 * server as a second line of defence; every `accepted` one reaches the cluster unless its offline proof catches it,
 * which is why those proofs exist. Pod Security on a workload (not a Pod) only warns: the pods would then be refused
 * at creation by the ReplicaSet controller, long after `apply` reported success.
 */
export const expectedServerVerdicts: Record<string, Verdict> = {
  'drop the API readiness probe': 'accepted',
  'point a probe at an undeclared port': 'accepted',
  'mismatch the web Service selector': 'accepted',
  // `selector` does not match template `labels`, and a Deployment's selector is immutable besides.
  'mismatch a Deployment selector and its template': 'refused',
  'remove the api -> postgres NetworkPolicy allow': 'accepted',
  'widen the postgres allow to every pod of the app namespace (web -> postgres)': 'accepted',
  'run the API as root': 'warned',
  'allow privilege escalation': 'warned',
  'mount a hostPath volume': 'warned',
  'set an unsafe sysctl on Redis': 'warned',
  'unpin the postgres image (tag only)': 'accepted',
  'use a latest app image': 'accepted',
  // fieldValidation=Strict: an unknown field is an error, for built-in kinds and for CRDs alike (server-side apply
  // answers 500 "failed to create typed patch object" here, not 422).
  'typo a field (spec.replica)': 'refused',
  'typo a field of an Envoy Gateway policy': 'refused',
  'point the HPA at a renamed Deployment': 'accepted',
  'truncate a Grafana dashboard': 'accepted',
  'read a Secret nobody creates': 'accepted',
  'drop the memory request the HPA scales on': 'accepted',
  'serve the listener from a Secret no Certificate writes': 'accepted',
  'route to a port the Service does not have': 'accepted',
  'a PodDisruptionBudget that permits no disruption': 'accepted',
  'a rollout that may drop capacity': 'accepted',
  'mount the ServiceAccount token': 'accepted',
  'lower the app namespace below restricted': 'accepted',
  'scrape a port the pods do not declare': 'accepted',
  'attach a traffic policy to a route that does not exist': 'accepted',
  'issue the gateway certificate from a missing issuer': 'accepted',
  'point the API at a Redis port nobody serves': 'accepted',
  'let the gateway call the API directly, around the internal Gateway': 'accepted',
  'let the deployer read Secrets': 'accepted',
  'let the deployer patch every Deployment': 'accepted',
  'point an alert at a runbook that does not exist': 'accepted',
  'ignore a checker without a reason': 'accepted',
  // The mutation classes: the server refuses a limit below its request only when it validates a pod (the template
  // of a Deployment is validated as a pod template, so it refuses here too); everything else only a controller,
  // a webhook that does not run here, or the offline proof would notice.
  'a memory limit below its request (api)': 'refused',
  'an ephemeral-storage limit below its request (postgres)': 'refused',
  'a certificate renewed no earlier than it expires': 'accepted',
  'a certificate shorter than cert-manager allows': 'accepted',
  'a preStop sleep as long as the grace period (web)': 'accepted',
  'an HPA whose minimum exceeds its maximum': 'refused',
  // Refused against the live StatefulSet because claim templates are immutable; on a first install the offline
  // proof is what stands in the way.
  'a volume claim template with no storage request (postgres)': 'refused',
  'a volume claim template with no access mode (redis)': 'refused',
  'a container with no CPU request (gateway)': 'accepted',
  'drop the flow prometheus -> postgres exporter from the flow list (its policies go with it)': 'accepted',
  'drop the flow migration -> postgres from the flow list (its policies go with it)': 'accepted',
  'drop the flow public proxy -> web from the flow list (its policies go with it)': 'accepted',
};
