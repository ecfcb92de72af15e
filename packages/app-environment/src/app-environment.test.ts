import { loadApiEnv } from '@homelab/api/env';
import { loadGatewayEnv } from '@homelab/gateway/env';
import { loadWebEnv } from '@homelab/web/env';
import { describe, expect, it } from 'vitest';
import { type Addressing, appEnvironment, definedVariables } from './app-environment.ts';

const secretValues: Partial<Record<Parameters<Addressing['secret']>[0], string>> = {
  apiKeys: 'demo:'.padEnd(69, 'a'),
  webUsers: 'demo:$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
};

const values: Addressing = {
  port: 4000,
  serviceVersion: 'v1',
  apiUrl: 'http://127.0.0.1:4002',
  gatewayUrl: 'http://127.0.0.1:4001',
  webOrigin: 'http://localhost:4000',
  secret: (secret) => (secret === 'databaseUrl' ? undefined : { value: secretValues[secret] ?? 's'.repeat(40) }),
};

describe('appEnvironment', () => {
  it('gives each app an environment its own env schema accepts', () => {
    expect(loadApiEnv(definedVariables(appEnvironment('api', values))).PORT).toBe(4000);
    const gateway = loadGatewayEnv(definedVariables(appEnvironment('gateway', values)));
    expect(gateway.API_URL).toBe(values.apiUrl);
    expect(gateway.WEB_ORIGIN).toBe(values.webOrigin);
    const web = loadWebEnv(definedVariables(appEnvironment('web', values)));
    expect(web.GATEWAY_URL).toBe(values.gatewayUrl);
    expect(web.SERVICE_VERSION).toBe('v1');
    expect(web.WEB_USERS).toBe(secretValues.webUsers);
  });

  it('passes a secret as its value or as the file that holds it, and leaves out what is not given', () => {
    const inline = appEnvironment('api', values);
    expect(inline.ADMIN_TOKEN).toBe('s'.repeat(40));
    expect(inline).not.toHaveProperty('DATABASE_URL');
    expect(inline).not.toHaveProperty('REDIS_URL');
    const mounted = appEnvironment('web', { ...values, secret: (s) => ({ file: `/run/${s}` }) });
    expect(mounted).toMatchObject({ JWT_SECRET_FILE: '/run/jwtSecret', SESSION_SECRET_FILE: '/run/sessionSecret' });
    expect(mounted).not.toHaveProperty('JWT_SECRET');
    // The gateway's /metrics token (ADR 0122): from the mounted Secret in the cluster, absent where not given.
    const gateway = appEnvironment('gateway', { ...values, secret: (s) => ({ file: `/run/${s}` }) });
    expect(gateway.METRICS_TOKEN_FILE).toBe('/run/metricsToken');
    expect(appEnvironment('gateway', { ...values, secret: () => undefined })).not.toHaveProperty('METRICS_TOKEN');
  });

  it('shares Redis between the API, the gateway and the web app only when one is given', () => {
    const redisUrl = 'redis://cache:6379';
    expect(appEnvironment('api', { ...values, redisUrl }).REDIS_URL).toBe(redisUrl);
    expect(appEnvironment('gateway', { ...values, redisUrl }).REDIS_URL).toBe(redisUrl);
    // The web app too since ADR 0121: sign-out revocations must reach every replica, not just the one that
    // answered the sign-out.
    expect(appEnvironment('web', { ...values, redisUrl }).REDIS_URL).toBe(redisUrl);
    for (const app of ['api', 'gateway', 'web'] as const)
      expect(appEnvironment(app, values)).not.toHaveProperty('REDIS_URL');
  });
});

describe('definedVariables', () => {
  it('drops unset variables', () => {
    expect(definedVariables({ A: 'a', B: undefined })).toEqual({ A: 'a' });
  });
});
