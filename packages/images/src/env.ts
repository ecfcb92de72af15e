import { homedir } from 'node:os';
import { join } from 'node:path';

/** What packages/images reads from the environment (the one place it may: ADR 0153). */

/**
 * Where built image archives are kept: the per-user tool cache (like the Go tools), so a clean clone in CI reuses
 * them while their content hash matches; HOMELAB_IMAGE_CACHE moves it.
 */
export const imageCacheDir = (): string => process.env.HOMELAB_IMAGE_CACHE ?? join(homedir(), '.cache/homelab/images');

/** This process' environment plus `extra`, for a child process (pnpm and go need HOME, PATH and the proxy). */
export const childEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, ...extra });
