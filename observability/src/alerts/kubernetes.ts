import { alertRule, type RuleGroup } from '../alert-rule.ts';

const component = 'kubernetes';

/**
 * Workload health from kube-state-metrics and the kubelet. None of these page on their own: a user-visible
 * effect shows up in the SLO burn-rate alerts, which do page. The exception is a volume about to fill up, which
 * takes PostgreSQL down with no warning in the error ratio.
 */
export function kubernetesAlerts(): RuleGroup {
  return {
    name: 'platform-kubernetes',
    rules: [
      alertRule({
        name: 'KubePodCrashLooping',
        component,
        expr: 'increase(kube_pod_container_status_restarts_total[15m]) > 2',
        for: '5m',
        severity: 'ticket',
        summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping.',
        description: 'The container restarted more than twice in 15 minutes, for 5 minutes in a row.',
      }),
      alertRule({
        name: 'KubeContainerOOMKilled',
        component,
        expr: [
          '(kube_pod_container_status_restarts_total - kube_pod_container_status_restarts_total offset 10m >= 1)',
          'and ignoring (reason)',
          'min_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}[10m]) == 1',
        ].join('\n'),
        severity: 'ticket',
        summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} was OOM-killed.',
        description:
          'The container restarted in the last 10 minutes and its last termination was OOMKilled: it needs more ' +
          'than its memory limit, or it leaks.',
      }),
      alertRule({
        name: 'KubePersistentVolumeFillingUp',
        component,
        expr: [
          'kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.1',
          'unless on (namespace, persistentvolumeclaim)',
          'kube_persistentvolumeclaim_access_mode{access_mode="ReadOnlyMany"} == 1',
        ].join('\n'),
        for: '5m',
        severity: 'page',
        summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is more than 90 % full.',
        description:
          'Less than 10 % of the volume is free. PostgreSQL and Redis stop accepting writes when their volume is ' +
          'full, and the WAL can fill the rest quickly.',
      }),
      alertRule({
        name: 'KubeHpaMaxedOut',
        component,
        expr: [
          'kube_horizontalpodautoscaler_status_current_replicas',
          '>= on (namespace, horizontalpodautoscaler)',
          'kube_horizontalpodautoscaler_spec_max_replicas',
        ].join('\n'),
        for: '15m',
        severity: 'ticket',
        summary: 'HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} is pinned at its maximum.',
        description:
          'The autoscaler has run at its maximum replica count for 15 minutes: the load needs more capacity than ' +
          'it may add, so latency rises next.',
      }),
      alertRule({
        name: 'KubeDeploymentRolloutStuck',
        component,
        expr: [
          'kube_deployment_status_condition{condition="Progressing",status="false"} == 1',
          'or',
          'kube_deployment_status_observed_generation != kube_deployment_metadata_generation',
        ].join('\n'),
        for: '15m',
        severity: 'ticket',
        summary: 'Rollout of {{ $labels.namespace }}/{{ $labels.deployment }} is stuck.',
        description:
          'The deployment exceeded its progress deadline, or the controller has not observed its latest spec, ' +
          'for 15 minutes. The old ReplicaSet keeps serving; the new version is not live.',
      }),
    ],
  };
}
