import { namespaces } from '@homelab/platform';
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { MetricsPodMonitor } from '../constructs/pod-monitor.ts';
import { Postgres } from '../constructs/postgres.ts';
import { PostgresBackup } from '../constructs/postgres-backup.ts';
import { Redis } from '../constructs/redis.ts';

export interface DataChartProps extends Omit<ChartProps, 'namespace'> {
  /** Storage class for every volume. */
  readonly storageClass: string;
}

/** PostgreSQL with its nightly dump and restore Job, Redis, and the scrape of their exporters. */
export class DataChart extends Chart {
  readonly postgres: Postgres;
  readonly redis: Redis;
  readonly backup: PostgresBackup;

  constructor(scope: Construct, id: string, props: DataChartProps) {
    const { storageClass, ...chartProps } = props;
    super(scope, id, { ...chartProps, namespace: namespaces.data });
    this.postgres = new Postgres(this, 'postgres', { storageClass });
    this.redis = new Redis(this, 'redis', { storageClass });
    this.backup = new PostgresBackup(this, 'backup', { postgres: this.postgres, storageClass });
    for (const store of [this.postgres, this.redis]) {
      new MetricsPodMonitor(this, `${store.name}-monitor`, {
        name: store.name,
        podLabels: store.podLabels,
        portName: store.metricsPortName,
      });
    }
  }
}
