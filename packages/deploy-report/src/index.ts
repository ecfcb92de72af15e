// What the canary gate writes after a deploy and the web status page reads: the record, its history file and its
// chart. Its own package so the web image carries it without the gate (apps are leaves: ADR 0110).
export { evidenceChart } from './chart.ts';
export { appendHistory, readHistory } from './history.ts';
export type * from './record.ts';
export { markdownSummary } from './summary.ts';
