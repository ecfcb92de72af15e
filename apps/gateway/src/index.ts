export { createApp, type Gateway, type GatewayDeps } from './app.ts';
export { hashApiKey } from './auth/api-keys.ts';
export { createMemoryRateLimiter, type RateLimiter, type TokenBucketPolicy } from './rate-limit/token-bucket.ts';
export type { UpstreamSpec } from './upstreams/weighted-upstreams.ts';
