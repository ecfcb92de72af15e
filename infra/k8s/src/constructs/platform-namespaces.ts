import { k8sLabels, namespaces, type PodSecurityLevel, partOf, podSecurityLabels } from '@homelab/platform';
import { Construct } from 'constructs';
import { Namespace } from 'kubernetes-models/v1';
import { addObject } from './api-object.ts';

/**
 * The platform's namespaces with their Pod Security levels. Apps, data and edge enforce "restricted" (the
 * Envoy proxies get a restricted security context through EnvoyProxy). Monitoring is "privileged" because
 * kube-prometheus-stack's node-exporter needs the host network and PID namespace.
 */
export class PlatformNamespaces extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const levels: Record<string, PodSecurityLevel> = {
      [namespaces.apps]: 'restricted',
      [namespaces.data]: 'restricted',
      [namespaces.edge]: 'restricted',
      [namespaces.monitoring]: 'privileged',
    };
    for (const [name, level] of Object.entries(levels)) {
      addObject(
        this,
        name,
        new Namespace({ metadata: { name, labels: { [k8sLabels.partOf]: partOf, ...podSecurityLabels(level) } } }),
      );
    }
  }
}
