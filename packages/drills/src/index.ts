export {
  type ActiveAlert,
  type AlertSignal,
  alertForSeconds,
  alertSelector,
  alreadyActive,
  matchingAlert,
  pageAlert,
  untilFiring,
} from './alerts.ts';
export { budgetSpentPercent, burnRate, sloOf } from './budget.ts';
export { pickBlind, scenarioNamed, scenarios } from './catalog.ts';
export { badFor, failed, measure, perSecond, recoveredAt, slow, windowBurnRate } from './measure.ts';
export { postmortemFileName, renderPostmortem } from './postmortem.ts';
export type * from './record.ts';
export { renderChart, renderList, renderPlan, renderRecord } from './render.ts';
export { drillRunbooks } from './runbooks.ts';
export { describeSignal, diagnosisMatches, type RunOptions, runDrill } from './runner.ts';
export type * from './scenario.ts';
export type { DrillTarget } from './target.ts';
export { confirmWithTriage, signalMatches, type TriageVerdict } from './triage.ts';
