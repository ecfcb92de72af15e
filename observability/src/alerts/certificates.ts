import { alertRule, type RuleGroup } from '../alert-rule.ts';

const component = 'cert-manager';

/**
 * Certificates. Leaf certificates live 24 h and renew 8 h before expiry (platform `certificates`), so "expires
 * within 14 days" alone is always true; what matters is a renewal time that has passed without a renewal.
 */
export function certificateAlerts(): RuleGroup {
  return {
    name: 'platform-certificates',
    rules: [
      alertRule({
        name: 'CertManagerCertificateExpiringSoon',
        component,
        expr: [
          'certmanager_certificate_expiration_timestamp_seconds - time() < 14 * 86400',
          'and on (namespace, name)',
          'certmanager_certificate_renewal_timestamp_seconds < time()',
        ].join('\n'),
        for: '30m',
        severity: 'page',
        summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires soon and is not renewing.',
        description:
          'The certificate expires within 14 days and its renewal time has passed for 30 minutes without a new ' +
          'certificate being issued. When it expires, clients reject the TLS handshake.',
      }),
      alertRule({
        name: 'CertManagerCertificateNotReady',
        component,
        expr: 'max by (namespace, name) (certmanager_certificate_ready_status{condition!="True"}) == 1',
        for: '15m',
        severity: 'ticket',
        summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} is not Ready.',
        description:
          'cert-manager reports the certificate not Ready for 15 minutes: the Secret may hold an old or no ' +
          'certificate, and the next renewal may fail the same way.',
      }),
    ],
  };
}
