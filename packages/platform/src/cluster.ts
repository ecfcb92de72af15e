/** Names and addresses of the cluster the platform runs in. */
export const namespaces = {
  apps: 'homelab-apps',
  data: 'homelab-data',
  edge: 'homelab-edge',
  monitoring: 'monitoring',
} as const;

export const domain = {
  /** The base domain; override per stack. `.home.arpa` is reserved for home networks (RFC 8375). */
  base: 'homelab.home.arpa',
  /** Public hostnames, relative to the base domain. */
  hosts: { web: 'notes', api: 'api' },
} as const;

/** Certificate lifetimes are short on purpose, so rotation is visible within a day. */
export const certificates = {
  caDuration: '8760h',
  leafDuration: '24h',
  leafRenewBefore: '8h',
} as const;

/** Local platform: where the one-command local run listens. */
export const local = {
  dataDir: '.data',
  prometheusPort: 9090,
  canaryApiPort: 3012,
  /** `homelab up --canary`: the one embedded PostgreSQL both APIs share, over the wire protocol. */
  sharedDatabasePort: 3013,
} as const;

/** Where this repository lives: alert `runbook_url`s and image names are built from it. Override per fork. */
export const project = {
  repositoryUrl: 'https://github.com/homelab-platform/homelab',
  /** Container registry prefix for the apps' images (GitHub Container Registry by default). */
  imageRepository: 'ghcr.io/homelab-platform/homelab',
} as const;
