export { type Command, commands, runCli } from './cli.ts';
export { minimalPrometheusConfig, type ScrapeTarget } from './local/prometheus-config.ts';
export { type ProcessSpec, type Supervisor, supervise } from './local/supervisor.ts';
