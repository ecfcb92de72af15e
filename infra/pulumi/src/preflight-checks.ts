import { versions } from '@homelab/platform';
import { k3sInstallCommand } from './k3s-install.ts';
import type { StackSecretSpec } from './stack-secrets.ts';
import type { ClusterFlavour } from './stack-settings.ts';

/** How one hostname resolved on this machine. */
export interface HostnameFact {
  readonly hostname: string;
  readonly addresses: readonly string[];
  /** The resolver's error code (ENOTFOUND, EAI_AGAIN...) when it did not resolve. */
  readonly error?: string;
}

/** What the stack's config holds for one secret; `value` only when set. */
export interface SecretFact {
  readonly key: string;
  readonly value?: string;
  /** True when the config stores it encrypted (`--secret`); a plain-text secret sits in Pulumi.<stack>.yaml. */
  readonly encrypted: boolean;
}

export interface ToolFacts {
  /** Which commands are on PATH. */
  readonly onPath: Readonly<Record<string, boolean>>;
  /** `docker info` answered (kind only). */
  readonly dockerDaemon?: boolean;
  /** The k3s kubeconfig can be read by this user (k3s only). */
  readonly k3sKubeconfigReadable?: boolean;
  /** kind, before its cluster exists: host ports the cluster needs that something else already serves. */
  readonly hostPortsInUse?: readonly number[];
  /** The kubeconfig file of an existing cluster can be read (existing only). */
  readonly kubeconfigReadable?: boolean;
}

export interface PreflightFacts {
  readonly cluster: ClusterFlavour;
  readonly k3sInstall: boolean;
  readonly k3sKubeconfig: string;
  /** existing: homelab:kubeconfig. */
  readonly kubeconfig?: string;
  /** The address the hostnames must resolve to; undefined when none was configured or detected. */
  readonly nodeAddress?: string;
  readonly hostnames: readonly HostnameFact[];
  readonly secrets: readonly SecretFact[];
  readonly tools: ToolFacts;
}

export type PreflightArea = 'dns' | 'secret' | 'tool';

export interface PreflightProblem {
  readonly area: PreflightArea;
  /** What is wrong and exactly what to do about it. */
  readonly message: string;
}

const isLoopback = (address: string) => address.startsWith('127.') || address === '::1';

/**
 * Every hostname must resolve to this machine: the gateway listens on its ports 80/443. Unresolved names get one
 * /etc/hosts line (and the router alternative) covering all of them; a name that resolves elsewhere is the
 * split-horizon case and is named with the address it got.
 */
export function hostnameProblems(hostnames: readonly HostnameFact[], nodeAddress?: string): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const address = nodeAddress ?? '<this machine LAN IP>';
  if (nodeAddress === undefined) {
    problems.push({
      area: 'dns',
      message:
        "could not detect this machine's LAN address: set it with `pulumi config set nodeAddress <IPv4>` (see `ip -4 addr`)",
    });
  }
  const unresolved = hostnames.filter((h) => h.addresses.length === 0);
  if (unresolved.length > 0) {
    const names = unresolved.map((h) => h.hostname);
    problems.push({
      area: 'dns',
      message:
        `${names.join(', ')} ${names.length === 1 ? 'does' : 'do'} not resolve (${unresolved.map((h) => h.error ?? 'no address').join(', ')}). ` +
        `Add this line to /etc/hosts on this machine and on every device that opens the platform:\n` +
        `      ${address} ${names.join(' ')}\n` +
        `    or, for the whole network, add a local DNS record on your router (dnsmasq/Pi-hole/AdGuard: "local DNS"): ${names.map((n) => `${n} -> ${address}`).join(', ')}`,
    });
  }
  if (nodeAddress !== undefined) {
    for (const fact of hostnames) {
      if (fact.addresses.length === 0) continue;
      if (fact.addresses.includes(nodeAddress) || fact.addresses.some(isLoopback)) continue;
      problems.push({
        area: 'dns',
        message:
          `${fact.hostname} resolves to ${fact.addresses.join(', ')}, not to this machine (${nodeAddress}): a DNS record elsewhere (split horizon) wins. ` +
          `Point it at ${nodeAddress} in your router's local DNS, or add "${nodeAddress} ${fact.hostname}" to /etc/hosts; ` +
          'if this machine has a different address on your LAN, set it with `pulumi config set nodeAddress <IPv4>`',
      });
    }
  }
  return problems;
}

/** Names each missing, plain-text or malformed secret with the command that sets it. */
export function secretProblems(specs: readonly StackSecretSpec[], facts: readonly SecretFact[]): PreflightProblem[] {
  const byKey = new Map(facts.map((f) => [f.key, f]));
  const problems: PreflightProblem[] = [];
  for (const spec of specs) {
    const fact = byKey.get(spec.key);
    if (fact?.value === undefined) {
      problems.push({
        area: 'secret',
        message: `homelab:${spec.key} is not set (${spec.purpose}): ${spec.setCommand}`,
      });
      continue;
    }
    if (!fact.encrypted) {
      problems.push({
        area: 'secret',
        message:
          `homelab:${spec.key} is stored in plain text in Pulumi.<stack>.yaml: ` +
          `pulumi config rm ${spec.key} && ${spec.setCommand}`,
      });
      continue;
    }
    const invalid = spec.validate?.(fact.value);
    if (invalid) {
      problems.push({ area: 'secret', message: `homelab:${spec.key} ${invalid}: ${spec.setCommand}` });
    }
  }
  return problems;
}

/** The tools the chosen cluster needs, each missing one named with how to get it. */
export function toolProblems(
  facts: Pick<PreflightFacts, 'cluster' | 'k3sInstall' | 'k3sKubeconfig' | 'kubeconfig' | 'tools'>,
): PreflightProblem[] {
  const { onPath, dockerDaemon, k3sKubeconfigReadable, hostPortsInUse = [] } = facts.tools;
  const problems: PreflightProblem[] = [];
  if (facts.cluster === 'existing') {
    if (!facts.tools.kubeconfigReadable) {
      problems.push({
        area: 'tool',
        message: `cannot read the kubeconfig ${facts.kubeconfig ?? '(homelab:kubeconfig not set)'} of the existing cluster: point homelab:kubeconfig at a readable file (pulumi config set kubeconfig ~/.kube/config)`,
      });
    }
    return problems;
  }
  if (facts.cluster === 'kind') {
    if (!onPath.docker) {
      problems.push({
        area: 'tool',
        message:
          'docker is not on PATH: install Docker Engine (https://docs.docker.com/engine/install/), then `sudo usermod -aG docker $USER` and log in again',
      });
    } else if (dockerDaemon === false) {
      problems.push({
        area: 'tool',
        message:
          '`docker info` failed: start the daemon (`sudo systemctl enable --now docker`) and make sure your user is in the docker group (`sudo usermod -aG docker $USER`, then log in again)',
      });
    }
    for (const port of hostPortsInUse) {
      problems.push({
        area: 'tool',
        message: `port ${port} of this machine is already in use, and the kind cluster forwards it to the gateway: find the program with \`sudo ss -ltnp 'sport = :${port}'\` and stop it (often a web server such as nginx or apache2)`,
      });
    }
    if (!onPath.kind) {
      problems.push({
        area: 'tool',
        message: `kind is not on PATH: \`go install sigs.k8s.io/kind@${versions.kubernetes.kind}\` (or the release binary of ${versions.kubernetes.kind}), or choose k3s: \`pulumi config set cluster k3s\``,
      });
    }
    return problems;
  }
  if (facts.k3sInstall) {
    if (!onPath.curl) {
      problems.push({
        area: 'tool',
        message: 'curl is not on PATH (the k3s installer needs it): sudo apt-get install curl',
      });
    }
    return problems;
  }
  if (!k3sKubeconfigReadable) {
    problems.push({
      area: 'tool',
      message:
        `cannot read the k3s kubeconfig ${facts.k3sKubeconfig}. Install k3s ${versions.kubernetes.k3s} with:\n` +
        `      ${k3sInstallCommand()}\n` +
        `    (already installed? \`sudo chmod 0644 ${facts.k3sKubeconfig}\`), or let the program install it: \`pulumi config set k3sInstall true\``,
    });
  }
  return problems;
}

export function preflightProblems(facts: PreflightFacts, specs: readonly StackSecretSpec[]): PreflightProblem[] {
  return [
    ...toolProblems(facts),
    ...secretProblems(specs, facts.secrets),
    ...hostnameProblems(facts.hostnames, facts.nodeAddress),
  ];
}

/** One message listing every problem, so a single run shows all there is to fix. */
export function formatPreflightReport(problems: readonly PreflightProblem[]): string {
  const lines = problems.map((p, index) => `  ${index + 1}. [${p.area}] ${p.message}`);
  return [
    `Preflight found ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was created. Fix ${problems.length === 1 ? 'it' : 'each'}, then run \`pulumi up\` again:`,
    ...lines,
  ].join('\n');
}
