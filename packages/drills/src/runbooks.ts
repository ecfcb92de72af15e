import { type AlertRef, platformAlert, sloAlert } from '@homelab/observability';
import { failureModes, runbookPath, type TriageCheck } from '@homelab/platform';

/**
 * The runbook each drill's failure mode points at, with the triage check that confirms it here. Every name comes
 * from its owner: alerts from observability's rules (a renamed alert throws at import), failure modes without an
 * alert from packages/platform's `failureModes`. The check is the drill's own choice: a local OOM kill is
 * confirmed from the cgroup (`mem`), while the failure mode's default check is the cluster's (`k8s`).
 */
const mode = (ref: AlertRef, triageCheck: TriageCheck) => ({ path: runbookPath(ref.component, ref.name), triageCheck });

export const drillRunbooks = {
  apiAvailability: mode(sloAlert('api', 'availability'), 'net'),
  gatewayAvailability: mode(sloAlert('gateway', 'availability'), 'net'),
  gatewayLatency: mode(sloAlert('gateway', 'latency'), 'cpu'),
  crashLooping: mode(failureModes.podCrashLooping, 'k8s'),
  oomKilled: mode(failureModes.containerOomKilled, 'mem'),
  redisDown: mode(platformAlert('RedisDown'), 'net'),
  postgresDown: mode(platformAlert('PostgresDown'), 'net'),
  certificate: mode(failureModes.tlsCertificate, 'cert'),
  certificateExpiring: mode(platformAlert('CertManagerCertificateExpiringSoon'), 'cert'),
  podPending: mode(failureModes.podPending, 'k8s'),
  nodeNotReady: mode(failureModes.nodeNotReady, 'k8s'),
  noEndpoints: mode(failureModes.serviceWithoutEndpoints, 'endpoints'),
  pvcPending: mode(failureModes.pvcPending, 'k8s'),
  rolloutStuck: mode(failureModes.deploymentShort, 'k8s'),
  coreDnsErrors: mode(platformAlert('CoreDNSErrorsHigh'), 'dns'),
} as const;
