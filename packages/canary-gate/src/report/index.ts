// What the web status page imports: the records, the chart and the history, without the Kubernetes client.
export type { RolloutResult, TimelinePoint } from '../rollout/rollout-result.ts';
export { evidenceChart } from './chart.ts';
export { appendHistory, readHistory } from './history.ts';
export { markdownSummary } from './summary.ts';
