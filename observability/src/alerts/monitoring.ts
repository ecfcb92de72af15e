import { alertRule, type RuleGroup } from '../alert-rule.ts';

const component = 'prometheus';

/** The monitoring system watching itself: scrape targets and the dead man's switch. */
export function monitoringAlerts(): RuleGroup {
  return {
    name: 'platform-monitoring',
    rules: [
      alertRule({
        name: 'TargetDown',
        component,
        expr: '100 * (count by (job, namespace) (up == 0) / count by (job, namespace) (up)) > 10',
        for: '10m',
        severity: 'ticket',
        summary: 'More than 10 % of the {{ $labels.job }} targets in {{ $labels.namespace }} are down.',
        description:
          'Prometheus has failed to scrape these targets for 10 minutes: their alerts are blind, and the process ' +
          'may be down or unreachable.',
      }),
      alertRule({
        name: 'Watchdog',
        component,
        expr: 'vector(1)',
        severity: 'none',
        summary: 'The alerting pipeline is alive.',
        description:
          'Always firing, on purpose. Alertmanager sends it to a dead-man heartbeat receiver every minute; when ' +
          'the heartbeat stops, Prometheus or Alertmanager is down and the heartbeat service alerts out of band.',
      }),
    ],
  };
}
