export { createApp, type WebDeps } from './app.tsx';
export { createGatewayClient, type GatewayClient } from './gateway-client.ts';
export { createSessions } from './session.ts';
export { statusFromPrometheus, statusFromServiceMetrics } from './status/slo-status.ts';
export { createUserDirectory, hashPassword } from './users.ts';
