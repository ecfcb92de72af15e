import { apps, canaryGate, local } from '@homelab/platform';
import { baseEnvSchema, envPort, parseEnv } from '@homelab/service-kit';
import { z } from 'zod';
import { parseUsers } from './users.ts';

const loopback = (port: number) => `http://127.0.0.1:${port}`;

/** The web app's configuration; the only place that reads its environment. */
export const webEnvSchema = baseEnvSchema.extend({
  PORT: envPort(apps.web.port),
  /** Every API call goes through the gateway, never to the API directly. */
  GATEWAY_URL: z.url().default(loopback(apps.gateway.port)),
  GATEWAY_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Shared with the gateway: the web app mints a short-lived bearer token for the signed-in identity. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** Signs the session cookie. */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /**
   * Where sign-outs are kept so every replica refuses a signed-out cookie (ADR 0121). Unset: this process' memory,
   * enough for one replica (local runs).
   */
  REDIS_URL: z.url().optional(),
  /**
   * Who may sign in: whitespace-separated `name:<argon2id hash>` (users.ts). Locally `homelab up` generates the
   * demo user's password into .data/secrets.json and passes only its hash; in the cluster WEB_USERS_FILE names
   * the mounted Secret. Unset: nobody can sign in (the page says so; the status page still works). A malformed
   * value stops start-up.
   */
  WEB_USERS: z
    .string()
    .superRefine((text, ctx) => {
      try {
        parseUsers(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .optional(),
  /** Cookies get `Secure` when the site is served over HTTPS (the cluster); not on http://localhost. */
  COOKIE_SECURE: z.enum(['true', 'false']).default('false'),
  /**
   * The only signed-in identity whose synthetic-traffic tag counts (ADR 0130): the canary gate's web profile signs
   * in as it. Web is public, so nobody else's tag is trusted.
   */
  SYNTHETIC_IDENTITY: z.string().min(1).default(canaryGate.synthetic.identity),
  /** Status page source; unset: each service's own /metrics. */
  PROMETHEUS_URL: z.url().optional(),
  /** The canary deploy history `homelab deploy` appends to (JSON lines), shown at /deploys. */
  DEPLOY_HISTORY_FILE: z.string().min(1).optional(),
  /** `name=url,...` of the services whose /metrics the status page reads without Prometheus. */
  METRICS_TARGETS: z
    .string()
    .default(
      `api=${loopback(apps.api.port)},gateway=${loopback(apps.gateway.port)},web=${loopback(apps.web.port)},api-canary=${loopback(local.canaryApiPort)}`,
    ),
});

export type WebEnv = z.infer<typeof webEnvSchema>;

export const loadWebEnv = (source?: Record<string, string | undefined>): WebEnv => parseEnv(webEnvSchema, source);

/** `api=http://...,gateway=http://...` -> entries; a malformed entry names itself. */
export function parseTargets(text: string): { name: string; url: string }[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf('=');
      if (at <= 0) throw new Error(`METRICS_TARGETS: "${entry}" is not name=url`);
      return { name: entry.slice(0, at), url: entry.slice(at + 1) };
    });
}
