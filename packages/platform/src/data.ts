/** The stateful services the API depends on. */
export const data = {
  postgres: {
    port: 5432,
    database: 'notes',
    user: 'notes',
    storage: '2Gi',
    backupStorage: '2Gi',
    backupRetentionDays: 7,
  },
  redis: { port: 6379, storage: '512Mi', maxMemory: '64mb' },
} as const;

/**
 * Redis's command line wherever it runs (the cluster's StatefulSet, compose): a cache that evicts least-recently-used
 * keys at the memory cap instead of refusing writes, with an append-only file in /data. `reachableFromNetwork`
 * turns protected mode off where clients come over a private network and no config file sets a password
 * (compose); the cluster's NetworkPolicy admits only the apps.
 */
export const redisServerArgs = (options: { reachableFromNetwork?: boolean } = {}): string[] => [
  'redis-server',
  '--port',
  String(data.redis.port),
  '--maxmemory',
  data.redis.maxMemory,
  '--maxmemory-policy',
  'allkeys-lru',
  '--appendonly',
  'yes',
  '--dir',
  '/data',
  ...(options.reachableFromNetwork ? ['--protected-mode', 'no'] : []),
];
