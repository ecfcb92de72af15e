import { webUsers } from '@homelab/platform';

/**
 * The secrets a stack must hold, only ever in its encrypted config (`pulumi config set --secret`). Each entry
 * says what it is for and gives the exact command that sets it, so a preflight can name every missing one.
 */
export interface StackSecretSpec {
  /** Config key in the `homelab` namespace. */
  readonly key: StackSecretKey;
  readonly purpose: string;
  /** The command that sets it; run from infra/pulumi. */
  readonly setCommand: string;
  /** Checks a value that is set; returns what is wrong, or undefined. */
  readonly validate?: (value: string) => string | undefined;
}

export type StackSecretKey =
  | 'postgresPassword'
  | 'jwtSecret'
  | 'identityTokenSecret'
  | 'webSessionSecret'
  | 'webUsers'
  | 'apiAdminToken'
  | 'gatewayApiKeys'
  | 'metricsToken'
  | 'grafanaAdminPassword'
  | 'alertPageWebhookUrl'
  | 'alertTicketWebhookUrl'
  | 'alertHeartbeatUrl';

const random = (bytes: number) => `"$(openssl rand -hex ${bytes})"`;

const minLength = (length: number) => (value: string) =>
  value.length >= length ? undefined : `is ${value.length} characters; it needs at least ${length}`;

const httpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'is not an http(s) URL';
  } catch {
    return 'is not a URL';
  }
};

/** `{ "<identity>": "<key>" }`: each identity's key, hashed before it reaches the cluster. */
const apiKeyMap = (value: string) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'is not an object of identity -> key (set it with --path, as shown)';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    return 'holds no identity -> key entries (set one with --path, as shown)';
  }
  for (const [identity, key] of Object.entries(parsed)) {
    if (typeof key !== 'string' || key.length < 32) return `key of "${identity}" needs at least 32 characters`;
  }
  return undefined;
};

/** WEB_USERS: whitespace-separated `name:<argon2id PHC>` entries, never a plain password. */
const webUserList = (value: string) => {
  const entries = value.split(/\s+/).filter(Boolean);
  if (entries.length === 0) return 'names no user (make one with homelab hash-password, as shown)';
  for (const entry of entries) {
    const at = entry.indexOf(':');
    const name = entry.slice(0, at);
    if (at <= 0 || !webUsers.namePattern.test(name)) return `"${entry.slice(0, 12)}…" is not name:<hash>`;
    if (!entry.slice(at + 1).startsWith(webUsers.hashPrefix)) return `the hash of "${name}" is not argon2id`;
  }
  return undefined;
};

export const stackSecrets: readonly StackSecretSpec[] = [
  {
    key: 'postgresPassword',
    purpose: 'password of the notes database user',
    setCommand: `pulumi config set --secret postgresPassword ${random(24)}`,
    validate: minLength(16),
  },
  {
    key: 'jwtSecret',
    purpose: 'HS256 key the gateway verifies bearer tokens with',
    setCommand: `pulumi config set --secret jwtSecret ${random(32)}`,
    validate: minLength(32),
  },
  {
    key: 'identityTokenSecret',
    purpose: 'HS256 key the gateway signs identity tokens with and the API verifies them with',
    setCommand: `pulumi config set --secret identityTokenSecret ${random(32)}`,
    validate: minLength(32),
  },
  {
    key: 'webSessionSecret',
    purpose: "HMAC key of the web app's session cookie",
    setCommand: `pulumi config set --secret webSessionSecret ${random(32)}`,
    validate: minLength(32),
  },
  {
    key: 'webUsers',
    purpose: 'who may sign in to the web app (argon2id hashes; the password is printed once, never stored)',
    setCommand: 'pulumi config set --secret webUsers "$(homelab hash-password --user demo)"',
    validate: webUserList,
  },
  {
    key: 'apiAdminToken',
    purpose: "bearer token of the API's admin endpoints",
    setCommand: `pulumi config set --secret apiAdminToken ${random(32)}`,
    validate: minLength(32),
  },
  {
    key: 'gatewayApiKeys',
    purpose: 'API keys per caller identity (the cluster only ever sees their SHA-256)',
    setCommand: `pulumi config set --secret --path 'gatewayApiKeys.admin' ${random(32)}`,
    validate: apiKeyMap,
  },
  {
    key: 'metricsToken',
    purpose: "bearer token Prometheus presents for the gateway's /metrics (ADR 0122; the gateway refuses others)",
    setCommand: `pulumi config set --secret metricsToken ${random(32)}`,
    validate: minLength(32),
  },
  {
    key: 'grafanaAdminPassword',
    purpose: "Grafana's admin password",
    setCommand: `pulumi config set --secret grafanaAdminPassword ${random(16)}`,
    validate: minLength(12),
  },
  {
    key: 'alertPageWebhookUrl',
    purpose: 'webhook that pages you (e.g. an ntfy topic URL)',
    setCommand: 'pulumi config set --secret alertPageWebhookUrl https://ntfy.sh/<your-page-topic>',
    validate: httpUrl,
  },
  {
    key: 'alertTicketWebhookUrl',
    purpose: 'webhook for alerts that can wait until working hours',
    setCommand: 'pulumi config set --secret alertTicketWebhookUrl https://ntfy.sh/<your-ticket-topic>',
    validate: httpUrl,
  },
  {
    key: 'alertHeartbeatUrl',
    purpose: "dead-man's switch pinged every minute (e.g. a healthchecks.io check URL)",
    setCommand: 'pulumi config set --secret alertHeartbeatUrl https://hc-ping.com/<uuid>',
    validate: httpUrl,
  },
];
