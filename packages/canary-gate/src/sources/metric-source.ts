import type { Snapshot } from '../engine/counts.ts';

/**
 * Where the gate reads each version's cumulative counters: the Prometheus HTTP API (cluster, or local with
 * `--prometheus`) or the processes' own /metrics (local with nothing installed). A series that is missing is
 * `undefined` in the snapshot, never an error: the gate holds on no data.
 */
export interface MetricSource {
  /** For the progress line and the record: where the numbers come from. */
  readonly description: string;
  read(): Promise<Snapshot>;
}
