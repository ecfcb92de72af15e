import { runbookPath } from '@homelab/platform';
import type { TriageCheck } from './scenario.ts';

/**
 * The runbook each drill's failure mode points at, with the triage check that confirms it. Alert runbooks are
 * reused where an alert covers the failure; the others are the failure-mode runbooks the triage package lists
 * (`failureModes` in packages/platform on the triage branch: same component/name pairs). When that lands, these
 * entries become references to it.
 */
const mode = (component: string, name: string, triageCheck: TriageCheck) => ({
  path: runbookPath(component, name),
  triageCheck,
});

export const drillRunbooks = {
  apiAvailability: mode('api', 'ApiAvailabilityErrorBudgetBurn', 'net'),
  gatewayAvailability: mode('gateway', 'GatewayAvailabilityErrorBudgetBurn', 'net'),
  gatewayLatency: mode('gateway', 'GatewayLatencyErrorBudgetBurn', 'cpu'),
  crashLooping: mode('kubernetes', 'KubePodCrashLooping', 'k8s'),
  oomKilled: mode('kubernetes', 'KubeContainerOOMKilled', 'mem'),
  redisDown: mode('redis', 'RedisDown', 'net'),
  postgresDown: mode('postgres', 'PostgresDown', 'net'),
  certificate: mode('tls', 'TlsCertificateInvalid', 'cert'),
  certificateExpiring: mode('cert-manager', 'CertManagerCertificateExpiringSoon', 'cert'),
  podPending: mode('kubernetes', 'KubePodPending', 'k8s'),
  noEndpoints: mode('kubernetes', 'KubeServiceWithoutEndpoints', 'endpoints'),
  pvcPending: mode('kubernetes', 'KubePersistentVolumeClaimPending', 'k8s'),
  rolloutStuck: mode('kubernetes', 'KubeDeploymentRolloutStuck', 'k8s'),
  coreDnsErrors: mode('coredns', 'CoreDNSErrorsHigh', 'dns'),
} as const;
