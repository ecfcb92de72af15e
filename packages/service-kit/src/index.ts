// The kit's public surface: what the apps, their tests and benchmarks use. Everything else is internal to the
// kit (the fused front door's parts, the response-header presets), so it can change without touching the apps.
export { adminBearer, bearerToken } from './admin-auth.ts';
export { type CountedHistogramOptions, createCountedHistogram, type TimingSeries } from './counted-histogram.ts';
export { type BaseEnv, baseEnvSchema, ConfigError, envBoolean, envPort, parseEnv } from './env.ts';
export type { FaultSettings } from './faults.ts';
export type { MetricsAccess } from './health.ts';
export { createIdentitySigner, createIdentityVerifier, type IdentityTokenOptions } from './identity-token.ts';
export type { Lifecycle, ReadinessCheck } from './lifecycle.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMetrics, type ServiceMetrics } from './metrics.ts';
export { type ProblemBody, ProblemError, problem, problemContentType } from './problem.ts';
export type { RequestBodyState } from './request-body.ts';
export { type RequestTrace, requestTrace } from './request-context.ts';
export { requestHeader } from './request-header.ts';
export { configErrorExitCode, type RunServiceOptions, runService, type ServiceEnv } from './run-service.ts';
export { securityHeaderValues } from './security-headers.ts';
export { type RunningServer, type ServeOptions, serve } from './serve.ts';
export { createServiceApp, type ServiceApp, type ServiceAppOptions, statusTitle } from './service-app.ts';
