import { type AppName, sliRequests } from '@homelab/platform';

/**
 * The `job` matcher that selects one service's own metrics, for a service name or a Grafana variable. Locally the
 * scrape config names the job after the app (`api`); in the cluster a PodMonitor without `jobLabel` names it
 * `<namespace>/<monitor name>` (`homelab-apps/api`). The rules accept both, so the SLOs hold in either place and
 * whichever way the monitor is configured. Written once here so a change of convention is one edit.
 */
export const jobMatcher = (service: string): string => sliRequests.promqlJobMatcher(service);

export const serviceSelector = (service: AppName): string => jobMatcher(service);
