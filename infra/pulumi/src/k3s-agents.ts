import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import type { K3sAgentSettings } from './agent-settings.ts';
import { agentJoin, agentLeave, nodeReady, nodeRemove, readServerToken } from './k3s-agent-scripts.ts';
import { k3sApiServerPort } from './k3s-install.ts';

export interface K3sAgentsArgs {
  readonly agents: readonly K3sAgentSettings[];
  /** The server's address the agents reach (the preflight's node address). */
  readonly serverAddress: pulumi.Input<string>;
  /** The pinned k3s release; agents run the server's version. */
  readonly k3sVersion: pulumi.Input<string>;
  /** Where the server's kubeconfig is (for the Ready wait and the drain). */
  readonly k3sKubeconfig: pulumi.Input<string>;
  /** SSH private key (a secret); undefined: the ssh-agent of SSH_AUTH_SOCK. */
  readonly sshPrivateKey?: pulumi.Input<string>;
}

/** Components do not pass `dependsOn` on to their children: the token command gets it (the k3s server). */
export interface K3sAgentsOptions extends pulumi.ComponentResourceOptions {
  readonly dependsOn?: pulumi.Resource[];
}

/**
 * More machines in the k3s cluster: each joins the server as an agent over SSH, with the pinned k3s, its node
 * name, labels and taints. The join token is read from the server and stays a secret end to end (stdin of the
 * remote command, never its script or environment). Labels and taints apply when a node registers, so changing
 * them replaces the agent (uninstall, then join again); a new k3s version upgrades it in place.
 */
export class K3sAgents extends pulumi.ComponentResource {
  /** Node name -> the command that waits for that node to be Ready. */
  readonly nodes: ReadonlyMap<string, command.local.Command>;

  constructor(name: string, args: K3sAgentsArgs, opts?: K3sAgentsOptions) {
    super('homelab:cluster:K3sAgents', name, {}, opts);
    const token = new command.local.Command(
      `${name}-token`,
      { create: readServerToken, logging: command.types.enums.local.Logging.Stderr },
      { parent: this, dependsOn: opts?.dependsOn ?? [], additionalSecretOutputs: ['stdout'] },
    );
    const joinToken = pulumi.secret(token.stdout.apply((out) => `${out.trim()}\n`));
    const serverUrl = pulumi.interpolate`https://${args.serverAddress}:${k3sApiServerPort}`;
    const nodes = new Map<string, command.local.Command>();
    for (const agent of args.agents) {
      const script = pulumi
        .all([serverUrl, args.k3sVersion])
        .apply(([url, version]) => agentJoin(agent, { serverUrl: url, version }));
      const join = new command.remote.Command(
        `${name}-${agent.name}`,
        {
          connection: {
            host: agent.host,
            port: agent.port,
            user: agent.user,
            ...(agent.hostKey ? { hostKey: agent.hostKey } : {}),
            ...(args.sshPrivateKey ? { privateKey: pulumi.secret(args.sshPrivateKey) } : {}),
          },
          create: script,
          update: script,
          delete: agentLeave,
          stdin: joinToken,
          // Registration-time settings: a change needs a fresh join. The version is not here (update upgrades).
          triggers: [agent.labels, agent.taints],
          logging: command.types.enums.remote.Logging.Stderr,
        },
        { parent: this, deleteBeforeReplace: true },
      );
      nodes.set(
        agent.name,
        new command.local.Command(
          `${name}-${agent.name}-node`,
          {
            create: nodeReady,
            delete: nodeRemove,
            environment: { NODE_NAME: agent.name, K3S_KUBECONFIG: args.k3sKubeconfig },
            triggers: [agent.labels, agent.taints],
            logging: command.types.enums.local.Logging.Stderr,
          },
          // Depends on the join, so destroy drains and removes the node before the agent is uninstalled.
          { parent: this, dependsOn: [join], deleteBeforeReplace: true },
        ),
      );
    }
    this.nodes = nodes;
    pulumi.log.info(
      `k3s agents: ${args.agents.map((a) => `${a.name} (${a.user}@${a.host}:${a.port})`).join(', ')} join over SSH; each waits until its node is Ready`,
      this,
    );
    this.registerOutputs({ nodes: [...nodes.keys()] });
  }
}
