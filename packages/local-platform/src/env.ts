/** What packages/local-platform reads from the environment (the one place it may: ADR 0153). */

/** The npm script this process runs under (npm sets `npm_lifecycle_event`), or undefined outside npm. */
export const npmScript = (): string | undefined => process.env.npm_lifecycle_event || undefined;

/**
 * This process' environment plus `extra`, for a supervised service: it inherits PATH, HOME and the locale as a
 * shell-started process would, and gets its own configuration on top.
 */
export const childEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, ...extra });
