import { canaryGate, deployer } from '@homelab/platform';
import { Construct } from 'constructs';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, ServiceAccount } from 'kubernetes-models/v1';
import { addObject } from './api-object.ts';
import type { AppWorkload } from './app-workload.ts';
import type { WeightedRoute } from './weighted-route.ts';

export interface DeployerRbacProps {
  readonly workloads: readonly AppWorkload[];
  readonly routes: readonly WeightedRoute[];
}

/**
 * The canary workflow's identity: it may read, watch and patch the apps' HTTPRoutes (weights), and scale and
 * re-image the apps' Deployments, by name, in the app namespace only. No wildcards, no pods/exec, no Secrets, no
 * create or delete. Server-side apply is a PATCH, so `patch` is all the writing the driver needs. Because every rule
 * names its objects, `list`/`watch` are allowed only for one object at a time (`fieldSelector=metadata.name=<name>`),
 * which is how the driver waits on a rollout; the cluster tests prove both the grants and the refusals.
 * The deploy history is one ConfigMap the deployer may read and patch (apply by name cannot create, so it is made
 * here); it is synthesized without `data`, so a later `pulumi up` (server-side apply) never owns or resets it.
 */
export class DeployerRbac extends Construct {
  readonly serviceAccountName = deployer.serviceAccountName;

  constructor(scope: Construct, id: string, props: DeployerRbacProps) {
    super(scope, id);
    const deployments = props.workloads.flatMap((w) => [w.stable.deploymentName, w.canary.deploymentName]).sort();
    const routes = props.routes.map((r) => r.name).sort();
    const name = this.serviceAccountName;
    const history = canaryGate.history.configMap;
    addObject(this, 'history', new ConfigMap({ metadata: { name: history } }));
    // The workflow gets a short-lived token through the TokenRequest API; no pod ever mounts this account.
    addObject(this, 'account', new ServiceAccount({ metadata: { name }, automountServiceAccountToken: false }));
    addObject(
      this,
      'role',
      new Role({
        metadata: { name },
        // The rules live in packages/platform: the cluster bad-canary drill grants its gate the same ones.
        rules: deployer.rules({ deployments, routes, historyConfigMap: history }),
      }),
    );
    addObject(
      this,
      'binding',
      new RoleBinding({
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name }],
      }),
    );
  }
}
