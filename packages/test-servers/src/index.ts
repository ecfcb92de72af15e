export {
  failOnProblems,
  type ProbedAnswer,
  probe,
  type RowWork,
  sameWorkProblems,
  smokeMode,
} from './bench-smoke.ts';
export { findBinary } from './binaries.ts';
export { freePort, freePortBelowEphemeral, waitForPort } from './free-port.ts';
export { takeHostNetworkTurn } from './host-network-turn.ts';
export { createDatabase, type PostgresServer, postgresAvailable, startPostgres } from './postgres.ts';
export { type RawExchange, type RawRequestOptions, rawRequest } from './raw-http.ts';
export { type RedisServer, redisAvailable, startRedis } from './redis.ts';
export { realServersRequired } from './required.ts';
export {
  type ServiceProcess,
  type ServiceProcessOptions,
  startProcessUntilReady,
  startServiceProcess,
  testIdentitySecret,
} from './service-process.ts';
