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
