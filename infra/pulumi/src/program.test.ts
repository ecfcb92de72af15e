import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, monitoringStack, secretMountPath, tls, versions } from '@homelab/platform';
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import {
  isSecretInput,
  mockJoinToken,
  type ProgramRun,
  plainStrings,
  type Registration,
  runProgram,
} from '../test/program-harness.ts';
import { skipAwaitAnnotation, waitForAnnotation } from './await-policy.ts';
import { type AddonName, apiGroup, crdOwners, loadManifests, referencedSecrets } from './manifests.ts';
import type { HostnameFact } from './preflight-checks.ts';

/** The machine as the preflight sees it; each run sets what it needs. */
const machine = vi.hoisted(() => ({
  resolvesTo: '192.168.1.20' as string | undefined,
  busyPorts: [] as number[],
  kindExists: false,
}));

vi.mock('./host-probe.ts', () => ({
  hostProbe: {
    resolve: async (hostnames: readonly string[]): Promise<HostnameFact[]> =>
      hostnames.map((hostname) =>
        machine.resolvesTo
          ? { hostname, addresses: [machine.resolvesTo] }
          : { hostname, addresses: [], error: 'ENOTFOUND' },
      ),
    onPath: async (commands: readonly string[]) => Object.fromEntries(commands.map((c) => [c, true])),
    dockerAnswers: async () => true,
    readable: async () => true,
    nodeAddress: () => '192.168.1.20',
    listening: async (port: number) => machine.busyPorts.includes(port),
    kindClusterExists: async () => machine.kindExists,
  },
}));

const apiKey = 'api-key-of-admin-0123456789abcdef0123456789';
const secretValues: Record<string, string> = {
  'homelab:postgresPassword': 'pg-password-0123456789abcdef',
  'homelab:jwtSecret': 'jwt-secret-0123456789abcdef0123456789abcdef',
  'homelab:identityTokenSecret': 'identity-token-secret-0123456789abcdef0123',
  'homelab:webSessionSecret': 'web-session-0123456789abcdef0123456789abcdef',
  'homelab:webUsers': 'demo:$argon2id$v=19$m=19456,t=2,p=1$d2ViLXVzZXJzLXNhbHQ$d2ViLXVzZXJzLWhhc2gtc2VjcmV0',
  'homelab:apiAdminToken': 'admin-token-0123456789abcdef0123456789abcdef',
  'homelab:metricsToken': 'metrics-token-0123456789abcdef0123456789abcdef',
  'homelab:gatewayApiKeys': JSON.stringify({ admin: apiKey }),
  'homelab:grafanaAdminPassword': 'grafana-password-0123',
  'homelab:alertPageWebhookUrl': 'https://ntfy.example/page-topic-secret',
  'homelab:alertTicketWebhookUrl': 'https://ntfy.example/ticket-topic-secret',
  'homelab:alertHeartbeatUrl': 'https://hc.example/heartbeat-secret',
};
/** Distinctive parts of each secret value: none may appear in any input outside a secret. */
const secretFragments = [
  'd2ViLXVzZXJzLWhhc2gtc2VjcmV0',
  'pg-password-0123456789abcdef',
  'jwt-secret-0123456789abcdef',
  'admin-token-0123456789abcdef',
  'metrics-token-0123456789abcdef',
  apiKey,
  'grafana-password-0123',
  'page-topic-secret',
  'ticket-topic-secret',
  'heartbeat-secret',
];

const run = async (config: Record<string, string>, plainKeys: readonly string[] = []): Promise<ProgramRun> => {
  vi.resetModules();
  const encrypted = Object.keys(secretValues).filter((key) => !plainKeys.includes(key));
  return runProgram({ ...secretValues, ...config }, encrypted, () => import('./index.ts'));
};

/** The one element of a list, failing the test when there is not exactly one. */
const only = <T>(items: readonly T[], what: string): T => {
  expect(items, what).toHaveLength(1);
  return items[0] as T;
};

interface EnvoyServiceSpec {
  readonly name: string;
  readonly type: string;
  readonly patch?: { readonly value: { readonly spec: { readonly ports: unknown[] } } };
}
interface KpsValues {
  readonly alertmanager: {
    readonly alertmanagerSpec: { useExistingSecret: boolean; configSecret: string; secrets: string[] };
  };
}
interface AddonValues {
  readonly args?: string[];
  readonly 'prometheus-node-exporter': { readonly hostRootFsMount?: unknown };
}

const ofType = (program: ProgramRun, type: string) => program.registrations.filter((r) => r.type === type);
const releases = (program: ProgramRun) => ofType(program, 'kubernetes:helm.sh/v3:Release');
const releaseOf = (program: ProgramRun, addon: AddonName): Registration => {
  const { chart } = versions.charts[addon];
  return only(
    releases(program).filter((r) => String(r.inputs.chart).split('/').pop() === chart),
    `${addon} release`,
  );
};
const valuesOf = (program: ProgramRun, addon: AddonName) => releaseOf(program, addon).inputs.values as AddonValues;
/** `kubernetes:<group>/<version>:<Kind>` -> group ('' for core). */
const groupOf = (type: string) => {
  const [groupVersion = ''] = type.slice('kubernetes:'.length).split(':');
  return apiGroup(groupVersion.replace(/^core\//, 'v1'));
};
const kubernetesResources = (program: ProgramRun) =>
  program.registrations.filter((r) => r.custom && r.type.startsWith('kubernetes:'));
/** The Service settings of one EnvoyProxy, as the program applies it. */
const envoyService = (program: ProgramRun, name: string): EnvoyServiceSpec => {
  const proxy = only(
    ofType(program, 'kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy').filter((r) => r.name.endsWith(`/${name}`)),
    `EnvoyProxy ${name}`,
  );
  return (proxy.inputs.spec as { provider: { kubernetes: { envoyService: EnvoyServiceSpec } } }).provider.kubernetes
    .envoyService;
};
const unwrap = (value: unknown): unknown => (isSecretInput(value) ? (value as { value: unknown }).value : value);
/** A Secret's stringData, unwrapped from the secret marker the whole object carries. */
const stringData = (secret: Registration) => unwrap(secret.inputs.stringData) as Record<string, string>;

describe('the program on kind (the default)', () => {
  let program: ProgramRun;
  beforeAll(async () => {
    program = await run({});
  });

  it('pins every Helm release to its chart, repository and version in versions.json', () => {
    expect(releases(program)).toHaveLength(Object.keys(versions.charts).length);
    for (const addon of Object.keys(versions.charts) as AddonName[]) {
      const { repo, chart, version } = versions.charts[addon];
      const release = releaseOf(program, addon);
      expect(release.inputs.version, addon).toBe(version);
      if (repo.startsWith('oci://')) expect(release.inputs.chart).toBe(`${repo}/${chart}`);
      else expect((release.inputs.repositoryOpts as { repo: string }).repo).toBe(repo);
    }
  });

  it('gives every Kubernetes resource the explicit provider built from the kubeconfig', () => {
    const provider = only(ofType(program, 'pulumi:providers:kubernetes'), 'the kubernetes provider');
    expect(provider.name).toBe('cluster-provider');
    expect(isSecretInput(provider.inputs.kubeconfig)).toBe(true);
    // Named ConfigMaps change in place; the provider's default would replace them.
    // Provider inputs reach the engine as strings.
    expect(String(provider.inputs.enableConfigMapMutable)).toBe('true');
    expect(provider.dependencies).toContain(only(ofType(program, 'command:local:Command'), 'the cluster').urn);
    const resources = kubernetesResources(program);
    expect(resources.length).toBeGreaterThan(100);
    for (const resource of resources) {
      expect(resource.provider, `${resource.type} ${resource.name}`).toContain(`${provider.urn}::`);
    }
  });

  it('applies each custom resource only after the release that installs its CRD', () => {
    const custom = kubernetesResources(program).filter((r) => groupOf(r.type) in crdOwners);
    const expected = loadManifests(new URL('../../k8s/dist', import.meta.url).pathname).filter(
      (o) => apiGroup(o.apiVersion) in crdOwners,
    );
    expect(custom).toHaveLength(expected.length);
    for (const resource of custom) {
      const owner = releaseOf(program, crdOwners[groupOf(resource.type)] as AddonName);
      expect(resource.dependencies, `${resource.type} ${resource.name}`).toContain(owner.urn);
    }
  });

  it('installs the add-ons after the namespaces and Secrets, and built-in objects after the add-ons', () => {
    const namespaces = ofType(program, 'kubernetes:core/v1:Namespace').map((r) => r.urn);
    const secrets = ofType(program, 'kubernetes:core/v1:Secret').map((r) => r.urn);
    expect(namespaces.length).toBeGreaterThan(0);
    for (const release of releases(program)) {
      expect(release.dependencies).toEqual(expect.arrayContaining([...namespaces, ...secrets]));
    }
    expect(releaseOf(program, 'certManager').dependencies).toContain(releaseOf(program, 'kubePrometheusStack').urn);
    const releaseUrns = releases(program).map((r) => r.urn);
    const deployments = ofType(program, 'kubernetes:apps/v1:Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const deployment of deployments) expect(deployment.dependencies).toEqual(expect.arrayContaining(releaseUrns));
  });

  it('lets `pulumi destroy` delete the kind cluster in one step: everything inside is deleted with it', () => {
    const kind = only(ofType(program, 'command:local:Command'), 'the cluster command');
    for (const resource of kubernetesResources(program)) {
      expect(resource.deletedWith, `${resource.type} ${resource.name}`).toBe(kind.urn);
    }
  });

  it('keeps the kubeconfig a secret output', async () => {
    expect(await pulumi.isSecret(program.outputs.kubeconfig as pulumi.Output<string>)).toBe(true);
  });

  it('never puts a secret value into an input outside a secret, and the API key not even inside one', () => {
    for (const resource of program.registrations) {
      const plain = plainStrings(resource.inputs).join('\n');
      for (const fragment of secretFragments) {
        expect(plain.includes(fragment), `${fragment} in ${resource.type} ${resource.name}`).toBe(false);
      }
    }
    expect(JSON.stringify(program.registrations.map((r) => r.inputs))).not.toContain(apiKey);
    for (const secret of ofType(program, 'kubernetes:core/v1:Secret')) {
      expect(isSecretInput(secret.inputs.stringData), secret.name).toBe(true);
    }
  });

  it('creates every Secret the manifests read, with the keys they read', () => {
    const created = new Map(
      ofType(program, 'kubernetes:core/v1:Secret').map((s) => {
        const metadata = s.inputs.metadata as { namespace: string; name: string };
        return [`${metadata.namespace}/${metadata.name}`, Object.keys(stringData(s))];
      }),
    );
    const manifests = loadManifests(new URL('../../k8s/dist', import.meta.url).pathname);
    const references = referencedSecrets(manifests);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) {
      const keys = created.get(`${reference.namespace}/${reference.name}`);
      expect(keys, `${reference.namespace}/${reference.name}`).toBeDefined();
      expect(keys).toEqual(expect.arrayContaining([...reference.keys]));
    }
    // Files the apps read from mounted Secrets: <mount>/<secret>/<key> in their ConfigMaps.
    const filePattern = new RegExp(`^${secretMountPath}/([^/]+)/([^/]+)$`);
    for (const configMap of manifests.filter((o) => o.kind === 'ConfigMap')) {
      for (const value of Object.values((configMap.data ?? {}) as Record<string, string>)) {
        const match = filePattern.exec(value);
        if (!match) continue;
        expect(created.get(`${configMap.metadata.namespace}/${match[1]}`), value).toContain(match[2]);
      }
    }
  });

  it('configures Alertmanager from the Secret it creates, every receiver URL read from a mounted key', () => {
    const alertmanager = (valuesOf(program, 'kubePrometheusStack') as unknown as KpsValues).alertmanager
      .alertmanagerSpec;
    expect(alertmanager.useExistingSecret).toBe(true);
    const secrets = ofType(program, 'kubernetes:core/v1:Secret');
    const named = (name: string) =>
      only(
        secrets.filter((s) => (s.inputs.metadata as { name: string; namespace: string }).name === name),
        `Secret ${name}`,
      );
    const configSecret = named(alertmanager.configSecret);
    expect((configSecret.inputs.metadata as { namespace: string }).namespace).toBe(monitoringStack.namespace);
    const config = parse(stringData(configSecret)['alertmanager.yaml'] ?? '');
    const urlFiles: string[] = config.receivers.flatMap((r: { webhook_configs: { url_file: string }[] }) =>
      r.webhook_configs.map((w) => w.url_file),
    );
    expect(urlFiles.length).toBeGreaterThan(0);
    // The operator mounts each Secret listed in spec.secrets at /etc/alertmanager/secrets/<name>/.
    for (const file of urlFiles) {
      const match = /^\/etc\/alertmanager\/secrets\/([^/]+)\/([^/]+)$/.exec(file);
      expect(match, file).not.toBeNull();
      expect(alertmanager.secrets).toContain(match?.[1]);
      expect(Object.keys(stringData(named(match?.[1] ?? '')))).toContain(match?.[2]);
    }
  });

  it("selects the manifests' monitors and rules: they carry the label of the kube-prometheus-stack release", () => {
    const kps = releaseOf(program, 'kubePrometheusStack');
    const [[label, value]] = Object.entries(monitoringStack.releaseLabel) as [[string, string]];
    expect(kps.inputs.name).toBe(value);
    const monitoring = loadManifests(new URL('../../k8s/dist', import.meta.url).pathname).filter(
      (o) => apiGroup(o.apiVersion) === 'monitoring.coreos.com',
    );
    expect(monitoring.length).toBeGreaterThan(0);
    for (const object of monitoring) {
      const labels = (object.metadata.labels ?? {}) as Record<string, string>;
      expect(labels[label], `${object.kind} ${object.metadata.name}`).toBe(value);
    }
  });

  it('hashes the API keys into the store format the gateway reads', () => {
    const store = only(
      ofType(program, 'kubernetes:core/v1:Secret').filter((s) => s.name.endsWith('gateway-api-keys')),
      'the API key store',
    );
    const keys = JSON.parse(stringData(store).keys ?? '');
    expect(keys).toEqual([{ identity: 'admin', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });

  it('creates a kind cluster from the pinned node image with host ports 80/443 on the gateway NodePorts', () => {
    const kind = only(ofType(program, 'command:local:Command'), 'the cluster command');
    expect(kind.name).toBe('cluster-kind');
    expect(kind.deleteBeforeReplace).toBe(true);
    const config = parse(kind.inputs.stdin as string);
    expect(config.nodes[0].image).toBe(versions.kubernetes.kindNodeImage);
    expect(config.nodes[0].extraPortMappings).toEqual([
      expect.objectContaining({ hostPort: 80, containerPort: bootstrap.kindGatewayNodePorts.http }),
      expect.objectContaining({ hostPort: 443, containerPort: bootstrap.kindGatewayNodePorts.https }),
    ]);
    expect(envoyService(program, 'public').patch?.value.spec.ports).toEqual([
      { port: 80, nodePort: bootstrap.kindGatewayNodePorts.http },
      { port: 443, nodePort: bootstrap.kindGatewayNodePorts.https },
    ]);
    expect(envoyService(program, 'internal').patch).toBeUndefined();
  });

  it("adds the manifests' local-path storage class and kind's add-on settings", () => {
    const storageClass = only(ofType(program, 'kubernetes:storage.k8s.io/v1:StorageClass'), 'the storage class');
    expect(storageClass.inputs).toMatchObject({
      metadata: { name: 'local-path' },
      provisioner: 'rancher.io/local-path',
    });
    expect(valuesOf(program, 'metricsServer').args).toContain('--kubelet-insecure-tls');
    expect(valuesOf(program, 'kubePrometheusStack')['prometheus-node-exporter'].hostRootFsMount).toEqual({
      enabled: false,
    });
  });

  it('waits for the suspended restore Job to be held (Suspended), not to complete, and leaves other Jobs alone', () => {
    const jobs = ofType(program, 'kubernetes:batch/v1:Job');
    const annotations = (job: Registration) =>
      (job.inputs.metadata as { annotations?: Record<string, string> }).annotations?.[waitForAnnotation];
    const suspended = jobs.filter((job) => (job.inputs.spec as { suspend?: boolean }).suspend === true);
    expect(suspended.map((job) => job.name)).toEqual(['homelab-data/postgres-restore']);
    for (const job of jobs) {
      expect(annotations(job), job.name).toBe(suspended.includes(job) ? 'condition=Suspended' : undefined);
    }
  });

  it('does not wait for endpoints of the canary Services (their Deployments are at 0 until a deploy), only of the rest', () => {
    const skipped = (service: Registration) =>
      (service.inputs.metadata as { annotations?: Record<string, string> }).annotations?.[skipAwaitAnnotation];
    const services = ofType(program, 'kubernetes:core/v1:Service');
    expect(
      services
        .filter((s) => skipped(s) === 'true')
        .map((s) => s.name)
        .sort(),
    ).toEqual(['homelab-apps/api-canary', 'homelab-apps/gateway-canary', 'homelab-apps/web-canary']);
  });

  it('creates every namespace an object lives in, before that object (cert-manager: no chart creates it now)', () => {
    const created = new Map(
      ofType(program, 'kubernetes:core/v1:Namespace').map((n) => [(n.inputs.metadata as { name: string }).name, n.urn]),
    );
    expect([...created.keys()]).toContain(tls.certManagerNamespace);
    expect(releaseOf(program, 'certManager').inputs.createNamespace).toBe(false);
    for (const resource of kubernetesResources(program)) {
      const namespace = (resource.inputs.metadata as { namespace?: string } | undefined)?.namespace ?? 'kube-system';
      if (namespace === 'kube-system' || resource.type === 'kubernetes:core/v1:Namespace') continue;
      expect(created.get(namespace), `${resource.type} ${resource.name} in ${namespace}`).toBeDefined();
      if (resource.type.startsWith('kubernetes:helm.sh/')) continue;
      expect(resource.dependencies, `${resource.type} ${resource.name}`).toContain(created.get(namespace));
    }
  });

  it('creates no claim before its storage class, so the provider sees WaitForFirstConsumer and does not wait for a bind', () => {
    const storageClass = only(ofType(program, 'kubernetes:storage.k8s.io/v1:StorageClass'), 'the storage class');
    const claims = ofType(program, 'kubernetes:core/v1:PersistentVolumeClaim');
    expect(claims.length).toBeGreaterThan(0);
    for (const claim of claims) expect(claim.dependencies, claim.name).toContain(storageClass.urn);
    for (const set of ofType(program, 'kubernetes:apps/v1:StatefulSet')) {
      expect(set.dependencies, set.name).toContain(storageClass.urn);
    }
  });

  it('exports the /etc/hosts line for the routed hostnames', () => {
    expect(program.outputs.etcHostsLine).toBe('192.168.1.20 api.homelab.home.arpa notes.homelab.home.arpa');
  });
});

describe('the program on k3s', () => {
  let program: ProgramRun;
  beforeAll(async () => {
    program = await run({ 'homelab:cluster': 'k3s' });
  });

  it('reads the pinned k3s through a command instead of creating a kind cluster', () => {
    const command = only(ofType(program, 'command:local:Command'), 'the cluster command');
    expect(command.name).toBe('cluster-k3s');
    // Upgrades run the installer in place; a replacement would uninstall k3s and wipe the cluster.
    expect(command.inputs.update).toBe(command.inputs.create);
    expect(command.inputs.triggers).toBeUndefined();
    expect(command.inputs.environment).toMatchObject({
      K3S_VERSION: versions.kubernetes.k3s,
      K3S_INSTALL: 'false',
      K3S_KUBECONFIG: '/etc/rancher/k3s/k3s.yaml',
    });
  });

  it('deletes every object on its own at destroy, since the k3s host outlives the stack', () => {
    const resources = kubernetesResources(program);
    expect(resources.length).toBeGreaterThan(100);
    for (const resource of resources) expect(resource.deletedWith, resource.name).toBe('');
  });

  it("leaves the LoadBalancer to k3s's ServiceLB and keeps kind-only settings out", () => {
    expect(ofType(program, 'kubernetes:storage.k8s.io/v1:StorageClass')).toEqual([]);
    expect(envoyService(program, 'public')).toEqual({
      name: 'public-gateway',
      type: 'LoadBalancer',
    });
    expect(valuesOf(program, 'metricsServer').args).toBeUndefined();
    expect(valuesOf(program, 'kubePrometheusStack')['prometheus-node-exporter'].hostRootFsMount).toBeUndefined();
  });
});

describe('the program when the preflight fails', () => {
  let program: ProgramRun;
  beforeAll(async () => {
    machine.resolvesTo = undefined;
    machine.busyPorts = [80];
    try {
      program = await run({ 'homelab:jwtSecret': 'too-short' }, ['homelab:postgresPassword']);
    } finally {
      machine.resolvesTo = '192.168.1.20';
      machine.busyPorts = [];
    }
  });

  it('declares nothing but the preflight itself', () => {
    expect(program.error).toBeInstanceOf(Error);
    expect(program.registrations.map((r) => r.type)).toEqual(['homelab:preflight:Preflight']);
  });

  it('reports every problem at once: hosts line, short secret, plain-text secret, busy port 80', () => {
    const message = (program.error as Error).message;
    expect(message).toContain('port 80 of this machine is already in use');
    expect(message).toContain('192.168.1.20 api.homelab.home.arpa notes.homelab.home.arpa');
    expect(message).toContain('homelab:jwtSecret is 9 characters; it needs at least 32');
    expect(message).toContain('homelab:postgresPassword is stored in plain text');
    expect(message).toMatch(/Preflight found 4 problems/);
  });
});

describe('a re-run on the kind cluster it already created', () => {
  it('does not mistake the cluster holding ports 80/443 for a conflict', async () => {
    Object.assign(machine, { busyPorts: [80, 443], kindExists: true });
    try {
      const program = await run({});
      expect(program.error).toBeUndefined();
      expect(ofType(program, 'command:local:Command')).toHaveLength(1);
    } finally {
      Object.assign(machine, { busyPorts: [], kindExists: false });
    }
  });
});

/** A CRD of each API group the manifests use, as a CRD directory would hold them (one file per add-on). */
const writeCrdFixtures = (): string => {
  const directory = mkdtempSync(join(tmpdir(), 'homelab-crds-'));
  const crd = (group: string, plural: string) =>
    `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${plural}.${group}\nspec:\n  group: ${group}\n  names: { kind: X, plural: ${plural} }\n  scope: Namespaced\n  versions: []\n`;
  const byFile: Record<string, string[]> = {
    'cert-manager.yaml': [crd('cert-manager.io', 'certificates'), crd('cert-manager.io', 'clusterissuers')],
    'gateway-api.yaml': [crd('gateway.networking.k8s.io', 'gateways'), crd('gateway.networking.k8s.io', 'httproutes')],
    'envoy-gateway.yaml': [crd('gateway.envoyproxy.io', 'envoyproxies')],
    'prometheus-operator.yaml': [crd('monitoring.coreos.com', 'servicemonitors')],
  };
  for (const [file, documents] of Object.entries(byFile)) writeFileSync(join(directory, file), documents.join('---\n'));
  return directory;
};

describe('the program on an existing cluster, add-ons reduced to their CRDs', () => {
  const kubeconfigText = 'apiVersion: v1\nkind: Config\nclusters: []\n# existing-cluster-credentials\n';
  let program: ProgramRun;
  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), 'homelab-existing-'));
    writeFileSync(join(directory, 'kubeconfig'), kubeconfigText);
    program = await run({
      'homelab:cluster': 'existing',
      'homelab:kubeconfig': join(directory, 'kubeconfig'),
      'homelab:addons': 'crds',
      'homelab:addonCrds': writeCrdFixtures(),
    });
  });

  it('creates no cluster and installs no chart: the provider reads the given kubeconfig, as a secret', async () => {
    expect(program.error).toBeUndefined();
    expect(ofType(program, 'command:local:Command')).toEqual([]);
    expect(releases(program)).toEqual([]);
    const provider = only(ofType(program, 'pulumi:providers:kubernetes'), 'the kubernetes provider');
    expect(isSecretInput(provider.inputs.kubeconfig)).toBe(true);
    expect(unwrap(provider.inputs.kubeconfig)).toBe(kubeconfigText);
    expect(plainStrings(program.registrations.map((r) => r.inputs)).join('\n')).not.toContain(
      'existing-cluster-credentials',
    );
    expect(await pulumi.isSecret(program.outputs.kubeconfig as pulumi.Output<string>)).toBe(true);
  });

  it('applies each custom resource after the CRDs of its add-on, and the CRDs after the namespaces', () => {
    const crds = ofType(program, 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition');
    expect(crds).toHaveLength(6);
    const crdsOf = (addon: AddonName) => crds.filter((c) => c.parent.endsWith(`::addons-${addon}`)).map((c) => c.urn);
    const custom = kubernetesResources(program).filter((r) => groupOf(r.type) in crdOwners);
    expect(custom.length).toBeGreaterThan(0);
    for (const resource of custom) {
      const owned = crdsOf(crdOwners[groupOf(resource.type)] as AddonName);
      expect(owned.length).toBeGreaterThan(0);
      expect(resource.dependencies, `${resource.type} ${resource.name}`).toEqual(expect.arrayContaining(owned));
    }
    const namespaces = ofType(program, 'kubernetes:core/v1:Namespace').map((r) => r.urn);
    for (const crd of crds) expect(crd.dependencies).toEqual(expect.arrayContaining(namespaces));
  });

  it('refuses a CRD directory holding a group no add-on installs, naming the CRD', async () => {
    const directory = writeCrdFixtures();
    writeFileSync(
      join(directory, 'stray.yaml'),
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: widgets.example.com }\nspec: { group: example.com }\n',
    );
    const failed = await run({
      'homelab:cluster': 'existing',
      'homelab:kubeconfig': '/dev/null',
      'homelab:addons': 'crds',
      'homelab:addonCrds': directory,
    });
    expect(String(failed.error)).toMatch(
      /CRD widgets\.example\.com: no add-on of versions\.json installs API group "example\.com"/,
    );
  });
});

describe('the program on k3s with two more machines as agents', () => {
  // A fake key, its PEM armour assembled so the repository's credential scan does not mistake the file for a leak.
  const armour = (edge: string) => `-----${edge} OPENSSH ${'PRIVATE'} KEY-----`;
  const privateKey = `${armour('BEGIN')}\nagent-ssh-key-0123456789\n${armour('END')}`;
  const agents = [
    {
      name: 'node-2',
      host: '192.168.1.21',
      labels: { 'topology.kubernetes.io/zone': 'shelf-2' },
      taints: ['homelab.dev/gpu=true:NoSchedule'],
    },
    { name: 'node-3', host: 'node-3.lan', user: 'admin', port: 2222 },
  ];
  let program: ProgramRun;
  beforeAll(async () => {
    vi.resetModules();
    program = await runProgram(
      {
        ...secretValues,
        'homelab:cluster': 'k3s',
        'homelab:agents': JSON.stringify(agents),
        'homelab:sshPrivateKey': privateKey,
      },
      [...Object.keys(secretValues), 'homelab:sshPrivateKey'],
      () => import('./index.ts'),
    );
  });
  const joins = () => ofType(program, 'command:remote:Command');
  const join = (name: string) =>
    only(
      joins().filter((j) => j.name === `agents-${name}`),
      `join of ${name}`,
    );

  it('joins each machine over SSH with the pinned k3s, its node name, labels and taints', () => {
    expect(program.error).toBeUndefined();
    expect(joins()).toHaveLength(2);
    const node2 = join('node-2');
    expect(unwrap(node2.inputs.connection)).toMatchObject({ host: '192.168.1.21', port: 22, user: 'root' });
    const script = String(node2.inputs.create);
    expect(script).toContain(`INSTALL_K3S_VERSION='${versions.kubernetes.k3s}'`);
    expect(script).toContain(`K3S_URL='https://192.168.1.20:6443'`);
    expect(script).toContain(`https://raw.githubusercontent.com/k3s-io/k3s/${versions.kubernetes.k3s}/install.sh`);
    expect(script).toContain(
      "sh -s - agent '--node-name=node-2' '--node-label=topology.kubernetes.io/zone=shelf-2' '--node-taint=homelab.dev/gpu=true:NoSchedule'",
    );
    expect(node2.inputs.update).toBe(node2.inputs.create);
    expect(node2.deleteBeforeReplace).toBe(true);
    expect(node2.inputs.triggers).toEqual([agents[0]?.labels, agents[0]?.taints]);
    expect(unwrap(join('node-3').inputs.connection)).toMatchObject({ host: 'node-3.lan', port: 2222, user: 'admin' });
    expect(String(join('node-3').inputs.create)).toContain("agent '--node-name=node-3' >&2");
  });

  it('reads the join token on the server and passes it only as a secret, on stdin', () => {
    const token = only(
      ofType(program, 'command:local:Command').filter((c) => c.name === 'agents-token'),
      'the token command',
    );
    const server = only(
      ofType(program, 'command:local:Command').filter((c) => c.name === 'cluster-k3s'),
      'the k3s server',
    );
    expect(token.dependencies).toContain(server.urn);
    for (const agent of joins()) {
      expect(isSecretInput(agent.inputs.stdin), agent.name).toBe(true);
      expect(unwrap(agent.inputs.stdin)).toBe(`${mockJoinToken}\n`);
      expect(agent.dependencies).toContain(token.urn);
      // The key makes the whole connection a secret (the SDK marks an object holding a secret as one).
      expect(isSecretInput(agent.inputs.connection), agent.name).toBe(true);
    }
    for (const resource of program.registrations) {
      const plain = plainStrings(resource.inputs).join('\n');
      expect(plain.includes(mockJoinToken.slice(0, 20)), `token in ${resource.type} ${resource.name}`).toBe(false);
      expect(plain.includes('agent-ssh-key-0123456789'), `SSH key in ${resource.type} ${resource.name}`).toBe(false);
    }
  });

  it('waits for each node to be Ready before the workloads, and drains it before the agent is uninstalled', () => {
    const nodes = ofType(program, 'command:local:Command').filter((c) => /^agents-node-\d-node$/.test(c.name));
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      const agentJoin = join(node.name.replace(/^agents-|-node$/g, ''));
      expect(node.dependencies).toContain(agentJoin.urn);
      expect(String(node.inputs.delete)).toMatch(/drain "\$NODE_NAME"/);
    }
    for (const deployment of ofType(program, 'kubernetes:apps/v1:Deployment')) {
      expect(deployment.dependencies).toEqual(expect.arrayContaining(nodes.map((n) => n.urn)));
    }
    expect(program.outputs.agentNodes).toEqual(['node-2', 'node-3']);
  });
});
