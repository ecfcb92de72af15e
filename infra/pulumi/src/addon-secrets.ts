/**
 * Secrets the program creates for the add-ons (the apps' Secrets are named in @homelab/platform `secretNames`).
 * PlatformSecrets writes them, PlatformAddons points the charts at them.
 */
export const addonSecrets = {
  /** Grafana's admin login; the chart reads it through `grafana.admin.existingSecret`. */
  grafanaAdmin: { name: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
  /** alertmanager.yaml (no secret in it: receivers read their URLs from files of the receivers Secret). */
  alertmanagerConfig: { name: 'alertmanager-config', key: 'alertmanager.yaml' },
} as const;
