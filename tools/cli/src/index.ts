export { type Command, commands, runCli } from './cli.ts';
export {
  type ExitCode,
  exitCodes,
  integerFlag,
  jsonFlag,
  type Output,
  parseFlags,
  printData,
  processOutput,
  renderTable,
  UsageError,
} from './framework/index.ts';
export {
  type LocalPlatformOptions,
  type LocalPorts,
  localPorts,
  platformProcesses,
} from './local/platform-processes.ts';
export { minimalPrometheusConfig, type ScrapeTarget } from './local/prometheus-config.ts';
export { demoIdentity, type LocalSecrets, loadOrCreateSecrets } from './local/secrets.ts';
export { type ProcessSpec, type Supervisor, supervise } from './local/supervisor.ts';
