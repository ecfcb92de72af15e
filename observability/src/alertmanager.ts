/**
 * The Secret that holds the receivers' URLs. Only its name and keys live in git; the values are set at deploy
 * time (Pulumi config secret) and mounted by the Alertmanager resource (`spec.secrets`), which the operator puts
 * under `/etc/alertmanager/secrets/<name>/`.
 */
export const alertmanagerSecret = {
  name: 'alertmanager-receivers',
  mountPath: '/etc/alertmanager/secrets/alertmanager-receivers',
  keys: {
    /** Webhook that pages a human (ntfy, Pushover relay, PagerDuty-compatible webhook...). */
    pageUrl: 'page-webhook-url',
    /** Webhook that files a ticket or posts to a channel read during working hours. */
    ticketUrl: 'ticket-webhook-url',
    /** Dead-man heartbeat (healthchecks.io-style): alerts out of band when the Watchdog stops arriving. */
    heartbeatUrl: 'heartbeat-url',
  },
} as const;

const secretFile = (key: string): string => `${alertmanagerSecret.mountPath}/${key}`;

/** Labels that identify "the same problem" across tiers: an SLO alert's name plus its service and SLO. */
const sameSlo = ['alertname', 'service', 'slo'];

/**
 * Alertmanager configuration (alertmanager.yaml as an object): route by severity, silence a ticket while the page
 * for the same SLO fires, heartbeat the Watchdog every minute. Receivers read their URLs from the mounted Secret
 * through `url_file` (Alertmanager >= 0.26), so the rendered configuration holds no secret.
 */
export function alertmanagerConfig(): object {
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: 'ticket',
      group_by: ['alertname', 'service', 'slo', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '24h',
      routes: [
        {
          receiver: 'heartbeat',
          matchers: ['alertname="Watchdog"'],
          group_wait: '0s',
          group_interval: '1m',
          repeat_interval: '1m',
        },
        { receiver: 'page', matchers: ['severity="page"'], repeat_interval: '1h' },
        { receiver: 'ticket', matchers: ['severity="ticket"'] },
      ],
    },
    inhibit_rules: [{ source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: sameSlo }],
    receivers: [
      {
        name: 'page',
        webhook_configs: [{ url_file: secretFile(alertmanagerSecret.keys.pageUrl), send_resolved: true }],
      },
      {
        name: 'ticket',
        webhook_configs: [{ url_file: secretFile(alertmanagerSecret.keys.ticketUrl), send_resolved: true }],
      },
      {
        name: 'heartbeat',
        webhook_configs: [{ url_file: secretFile(alertmanagerSecret.keys.heartbeatUrl), send_resolved: false }],
      },
    ],
  };
}
