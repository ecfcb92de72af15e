import type { PlatformOptions } from './platform-app.ts';

/**
 * What the other packages feed into the manifests. `@homelab/observability` (rules and dashboards) is not in the
 * workspace yet; until it is, the constructs that will carry them get empty lists.
 */
export const platformInputs = async (): Promise<Pick<PlatformOptions, 'ruleFiles' | 'dashboards'>> => ({
  ruleFiles: [],
  dashboards: [],
});
