import { z } from 'zod';

/** RFC 1123 label, as Kubernetes requires of a node name. */
const nodeName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a lower-case DNS label (letters, digits, "-")')
  .max(63);

/** `key=value:Effect` or `key:Effect`, the form `k3s agent --node-taint` and `kubectl taint` take. */
const taint = z
  .string()
  .regex(
    /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?(=[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?:(NoSchedule|PreferNoSchedule|NoExecute)$/,
    'key=value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute',
  );

/** A label value may be empty; a `=` or `,` in it would break the `--node-label` flag. */
const labels = z.record(
  z
    .string()
    .regex(
      /^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
      'a label key such as topology.kubernetes.io/zone',
    ),
  z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'a label value (letters, digits, "-", "_", ".")'),
);

const agent = z.strictObject({
  /** The Kubernetes node name the machine joins as. */
  name: nodeName,
  /** SSH address (host name or IP) of the machine. */
  host: z.string().min(1),
  /** SSH user; default root. Any other user needs passwordless sudo (the installer writes to /usr/local and systemd). */
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$/)
    .default('root'),
  /** SSH port; default 22. */
  port: z.number().int().min(1).max(65535).default(22),
  /**
   * The machine's SSH host key (`ssh-keyscan -t ed25519 HOST`, the part after the host name); default none, and
   * then any host key is accepted: set it unless the network is trusted.
   */
  hostKey: z.string().min(1).optional(),
  /** Node labels, e.g. `{ "topology.kubernetes.io/zone": "shelf-2" }`; default none. */
  labels: labels.default({}),
  /** Node taints (`key=value:Effect`); default none. */
  taints: z.array(taint).default([]),
});

/** One machine that joins the k3s server as an agent, from `homelab:agents`. */
export type K3sAgentSettings = z.infer<typeof agent>;

const agents = z.array(agent).superRefine((list, context) => {
  const seen = new Set<string>();
  for (const [index, { name }] of list.entries()) {
    if (seen.has(name))
      context.addIssue({ code: 'custom', path: [index, 'name'], message: `"${name}" is listed twice` });
    seen.add(name);
  }
});

/**
 * Parses `homelab:agents` (a JSON list, as `pulumi config set --path` writes it). Undefined: no agents. A bad entry
 * throws an error naming its path, e.g. `homelab:agents[1].taints[0]`.
 */
export function parseAgents(raw: string | undefined): K3sAgentSettings[] {
  if (raw === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error(
      `homelab:agents is not JSON: pulumi config set --path 'agents[0].name' node-2 (see infra/pulumi/README.md)`,
    );
  }
  const parsed = agents.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new Error(`homelab:agents${path}: ${issue?.message}`);
  }
  return parsed.data;
}
