import {
  type Addressing,
  type AppEnvironments,
  type AppSecret,
  appEnvironment,
  definedVariables,
  type SecretSource,
} from '@homelab/app-environment';
import {
  type ApiImplementation,
  type AppName,
  apiImage,
  apiImplementations,
  appImage,
  appImageTag,
  apps,
  canaryGate,
  configMountPath,
  defaultApiImplementation,
  monitoringStack,
  namespaces,
  publicPaths,
  secretMountPath,
  secretNames,
  serviceHost,
} from '@homelab/platform';
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { AppWorkload } from '../constructs/app-workload.ts';
import { DeployerRbac } from '../constructs/deployer-rbac.ts';
import type { Gateways } from '../constructs/gateways.ts';
import { MigrationJob } from '../constructs/migration-job.ts';
import { MetricsPodMonitor } from '../constructs/pod-monitor.ts';
import type { Redis } from '../constructs/redis.ts';
import { WeightedRoute } from '../constructs/weighted-route.ts';

// Built in packages/platform, so the cluster drills' workload (tools/cli) runs the same image; re-exported for
// the manifests' callers.
export { appImage };

export interface AppsChartProps extends Omit<ChartProps, 'namespace'> {
  /** The Gateways the routes attach to and the gateway reaches the API through. */
  readonly gateways: Gateways;
  /** The Redis the gateway's token buckets and the API's cache share. */
  readonly redis: Redis;
  /** Which notes API implementation the api workload and its migration Job run (ADR 0135). Default 'ts'. */
  readonly apiImplementation?: ApiImplementation;
}

/** Where each secret is mounted: the Pulumi program creates these Secrets with these keys. */
const secretFiles: Record<AppSecret, { readonly secret: string; readonly key: string }> = {
  adminToken: { secret: secretNames.apiAdminToken, key: 'token' },
  databaseUrl: { secret: secretNames.apiDatabase, key: 'url' },
  apiKeys: { secret: secretNames.gatewayApiKeys, key: 'keys' },
  jwtSecret: { secret: secretNames.gatewayJwt, key: 'secret' },
  sessionSecret: { secret: secretNames.webSession, key: 'secret' },
  identityToken: { secret: secretNames.identityToken, key: 'secret' },
  webUsers: { secret: secretNames.webUsers, key: 'users' },
  metricsToken: { secret: secretNames.gatewayMetricsToken, key: 'token' },
};
const mountedSecret = (secret: AppSecret): SecretSource => ({
  file: `${secretMountPath}/${secretFiles[secret].secret}/${secretFiles[secret].key}`,
});
/** The Secrets to mount into an app's pods: those its environment names a file of. */
const secretsOf = (...secrets: AppSecret[]) => secrets.map((s) => secretFiles[s].secret);

/** What every service runs with in the cluster (faults injection off: no admin token reaches gateway or web). */
const clusterDefaults = { LOG_LEVEL: 'info', FAULTS_ENABLED: 'false' } as const;

/**
 * web, gateway and api (each a stable and a canary track), their weighted routes, the API's migration Job, the
 * deployer's RBAC and the scrape of every app.
 */
export class AppsChart extends Chart {
  readonly web: AppWorkload;
  readonly gateway: AppWorkload;
  readonly api: AppWorkload;
  readonly migration: MigrationJob;

  constructor(scope: Construct, id: string, props: AppsChartProps) {
    const { gateways, redis, apiImplementation = defaultApiImplementation, ...chartProps } = props;
    super(scope, id, { ...chartProps, namespace: namespaces.apps });
    let gatewayUrl: string | undefined;
    const addressing = (name: AppName): Addressing => ({
      port: apps[name].port,
      serviceVersion: appImageTag,
      // East-west through the internal Gateway, so the API's canary weight applies to gateway traffic too.
      apiUrl: `http://${gateways.internalServiceHost}`,
      // Server-side calls go to the gateway's stable Service inside the namespace; external API clients get the
      // weighted public route. Known once the gateway's construct exists, which is before the web app's.
      get gatewayUrl() {
        if (gatewayUrl === undefined) throw new Error('the gateway workload must be built before the web app');
        return gatewayUrl;
      },
      webOrigin: `https://${gateways.hostnames.web}`,
      redisUrl: redis.clientUrl,
      prometheusUrl: `http://${serviceHost(monitoringStack.prometheusService.name, monitoringStack.namespace)}:${monitoringStack.prometheusService.port}`,
      secret: mountedSecret,
    });
    const config = <A extends AppName>(name: A, extra: AppEnvironments[A] = {}) =>
      definedVariables({ ...appEnvironment(name, addressing(name)), ...clusterDefaults, ...extra });

    this.gateway = new AppWorkload(this, 'gateway', {
      app: apps.gateway,
      image: appImage('gateway'),
      config: config('gateway'),
      secretFiles: secretsOf('apiKeys', 'jwtSecret', 'identityToken', 'metricsToken'),
    });
    gatewayUrl = this.gateway.stable.url;
    this.web = new AppWorkload(this, 'web', {
      app: apps.web,
      image: appImage('web'),
      config: config('web', {
        COOKIE_SECURE: 'true',
        // The deploy history `homelab deploy` keeps in the cluster, read from the mounted ConfigMap for /deploys.
        DEPLOY_HISTORY_FILE: `${configMountPath}/${canaryGate.history.configMap}/${canaryGate.history.configMapKey}`,
      }),
      secretFiles: secretsOf('jwtSecret', 'sessionSecret', 'webUsers'),
      configFiles: [canaryGate.history.configMap],
    });
    this.api = new AppWorkload(this, 'api', {
      app: apps.api,
      image: apiImage(apiImplementation),
      config: config('api'),
      secretFiles: secretsOf('adminToken', 'databaseUrl', 'identityToken'),
    });
    const workloads = [this.web, this.gateway, this.api];
    const routes = [
      new WeightedRoute(this, 'web-route', {
        workload: this.web,
        listener: gateways.publicHttps,
        hostnames: [gateways.hostnames.web],
        paths: publicPaths.web,
      }),
      new WeightedRoute(this, 'gateway-route', {
        workload: this.gateway,
        listener: gateways.publicHttps,
        hostnames: [gateways.hostnames.api],
        paths: publicPaths.gateway,
      }),
      new WeightedRoute(this, 'api-route', { workload: this.api, listener: gateways.internalHttp }),
    ];
    this.migration = new MigrationJob(this, 'migration', {
      image: apiImage(apiImplementation),
      command: apiImplementations[apiImplementation].migrateCommand,
    });
    new DeployerRbac(this, 'deployer', { workloads, routes });
    for (const workload of workloads) {
      new MetricsPodMonitor(this, `${workload.app.name}-monitor`, {
        name: workload.app.name,
        podLabels: workload.pods.labels,
        portName: workload.portName,
        // The gateway answers /metrics off the host only with METRICS_TOKEN (ADR 0122): Prometheus presents the
        // same Secret key the gateway's METRICS_TOKEN_FILE points at.
        ...(workload === this.gateway ? { bearerToken: secretFiles.metricsToken } : {}),
      });
    }
  }
}
