import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Credentials of the local platform, generated on first run into the data directory (gitignored). */
export interface LocalSecrets {
  /** The demo identity's API key, for curl against the gateway. */
  readonly demoApiKey: string;
  /** HS256 secret: the web app signs bearer tokens with it, the gateway verifies them. */
  readonly jwtSecret: string;
  /** Bearer token of the admin endpoints (weights, faults). */
  readonly adminToken: string;
  /** Signs the web app's session cookie. */
  readonly sessionSecret: string;
  /** The gateway signs identity tokens with it, the API verifies them (ADR 0071). */
  readonly identityTokenSecret: string;
  /** The web sign-in password of the demo identity; the web app gets only its argon2id hash. */
  readonly demoPassword: string;
}

export const demoIdentity = 'demo';

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * Loads the secrets file, creating it (mode 0600) when absent, so a second run keeps the same keys and a
 * browser session survives a restart. Never committed: `.data/` is ignored.
 */
export function loadOrCreateSecrets(path: string): LocalSecrets {
  const existing = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalSecrets>) : {};
  const generated: LocalSecrets = {
    demoApiKey: token(32),
    jwtSecret: token(48),
    adminToken: token(24),
    sessionSecret: token(32),
    identityTokenSecret: token(32),
    // 16 random bytes: far beyond guessing at the sign-in's rate limit, short enough to type.
    demoPassword: token(16),
  };
  // Keys a file from an older version lacks are added, the ones it has are kept (sessions and keys survive).
  const secrets: LocalSecrets = { ...generated, ...existing };
  if (Object.keys(generated).some((key) => !(key in existing))) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
