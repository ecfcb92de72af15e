export {
  failOnProblems,
  type ProbedAnswer,
  probe,
  probeStatuses,
  type ReceivedHeaders,
  type RowWork,
  receivedHeaderProblems,
  sameWorkProblems,
  smokeMode,
} from './bench-smoke.ts';
export { findBinary } from './binaries.ts';
export { realServersRequired } from './env.ts';
export { freePort, freePortBelowEphemeral, waitForPort } from './free-port.ts';
export { takeHostNetworkTurn } from './host-network-turn.ts';
export { createDatabase, type PostgresServer, postgresAvailable, startPostgres } from './postgres.ts';
// The types of what the global setup provides (`inject`); nothing at run time.
export type {} from './provided-context.ts';
export { type RawExchange, type RawRequestOptions, rawRequest } from './raw-http.ts';
export { type RedisServer, redisAvailable, startRedis } from './redis.ts';
export {
  type ServiceProcess,
  type ServiceProcessOptions,
  startProcessUntilReady,
  startServiceProcess,
  testIdentitySecret,
} from './service-process.ts';
