import { webUsers } from '@homelab/platform';
import { hash, verify } from '@node-rs/argon2';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

/** User names: the same character set the gateway accepts as an identity, lower case. */
export const userNamePattern = webUsers.namePattern;

/**
 * A PHC string `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` for a password (what WEB_USERS holds). @node-rs/argon2's
 * defaults are OWASP's first recommended setting: argon2id, 19 MiB, 2 passes, 1 lane; slow enough to make an
 * offline guess expensive, cheap enough (tens of ms) for a small pod's sign-in. Verification reads the
 * parameters back from the stored string, so raising them later needs no migration.
 */
export const hashPassword = (password: string): Promise<string> => hash(password);

/**
 * `WEB_USERS`: whitespace-separated `name:<argon2id PHC hash>` entries (PHC strings contain commas, never
 * whitespace). Throws naming the first bad entry, so a malformed value stops start-up.
 */
export function parseUsers(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const entry of text.split(/\s+/).filter(Boolean)) {
    const at = entry.indexOf(':');
    const name = entry.slice(0, at);
    const phc = entry.slice(at + 1);
    if (at <= 0 || !userNamePattern.test(name)) throw new Error(`"${entry.slice(0, 20)}…" is not name:hash`);
    if (!phc.startsWith(webUsers.hashPrefix)) throw new Error(`the hash of "${name}" is not an argon2id PHC string`);
    users.set(name, phc);
  }
  if (users.size === 0) throw new Error('names no user');
  return users;
}

export interface SignInLimits {
  /** Failed attempts per user name before it is locked for `lockSeconds`. Default 5. */
  readonly failuresPerName?: number;
  /** Failed attempts per client address (any name) before it is locked. Default 20. */
  readonly failuresPerClient?: number;
  /** Default 900 (15 minutes). */
  readonly lockSeconds?: number;
}

export type SignInResult =
  | { readonly ok: true; readonly user: string }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'locked'; readonly retryAfterSeconds: number };

/**
 * Checks user name and password. Failures are limited per name (guessing one account's password) and per client
 * (trying many names), with rate-limiter-flexible; a success clears the name's count. An unknown name costs the
 * same argon2 verification as a known one, so timing does not tell which names exist. The result never says
 * which of name or password was wrong. Counts are per process: with several replicas an attacker gets that many
 * times the budget, still far below what an argon2id-hashed random password needs.
 */
export async function createUserDirectory(usersText: string | undefined, limits: SignInLimits = {}) {
  // No users configured: every sign-in fails (the same generic answer); `configured` lets the page say why.
  const users = usersText === undefined ? new Map<string, string>() : parseUsers(usersText);
  const duration = limits.lockSeconds ?? 900;
  const perName = new RateLimiterMemory({ points: limits.failuresPerName ?? 5, duration, keyPrefix: 'name' });
  const perClient = new RateLimiterMemory({ points: limits.failuresPerClient ?? 20, duration, keyPrefix: 'client' });
  // Verified against when the name is unknown: same cost, always false.
  const decoy = await hashPassword(crypto.randomUUID());

  const lockedFor = async (name: string, client: string): Promise<number | undefined> => {
    const [byName, byClient] = await Promise.all([perName.get(name), perClient.get(client)]);
    const exhausted = [byName, byClient].filter(
      (res): res is RateLimiterRes => res !== null && res.remainingPoints <= 0 && res.msBeforeNext > 0,
    );
    if (exhausted.length === 0) return undefined;
    return Math.ceil(Math.max(...exhausted.map((res) => res.msBeforeNext)) / 1000);
  };

  return {
    configured: users.size > 0,
    async signIn(rawName: string, password: string, client: string): Promise<SignInResult> {
      const name = rawName.trim().toLowerCase();
      const retryAfterSeconds = await lockedFor(name, client);
      if (retryAfterSeconds !== undefined) return { ok: false, reason: 'locked', retryAfterSeconds };
      const stored = userNamePattern.test(name) ? users.get(name) : undefined;
      const matches = await verify(stored ?? decoy, password).catch(() => false);
      if (stored !== undefined && matches) {
        await perName.delete(name);
        return { ok: true, user: name };
      }
      // consume() rejects once the points are spent; the lock is then reported on the next attempt.
      await Promise.allSettled([perName.consume(name), perClient.consume(client)]);
      return { ok: false, reason: 'invalid' };
    },
  };
}

export type UserDirectory = Awaited<ReturnType<typeof createUserDirectory>>;
