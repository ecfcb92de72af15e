export { clusterActions, clusterDrillTarget, drillNamespace, realNodeMaxFaultSeconds } from './cluster/drill-target.ts';
export { localImageFor, nodeImages } from './cluster/node-images.ts';
export {
  drillPrometheusIntervalSeconds,
  type LocalDrillOptions,
  type LocalDrillPlatform,
  localInjections,
  startLocalDrillPlatform,
} from './local/drill-platform.ts';
export {
  canRunLocally,
  type DrillSession,
  type DrillSessionOptions,
  runLocalDrillSession,
} from './local/drill-session.ts';
export { startTlsDrillTarget, type TlsDrillTarget } from './local/tls-drill-target.ts';
export {
  type OrchestratorDrillOptions,
  type OrchestratorDrillTarget,
  orchestratorActions,
  startOrchestratorDrillTarget,
} from './orchestrator/drill-target.ts';
