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
  // Issue 17's classes: the server accepts every one of them (a schedule is only parsed, 30 February included; a
  // suspended Job may be resumed; references and timing are nobody's business at admission), except where a field
  // is immutable on the live object.
  'un-suspend the restore Job (every apply restores the newest dump)': 'accepted',
  'drop suspend from the restore Job (absent means run)': 'accepted',
  'a backup schedule that never fires (30 February)': 'accepted',
  'a backup schedule that fires once in four years (29 February)': 'accepted',
  'a monthly backup behind a weekly retention (every dump deleted before the next)': 'accepted',
  'backups that may run twice at once (concurrencyPolicy Allow)': 'accepted',
  'drop concurrencyPolicy from the backup (the default allows overlap)': 'accepted',
  'a backup run allowed to last past the next fire time': 'accepted',
  'drop the API hostname from the public certificate': 'accepted',
  'serve a hostname on the HTTPS listener that the certificate does not name': 'accepted',
  'attach a route without hostnames to the HTTPS listener (serves any name)': 'accepted',
  'read an env var from a ConfigMap key nobody writes (api)': 'accepted',
  'read an env var from a ConfigMap that does not exist (web)': 'accepted',
  'read a backup setting from a ConfigMap key nobody writes (data tier)': 'accepted',
  'point the gateway at a JWT file its Secret does not have': 'accepted',
  'point PostgreSQL at a password file its Secret does not have (data tier)': 'accepted',
  'drop the credentials mount from the postgres exporter (its DATA_SOURCE_PASS_FILE dangles)': 'accepted',
  'let the API reach every Redis port (the exporter too)': 'accepted',
  'DNS for every pod of the data namespace (PostgreSQL and Redis resolve nothing)': 'accepted',
  "let web call the gateway's canary pods (web uses the stable Service)": 'accepted',
  'let Prometheus reach the PostgreSQL client port, not only the exporter': 'accepted',
  'a readiness delay past the progress deadline (web)': 'accepted',
  'a canary startup allowance longer than its progress deadline (api-canary)': 'accepted',
  'an HPA maximum the node cannot hold (web)': 'accepted',
  'a backup Job too big to schedule beside the platform at peak': 'accepted',
  'a stable Service that also selects the canary pods (web)': 'accepted',
  'a canary Service that also selects the stable pods (api)': 'accepted',
  // An omitted clusterIP is filled from the live object (the registry keeps allocated values), so the live
  // Service stays headless: only a first install would get a ClusterIP Service.
  "a StatefulSet's Service that is not headless (postgres)": 'accepted',
  // A StatefulSet's serviceName is immutable.
  'a StatefulSet whose serviceName names no Service (redis)': 'refused',
  // A PodMonitor's authorization is schema-valid whatever Secret and key it names: the server cannot know which
  // key the gateway reads its token from (metricsScrapesCarryToken does).
  "the gateway's PodMonitor scrapes without the bearer token": 'accepted',
  "the gateway's PodMonitor presents another Secret's key (the JWT secret)": 'accepted',
  "the gateway's PodMonitor names a Secret key nobody writes": 'accepted',
  // The retry and CronJob-timing classes: every value is inside the CRD's and the API's enums and bounds (a
  // `reset` trigger, a 503 retry, no retryOn at all, suspend, a 5 s starting deadline), so only the offline guards
  // stop them; a ConfigMap key named after an Object.prototype member is just a string to the server.
  'retry the api route after a reset (a POST to a pod killed mid-request is applied twice)': 'accepted',
  'retry the gateway route on a 503 answer (retriable-status-codes)': 'accepted',
  "drop retryOn from the web route (Envoy Gateway's default retries a 503)": 'accepted',
  'suspend the backup CronJob (it never fires)': 'accepted',
  'a backup startingDeadlineSeconds below 10 s (may never be scheduled)': 'accepted',
  'read an env var from a ConfigMap key named constructor (an Object.prototype name)': 'accepted',
  'read an env var from a ConfigMap key named toString (web)': 'accepted',
};
