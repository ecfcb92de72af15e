import * as pulumi from '@pulumi/pulumi';
import { hostProbe } from './host-probe.ts';
import { formatPreflightReport, type PreflightFacts, preflightProblems, type SecretFact } from './preflight-checks.ts';
import { stackSecrets } from './stack-secrets.ts';
import type { ClusterFlavour } from './stack-settings.ts';

/**
 * Plain values, not Inputs: the checks run before anything exists, so there is nothing to wait for, and a
 * preview must be able to fail on them.
 */
export interface PreflightArgs {
  readonly cluster: ClusterFlavour;
  /** The kind cluster's name: when it exists, the host ports are its own. */
  readonly clusterName: string;
  /** Host ports the gateway needs (kind maps them into the cluster). */
  readonly hostPorts: readonly number[];
  readonly k3sInstall: boolean;
  readonly k3sKubeconfig: string;
  /** existing: the kubeconfig file of the cluster. */
  readonly kubeconfig?: string;
  /** Configured address; undefined: detect this machine's LAN IPv4. */
  readonly nodeAddress?: string;
  /** Every hostname the gateway serves (read from the manifests' routes). */
  readonly hostnames: readonly string[];
}

export interface PreflightResult {
  readonly nodeAddress: string;
  readonly hostnames: readonly string[];
}

/** The SDK's own test for an encrypted config key (exported at run time, left out of its typings). */
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;

/** What the stack's config holds for each required secret: read here, never passed around as plain values. */
export function readSecretFacts(config: pulumi.Config): SecretFact[] {
  return stackSecrets.map(({ key }) => {
    const value = config.get(key);
    return {
      key,
      ...(value !== undefined ? { value } : {}),
      encrypted: isConfigSecret(`${config.name}:${key}`),
    };
  });
}

const portsInUse = async (ports: readonly number[]) => {
  const answers = await Promise.all(ports.map((port) => hostProbe.listening(port)));
  return ports.filter((_, index) => answers[index]);
};

/**
 * Checks the machine and the stack before anything is created: hostnames resolve to this machine, every secret
 * is set (encrypted), the cluster's tools are present. It fails the run (preview included) with one message that
 * names each problem and what to do; everything else `dependsOn` it, so nothing starts half-way.
 */
export class Preflight extends pulumi.ComponentResource<PreflightResult> {
  /** What the checks found (rejects with the report when they failed). */
  readonly result: Promise<PreflightResult>;

  constructor(name: string, args: PreflightArgs, opts?: pulumi.ComponentResourceOptions) {
    super('homelab:preflight:Preflight', name, { ...args }, opts);
    this.result = this.getData();
  }

  /** Runs inside the constructor; a rejection here fails every resource that depends on this component. */
  protected override async initialize(args: pulumi.Inputs): Promise<PreflightResult> {
    const { cluster, clusterName, hostPorts, k3sInstall, k3sKubeconfig, kubeconfig, hostnames } = args as PreflightArgs;
    const nodeAddress = (args as PreflightArgs).nodeAddress ?? hostProbe.nodeAddress();
    const commands = { kind: ['docker', 'kind'], k3s: ['curl'], existing: [] }[cluster];
    const [resolved, onPath] = await Promise.all([hostProbe.resolve(hostnames), hostProbe.onPath(commands)]);
    const facts: PreflightFacts = {
      cluster,
      k3sInstall,
      k3sKubeconfig,
      ...(kubeconfig ? { kubeconfig } : {}),
      ...(nodeAddress ? { nodeAddress } : {}),
      hostnames: resolved,
      secrets: readSecretFacts(new pulumi.Config('homelab')),
      tools: {
        onPath,
        ...(cluster === 'kind' && onPath.docker ? { dockerDaemon: await hostProbe.dockerAnswers() } : {}),
        ...(cluster === 'kind' && onPath.kind && !(await hostProbe.kindClusterExists(clusterName))
          ? { hostPortsInUse: await portsInUse(hostPorts) }
          : {}),
        ...(cluster === 'k3s' && !k3sInstall ? { k3sKubeconfigReadable: await hostProbe.readable(k3sKubeconfig) } : {}),
        ...(cluster === 'existing' && kubeconfig ? { kubeconfigReadable: await hostProbe.readable(kubeconfig) } : {}),
      },
    };
    const problems = preflightProblems(facts, stackSecrets);
    if (problems.length > 0) throw new pulumi.RunError(formatPreflightReport(problems));
    pulumi.log.info(
      `preflight passed: ${hostnames.join(', ')} -> ${nodeAddress}; ${stackSecrets.length} secrets set${commands.length > 0 ? `; ${commands.join(', ')} present` : ''}`,
    );
    return { nodeAddress: nodeAddress as string, hostnames };
  }
}
