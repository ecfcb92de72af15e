/**
 * `pulumi up`: preflight, cluster, namespaces, Secrets, add-ons, manifests, in that order. This file only
 * composes the components and exports what a person needs afterwards.
 */
import { fileURLToPath } from 'node:url';
import { alertmanagerSecret } from '@homelab/observability';
import { data, edge, monitoringStack, namespaces, versions } from '@homelab/platform';
import * as pulumi from '@pulumi/pulumi';
import { AddonCrds } from './addon-crds.ts';
import { withAwaitPolicies } from './await-policy.ts';
import { Cluster } from './cluster.ts';
import { K3sAgents } from './k3s-agents.ts';
import {
  exposeGatewayOnKindNodePorts,
  loadManifests,
  routedHostnames,
  serviceExposing,
  stageManifests,
  unownedNamespaces,
} from './manifests.ts';
import { PlatformAddons } from './platform-addons.ts';
import { PlatformManifests } from './platform-manifests.ts';
import { PlatformNamespaces } from './platform-namespaces.ts';
import { PlatformSecrets } from './platform-secrets.ts';
import { Preflight } from './preflight.ts';
import { stackSecret, stackSecretObject } from './stack-config.ts';
import { parseStackSettings } from './stack-settings.ts';

const config = new pulumi.Config('homelab');
const settings = parseStackSettings((key) => config.get(key));

const synthesized = loadManifests(fileURLToPath(new URL('../../k8s/dist', import.meta.url)));
// What the provider waits for, where its default can never be met (suspended Jobs, canary Services): ADR 0065.
const objects = withAwaitPolicies(
  settings.cluster === 'kind' ? exposeGatewayOnKindNodePorts(synthesized) : synthesized,
);
const stages = stageManifests(objects);
const hostnames = routedHostnames(objects);

const preflight = new Preflight('preflight', {
  cluster: settings.cluster,
  clusterName: settings.clusterName,
  hostPorts: [edge.public.httpPort, edge.public.httpsPort],
  k3sInstall: settings.k3sInstall,
  k3sKubeconfig: settings.k3sKubeconfig,
  ...(settings.kubeconfig ? { kubeconfig: settings.kubeconfig } : {}),
  ...(settings.nodeAddress ? { nodeAddress: settings.nodeAddress } : {}),
  hostnames,
});
// Nothing below is even declared unless the checks passed: a failed preflight ends the run (preview too) here,
// with one report of everything to fix.
const checked = await preflight.result;

const cluster = new Cluster(
  'cluster',
  {
    flavour: settings.cluster,
    clusterName: settings.clusterName,
    kindNodeImage: versions.kubernetes.kindNodeImage,
    k3sVersion: versions.kubernetes.k3s,
    k3sInstall: settings.k3sInstall,
    k3sKubeconfig: settings.k3sKubeconfig,
    ...(settings.kubeconfig ? { kubeconfigFile: settings.kubeconfig } : {}),
  },
  { dependsOn: [preflight] },
);
const { provider } = cluster;

const agents =
  settings.agents.length > 0
    ? new K3sAgents(
        'agents',
        {
          agents: settings.agents,
          serverAddress: checked.nodeAddress,
          k3sVersion: versions.kubernetes.k3s,
          k3sKubeconfig: settings.k3sKubeconfig,
          ...(config.getSecret('sshPrivateKey') ? { sshPrivateKey: config.requireSecret('sshPrivateKey') } : {}),
        },
        { dependsOn: [cluster] },
      )
    : undefined;
const deletedWith = cluster.deletedWith ? { deletedWith: cluster.deletedWith } : {};

const platformNamespaces = new PlatformNamespaces(
  'namespaces',
  { namespaces: [...stages.namespaces, ...unownedNamespaces(objects)] },
  { provider, ...deletedWith },
);

const secrets = new PlatformSecrets(
  'secrets',
  {
    postgresPassword: stackSecret(config, 'postgresPassword'),
    jwtSecret: stackSecret(config, 'jwtSecret'),
    identityTokenSecret: stackSecret(config, 'identityTokenSecret'),
    webSessionSecret: stackSecret(config, 'webSessionSecret'),
    webUsers: stackSecret(config, 'webUsers'),
    apiAdminToken: stackSecret(config, 'apiAdminToken'),
    gatewayApiKeys: stackSecretObject(config, 'gatewayApiKeys'),
    metricsToken: stackSecret(config, 'metricsToken'),
    grafanaAdminPassword: stackSecret(config, 'grafanaAdminPassword'),
    alertPageWebhookUrl: stackSecret(config, 'alertPageWebhookUrl'),
    alertTicketWebhookUrl: stackSecret(config, 'alertTicketWebhookUrl'),
    alertHeartbeatUrl: stackSecret(config, 'alertHeartbeatUrl'),
    postgresServiceName: serviceExposing(objects, namespaces.data, data.postgres.port).metadata.name,
  },
  { provider, dependsOn: [platformNamespaces], ...deletedWith },
);

const addonOptions = { provider, dependsOn: [platformNamespaces, secrets], ...deletedWith };
const addons =
  settings.addons === 'crds' && settings.addonCrds
    ? new AddonCrds('addons', { directory: settings.addonCrds }, addonOptions)
    : new PlatformAddons(
        'addons',
        {
          values: {
            flavour: settings.cluster,
            storageClass: settings.storageClass,
            alertmanagerReceiversSecret: alertmanagerSecret.name,
          },
        },
        addonOptions,
      );

new PlatformManifests(
  'manifests',
  { stages, releases: addons.releases },
  {
    provider,
    // Joined agents first, so the first rollout spreads the replicas over every machine.
    dependsOn: [platformNamespaces, secrets, ...cluster.storage, ...(agents ? agents.nodes.values() : [])],
    ...deletedWith,
  },
);

export const clusterFlavour = settings.cluster;
export const agentNodes = agents ? [...agents.nodes.keys()] : [];
/** `pulumi stack output kubeconfig --show-secrets > ~/.kube/homelab.yaml` */
export const kubeconfig = cluster.kubeconfig;
export const urls = hostnames.map((hostname) => `https://${hostname}`);
/** The line for /etc/hosts on every device that opens the platform (or the router's local DNS). */
export const etcHostsLine = `${checked.nodeAddress} ${hostnames.join(' ')}`;
export const grafana = `kubectl -n ${monitoringStack.namespace} port-forward svc/${monitoringStack.releaseLabel.release}-grafana 3000:80, then http://localhost:3000 (user admin, password: pulumi config get grafanaAdminPassword)`;
export const charts = Object.fromEntries(Object.entries(versions.charts).map(([name, chart]) => [name, chart.version]));
