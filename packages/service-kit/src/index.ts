export { type CountedHistogramOptions, createCountedHistogram, type TimingSeries } from './counted-histogram.ts';
export { type BaseEnv, baseEnvSchema, ConfigError, envBoolean, envPort, parseEnv } from './env.ts';
export { createFaults, type FaultSettings, type Faults, type FaultsOptions, faultSettingsSchema } from './faults.ts';
export { frontDoor } from './front-door.ts';
export {
  applySecurityHeaders,
  bodyLimit,
  requestTimeout,
  securityHeaders,
  securityHeaderValues,
  setResponseHeader,
  withTimeout,
} from './guards.ts';
export { healthRoutes } from './health.ts';
export {
  createIdentitySigner,
  createIdentityVerifier,
  type IdentityTokenOptions,
  identityPattern,
} from './identity-token.ts';
export { createLifecycle, type Lifecycle, type ReadinessCheck } from './lifecycle.ts';
export { createLogger, type Logger, type LoggerOptions, redact, redactedKeys } from './logger.ts';
export { createMetrics, type MetricsOptions, type ServiceMetrics } from './metrics.ts';
export { createRequestObserver, observe } from './observe.ts';
export { type ProblemBody, ProblemError, problem, problemBody, problemContentType } from './problem.ts';
export { guardRequestBody, type RequestBodyLimits, type RequestBodyState } from './request-body.ts';
export {
  assignRequestContext,
  parseTraceparent,
  type RequestTrace,
  requestContext,
  requestTrace,
} from './request-context.ts';
export { requestHeader } from './request-header.ts';
export { presetResponseHeaders, presettableResponseClass } from './response-headers.ts';
export { type RunningServer, type ServeOptions, serve } from './serve.ts';
export { createServiceApp, type ServiceApp, type ServiceAppOptions, statusTitle } from './service-app.ts';
