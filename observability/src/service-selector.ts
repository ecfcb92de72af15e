import type { AppName } from '@homelab/platform';

/**
 * The label matcher that selects one service's own metrics. Each app's series carry `job="<app name>"`: the
 * ServiceMonitor sets `job` to the Service name in the cluster and the local scrape config uses the app name as the
 * job. Written once here so a change of convention is one edit.
 */
export const serviceSelector = (service: AppName): string => `job="${service}"`;
