/**
 * Failure modes that have a runbook but no alert of their own: what `homelab triage` finds and what drills break.
 * Their runbooks sit beside the alert runbooks (`runbooks/<component>/<Name>.md`, same sections), and the runbook
 * test holds every entry here to a file and every file to an alert or an entry here. `check` is the
 * `homelab triage <check>` that confirms the failure mode; alert runbooks a check confirms are listed too, so a
 * finding links them through the same object.
 */
/** The `homelab triage <check>` names (packages/triage implements them; drills and failure modes name them). */
export const triageChecks = ['cpu', 'mem', 'fds', 'net', 'dns', 'cert', 'k8s', 'endpoints'] as const;
export type TriageCheck = (typeof triageChecks)[number];

export interface FailureMode {
  readonly component: string;
  readonly name: string;
  /** The triage check that confirms it. */
  readonly check: TriageCheck;
  /** True when the runbook belongs to an alert (observability owns it); false when only triage and drills use it. */
  readonly alert: boolean;
}

export const failureModes = {
  hostCpuSaturated: { component: 'host', name: 'HostCpuSaturated', check: 'cpu', alert: false },
  hostIoWait: { component: 'host', name: 'HostIoWaitHigh', check: 'cpu', alert: false },
  hostMemoryPressure: { component: 'host', name: 'HostMemoryPressure', check: 'mem', alert: false },
  hostOomKill: { component: 'host', name: 'HostOomKill', check: 'mem', alert: false },
  hostFdLeak: { component: 'host', name: 'HostFileDescriptorLeak', check: 'fds', alert: false },
  hostTimeWait: { component: 'host', name: 'HostTcpTimeWaitPileUp', check: 'net', alert: false },
  dnsResolution: { component: 'dns', name: 'DnsResolutionFailing', check: 'dns', alert: false },
  tlsCertificate: { component: 'tls', name: 'TlsCertificateInvalid', check: 'cert', alert: false },
  podCrashLooping: { component: 'kubernetes', name: 'KubePodCrashLooping', check: 'k8s', alert: true },
  containerOomKilled: { component: 'kubernetes', name: 'KubeContainerOOMKilled', check: 'k8s', alert: true },
  podNotReady: { component: 'kubernetes', name: 'KubePodNotReady', check: 'k8s', alert: false },
  podPending: { component: 'kubernetes', name: 'KubePodPending', check: 'k8s', alert: false },
  deploymentShort: { component: 'kubernetes', name: 'KubeDeploymentRolloutStuck', check: 'k8s', alert: true },
  pvcPending: { component: 'kubernetes', name: 'KubePersistentVolumeClaimPending', check: 'k8s', alert: false },
  nodeNotReady: { component: 'kubernetes', name: 'KubeNodeNotReady', check: 'k8s', alert: false },
  hpaMaxedOut: { component: 'kubernetes', name: 'KubeHpaMaxedOut', check: 'k8s', alert: true },
  hpaWithoutMetrics: { component: 'kubernetes', name: 'KubeHpaWithoutMetrics', check: 'k8s', alert: false },
  certificateNotReady: { component: 'cert-manager', name: 'CertManagerCertificateNotReady', check: 'k8s', alert: true },
  gatewayNotAccepted: { component: 'gateway-api', name: 'GatewayApiNotAccepted', check: 'k8s', alert: false },
  serviceWithoutEndpoints: {
    component: 'kubernetes',
    name: 'KubeServiceWithoutEndpoints',
    check: 'endpoints',
    alert: false,
  },
} as const satisfies Record<string, FailureMode>;

export type FailureModeId = keyof typeof failureModes;
