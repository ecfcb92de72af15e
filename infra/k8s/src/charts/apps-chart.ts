import {
  type AppName,
  appImageTag,
  apps,
  monitoringStack,
  namespaces,
  project,
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

/** The one place an app's image name is built; the deploy swaps the tag for a digest. */
export const appImage = (name: AppName): string => `${project.imageRepository}/${name}:${appImageTag}`;

export interface AppsChartProps extends Omit<ChartProps, 'namespace'> {
  /** The Gateways the routes attach to and the gateway reaches the API through. */
  readonly gateways: Gateways;
  /** The Redis the gateway's token buckets and the API's cache share. */
  readonly redis: Redis;
}

/** Common environment of every service (the service kit's base schema). */
const baseConfig = (name: AppName): Record<string, string> => ({
  PORT: String(apps[name].port),
  LOG_LEVEL: 'info',
  SERVICE_VERSION: appImageTag,
  FAULTS_ENABLED: 'false',
});

const secretFile = (secret: string, key: string) => `${secretMountPath}/${secret}/${key}`;

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
    const { gateways, redis, ...chartProps } = props;
    super(scope, id, { ...chartProps, namespace: namespaces.apps });
    const redisUrl = redis.clientUrl;
    this.gateway = new AppWorkload(this, 'gateway', {
      app: apps.gateway,
      image: appImage('gateway'),
      config: {
        ...baseConfig('gateway'),
        // East-west through the internal Gateway, so the API's canary weight applies to gateway traffic too.
        API_URL: `http://${gateways.internalServiceHost}`,
        API_KEYS_FILE: secretFile(secretNames.gatewayApiKeys, 'keys'),
        JWT_SECRET_FILE: secretFile(secretNames.gatewayJwt, 'secret'),
        IDENTITY_TOKEN_SECRET_FILE: secretFile(secretNames.identityToken, 'secret'),
        WEB_ORIGIN: `https://${gateways.hostnames.web}`,
        // Token buckets shared by every replica; without it each pod would grant its own burst.
        REDIS_URL: redisUrl,
      },
      secretFiles: [secretNames.gatewayApiKeys, secretNames.gatewayJwt, secretNames.identityToken],
    });
    this.web = new AppWorkload(this, 'web', {
      app: apps.web,
      image: appImage('web'),
      config: {
        ...baseConfig('web'),
        // Server-side calls go to the gateway's stable Service inside the namespace; external API clients get the
        // weighted public route.
        GATEWAY_URL: this.gateway.stable.url,
        // Shared with the gateway: the web app mints short-lived tokens for the signed-in identity.
        JWT_SECRET_FILE: secretFile(secretNames.gatewayJwt, 'secret'),
        SESSION_SECRET_FILE: secretFile(secretNames.webSession, 'secret'),
        COOKIE_SECURE: 'true',
        PROMETHEUS_URL: `http://${serviceHost(monitoringStack.prometheusService.name, monitoringStack.namespace)}:${monitoringStack.prometheusService.port}`,
      },
      secretFiles: [secretNames.gatewayJwt, secretNames.webSession],
    });
    this.api = new AppWorkload(this, 'api', {
      app: apps.api,
      image: appImage('api'),
      config: {
        ...baseConfig('api'),
        REDIS_URL: redisUrl,
        ADMIN_TOKEN_FILE: secretFile(secretNames.apiAdminToken, 'token'),
        DATABASE_URL_FILE: secretFile(secretNames.apiDatabase, 'url'),
        IDENTITY_TOKEN_SECRET_FILE: secretFile(secretNames.identityToken, 'secret'),
      },
      secretFiles: [secretNames.apiAdminToken, secretNames.apiDatabase, secretNames.identityToken],
    });
    const workloads = [this.web, this.gateway, this.api];
    const routes = [
      new WeightedRoute(this, 'web-route', {
        workload: this.web,
        listener: gateways.publicHttps,
        hostnames: [gateways.hostnames.web],
      }),
      new WeightedRoute(this, 'gateway-route', {
        workload: this.gateway,
        listener: gateways.publicHttps,
        hostnames: [gateways.hostnames.api],
      }),
      new WeightedRoute(this, 'api-route', { workload: this.api, listener: gateways.internalHttp }),
    ];
    this.migration = new MigrationJob(this, 'migration', { image: appImage('api') });
    new DeployerRbac(this, 'deployer', { workloads, routes });
    for (const workload of workloads) {
      new MetricsPodMonitor(this, `${workload.app.name}-monitor`, {
        name: workload.app.name,
        podLabels: workload.pods.labels,
        portName: workload.portName,
      });
    }
  }
}
