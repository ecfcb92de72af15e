export {
  demoIdentity,
  type LocalPlatformOptions,
  type LocalPorts,
  type LocalSecrets,
  loadOrCreateSecrets,
  localPorts,
  minimalPrometheusConfig,
  type ProcessSpec,
  platformProcesses,
  type ScrapeTarget,
  type Supervisor,
  supervise,
} from '@homelab/local-platform';
export { type Command, commands, runCli } from './cli.ts';
export {
  type ExitCode,
  exitCodes,
  integerFlag,
  jsonFlag,
  type NumberRange,
  numberFlag,
  type Output,
  parseFlags,
  printData,
  processOutput,
  renderTable,
  UsageError,
} from './framework/index.ts';
