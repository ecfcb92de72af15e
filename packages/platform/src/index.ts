// The platform's facts. Every other package imports them from here; nothing else repeats a port, a name or a
// version as a literal. Groups (README.md says what each holds and who reads it): apps, service levels,
// operations, cluster, identity, versions.
export * from './api-implementation.ts'; // apps: the API's implementation (TypeScript or Go), its image
export * from './api-keys.ts'; // identity: API-key hashing
export * from './apps.ts'; // apps: the three services, ports, replicas, resources, SLOs
export * from './auth.ts'; // identity: web users, the gateway's identity token
export * from './bootstrap.ts'; // identity: bootstrap credentials
export * from './canary.ts'; // service levels: the canary gate's stages and tests
export * from './cluster.ts'; // cluster: namespaces, domain, certificates, local addresses
export * from './data.ts'; // cluster: the data tier
export * from './failure-modes.ts'; // operations: failure modes and triage checks
export * from './http.ts'; // apps: public paths, timeouts, shutdown
export * from './images.ts'; // apps: what each image carries and runs (Dockerfile, local builder, compose)
export * from './k8s.ts'; // cluster: labels, security contexts, probes, canary and edge wiring, RBAC
export * from './runbooks.ts'; // operations: runbook paths and URLs
export * from './sli.ts'; // service levels: which requests count
export * from './slo-alerting.ts'; // service levels: burn-rate tiers
export * from './slos.ts'; // service levels: SLO specs and buckets
export * from './versions.ts'; // versions: every pinned tool, image and chart
