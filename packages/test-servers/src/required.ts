/**
 * Real servers (PostgreSQL, Redis, promtool, Chromium, the static checkers) are optional on a laptop and
 * mandatory in CI: a suite that would silently skip there has proved nothing.
 */
export const realServersRequired = (): boolean => process.env.CI === 'true' || process.env.HOMELAB_REQUIRE_REAL === '1';
