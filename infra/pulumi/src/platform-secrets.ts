import { alertmanagerConfig, alertmanagerSecret } from '@homelab/observability';
import { clusterServices, data, hashedApiKeyStore, namespaces, secretNames } from '@homelab/platform';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { stringify } from 'yaml';
import { addonSecrets } from './addon-secrets.ts';

/** Every value comes from the stack's encrypted config; none is ever a plain string in the program. */
export interface PlatformSecretsArgs {
  readonly postgresPassword: pulumi.Input<string>;
  readonly jwtSecret: pulumi.Input<string>;
  /** Gateway → API identity tokens (ADR 0071). */
  readonly identityTokenSecret: pulumi.Input<string>;
  readonly webSessionSecret: pulumi.Input<string>;
  /** WEB_USERS: `name:<argon2id hash>` entries (`homelab hash-password`). */
  readonly webUsers: pulumi.Input<string>;
  readonly apiAdminToken: pulumi.Input<string>;
  /** `{ identity: key }`; hashed before it leaves the program. */
  readonly gatewayApiKeys: pulumi.Input<Record<string, string>>;
  /** METRICS_TOKEN: the gateway mounts it, its PodMonitor (same namespace) gives it to Prometheus (ADR 0122). */
  readonly metricsToken: pulumi.Input<string>;
  readonly grafanaAdminPassword: pulumi.Input<string>;
  readonly alertPageWebhookUrl: pulumi.Input<string>;
  readonly alertTicketWebhookUrl: pulumi.Input<string>;
  readonly alertHeartbeatUrl: pulumi.Input<string>;
  /** The PostgreSQL Service's name (found in the manifests by its port). */
  readonly postgresServiceName: pulumi.Input<string>;
}

export interface PlatformSecretsOptions extends pulumi.ComponentResourceOptions {
  readonly provider: k8s.Provider;
  readonly dependsOn?: pulumi.Resource[];
}

/**
 * The Kubernetes Secrets the manifests mount and the add-ons read, created at deploy time from the stack's
 * encrypted config. Names and keys are the ones the manifests reference (a test holds that, against dist/).
 */
export class PlatformSecrets extends pulumi.ComponentResource {
  readonly secrets: readonly k8s.core.v1.Secret[];

  constructor(name: string, args: PlatformSecretsArgs, opts: PlatformSecretsOptions) {
    super('homelab:secrets:PlatformSecrets', name, {}, opts);
    const childOptions = {
      parent: this,
      provider: opts.provider,
      dependsOn: opts.dependsOn ?? [],
      ...(opts.deletedWith ? { deletedWith: opts.deletedWith } : {}),
    };
    const secret = (namespace: string, secretName: string, stringData: Record<string, pulumi.Input<string>>) =>
      new k8s.core.v1.Secret(
        `${name}-${namespace}-${secretName}`,
        {
          metadata: {
            name: secretName,
            namespace,
            labels: { 'app.kubernetes.io/part-of': 'homelab', 'app.kubernetes.io/managed-by': 'pulumi' },
          },
          type: 'Opaque',
          // Wrapped again so a value that reached here unencrypted still never lands in state in clear text.
          stringData: Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, pulumi.secret(v)])),
        },
        childOptions,
      );

    const { postgres } = data;
    const databaseUrl = pulumi
      .all([args.postgresPassword, args.postgresServiceName])
      .apply(
        ([password, service]) =>
          `postgres://${postgres.user}:${encodeURIComponent(password)}@${service}.${namespaces.data}.svc.${clusterServices.clusterDomain}:${postgres.port}/${postgres.database}`,
      );
    const { keys: receiverKeys } = alertmanagerSecret;

    this.secrets = [
      secret(namespaces.data, secretNames.postgres, { password: args.postgresPassword }),
      secret(namespaces.apps, secretNames.apiDatabase, { url: databaseUrl }),
      secret(namespaces.apps, secretNames.apiAdminToken, { token: args.apiAdminToken }),
      secret(namespaces.apps, secretNames.gatewayApiKeys, {
        keys: pulumi.output(args.gatewayApiKeys).apply(hashedApiKeyStore),
      }),
      secret(namespaces.apps, secretNames.gatewayJwt, { secret: args.jwtSecret }),
      secret(namespaces.apps, secretNames.identityToken, { secret: args.identityTokenSecret }),
      secret(namespaces.apps, secretNames.webSession, { secret: args.webSessionSecret }),
      secret(namespaces.apps, secretNames.webUsers, { users: args.webUsers }),
      secret(namespaces.apps, secretNames.gatewayMetricsToken, { token: args.metricsToken }),
      secret(namespaces.monitoring, addonSecrets.grafanaAdmin.name, {
        [addonSecrets.grafanaAdmin.userKey]: 'admin',
        [addonSecrets.grafanaAdmin.passwordKey]: args.grafanaAdminPassword,
      }),
      secret(namespaces.monitoring, alertmanagerSecret.name, {
        [receiverKeys.pageUrl]: args.alertPageWebhookUrl,
        [receiverKeys.ticketUrl]: args.alertTicketWebhookUrl,
        [receiverKeys.heartbeatUrl]: args.alertHeartbeatUrl,
      }),
      secret(namespaces.monitoring, addonSecrets.alertmanagerConfig.name, {
        [addonSecrets.alertmanagerConfig.key]: stringify(alertmanagerConfig()),
      }),
    ];
    this.registerOutputs({ names: this.secrets.map((s) => s.metadata.name) });
  }
}
