export { type CgroupMode, type Cgroups, detectCgroups, limitsFor, type ServiceCgroup } from './cgroups.ts';
export { credentialLines, credentialsFileName, readCredentialsFile, writeCredentialsFile } from './credentials.ts';
export { watchLaunchers } from './launcher-watch.ts';
export { escapeControlCharacters, formatLogLine, prefixFor, splitLines } from './log-lines.ts';
export {
  type LocalPlatformOptions,
  type LocalPorts,
  localPorts,
  platformProcesses,
  sharedDatabaseName,
} from './platform-processes.ts';
export { portTaken, takenPorts, type WantedPort } from './port-holders.ts';
export {
  localPrometheusConfigText,
  localScrapeTargets,
  minimalPrometheusConfig,
  prometheusBinary,
  prometheusProcess,
  type ScrapeTarget,
} from './prometheus-config.ts';
export { demoIdentity, type LocalSecrets, loadOrCreateSecrets } from './secrets.ts';
export { type ProcessSpec, type Supervised, type Supervisor, type SupervisorOptions, supervise } from './supervisor.ts';
export { type Termination, terminationOf } from './termination.ts';
