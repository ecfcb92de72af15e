import { delimiter } from 'node:path';

/** What packages/test-servers reads from the environment (the one place it may: ADR 0153). */

/**
 * Real servers (PostgreSQL, Redis, promtool, Chromium, the static checkers) are optional on a laptop and
 * mandatory in CI (`CI=true`, or `HOMELAB_REQUIRE_REAL=1` to try it locally): a suite that would silently skip
 * there has proved nothing.
 */
export const realServersRequired = (): boolean => process.env.CI === 'true' || process.env.HOMELAB_REQUIRE_REAL === '1';

/** BENCH_SMOKE as set: `1` asks a benchmark for its smoke mode (bench-smoke.ts), as `--smoke` does. */
export const benchSmokeSetting = (): string | undefined => process.env.BENCH_SMOKE;

/** The directories of PATH, in order (empty entries kept: findBinary skips them). */
export const pathDirs = (): string[] => (process.env.PATH ?? '').split(delimiter);

/** This process' environment, for a child started without a base environment of its own. */
export const childEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, ...extra });
