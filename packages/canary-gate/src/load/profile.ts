import { type AppName, apps, canaryGate } from '@homelab/platform';

/** The synthetic profiles' default rate (see `loadProfiles.synthetic`). */
const syntheticRps = 20;

/** One load shape: the same numbers drive k6 at home / in the workflow and autocannon in the tests. */
export interface LoadProfile {
  readonly name: 'smoke' | 'canary' | 'soak' | 'synthetic' | 'synthetic-web';
  /** Requests per second, arriving at a constant rate (k6 `constant-arrival-rate`, autocannon `overallRate`). */
  readonly rps: number;
  readonly durationSeconds: number;
  /** Open connections / pre-allocated virtual users. */
  readonly connections: number;
  /**
   * The request every virtual user repeats: the notes list through the gateway, as an API client does (web's
   * profile: the notes page, as a browser does).
   */
  readonly path: string;
  /**
   * Web pages need a session: the load signs in once (`POST path` with `username` and the password from the
   * environment, never in git) and every request carries that cookie.
   */
  readonly signIn?: { readonly path: string; readonly username: string };
  /**
   * Extra request headers: the synthetic profile carries the canary gate's tag, so the services label it
   * `traffic="synthetic"` (excluded from user-facing SLOs, counted by the gate).
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Smoke: a trickle to see the app answer; canary: what a rollout needs (the gate's first stage sees rps x 10 %);
 * soak: an hour at the rate the statistics in docs assume (20 req/s). The canary rate stays under the gateway's
 * per-identity limit (RATE_LIMIT_PER_SECOND 50), so a load test measures the app, not the limiter.
 */
export const loadProfiles: Readonly<Record<LoadProfile['name'], LoadProfile>> = {
  smoke: { name: 'smoke', rps: 2, durationSeconds: 30, connections: 2, path: '/v1/notes' },
  canary: {
    name: 'canary',
    rps: 40,
    // Long enough for every stage's deadline: the load must outlast the gate.
    durationSeconds: canaryGate.stages.reduce((s, st) => s + st.deadlineSeconds, 0),
    connections: 8,
    path: '/v1/notes',
  },
  soak: { name: 'soak', rps: 20, durationSeconds: 3600, connections: 8, path: '/v1/notes' },
  /**
   * The canary gate's synthetic evidence for the api and the gateway (ADR 0130): read-only GETs of the load-test
   * identity's own notes through the gateway (no user's data is read or written), tagged. The rate is at least what
   * the power plan asks for at zero real traffic (17 req/s with today's SLOs, alpha and beta; a test holds it for
   * every app), rounded up for a little headroom; a run may change it (k6 `-e SYNTHETIC_RPS=`,
   * `startSynthetic(rps)`). It lasts as long as a rollout may.
   */
  synthetic: {
    name: 'synthetic',
    rps: syntheticRps,
    durationSeconds: canaryGate.maxRolloutSeconds,
    connections: 4,
    path: '/v1/notes',
    headers: { [canaryGate.synthetic.header]: canaryGate.synthetic.value },
  },
  /**
   * The same evidence for a web canary (web is public through its own route, so the api's load never reaches it):
   * the load-test identity signs in and reads its notes page, tagged. Web counts the tag only on that identity's
   * session (ADR 0130), so nobody else can take requests out of web's SLO. The page also reads the notes through
   * the gateway and the api, as that identity, untagged: their user-facing series see it as ordinary reads.
   */
  'synthetic-web': {
    name: 'synthetic-web',
    rps: syntheticRps,
    durationSeconds: canaryGate.maxRolloutSeconds,
    connections: 4,
    path: '/notes',
    headers: { [canaryGate.synthetic.header]: canaryGate.synthetic.value },
    signIn: { path: '/signin', username: canaryGate.synthetic.identity },
  },
};

/** Which synthetic profile gives an app's canary evidence: web's pages are not behind the gateway. */
export const syntheticProfileFor = (app: AppName): LoadProfile =>
  app === 'web' ? loadProfiles['synthetic-web'] : loadProfiles.synthetic;

/**
 * The SLOs as load-test pass/fail thresholds, from the gateway's SLOs (the load enters there): the share of
 * failed requests under the availability budget, the objective's percentile under the latency threshold.
 */
export function sloThresholds(): {
  readonly failedRateBelow: number;
  readonly percentile: number;
  readonly durationMsBelow: number;
} {
  const slos = apps.gateway.slos;
  const availability = slos.find((s) => s.kind === 'availability');
  const latency = slos.find((s) => s.kind === 'latency');
  if (!availability || !latency?.thresholdSeconds)
    throw new Error('apps.gateway.slos: availability and latency needed');
  return {
    failedRateBelow: Number((1 - availability.objective).toFixed(6)),
    percentile: Number((latency.objective * 100).toFixed(3)),
    durationMsBelow: latency.thresholdSeconds * 1000,
  };
}

/** The JSON the k6 scripts read with `open()` (k6 cannot import workspace packages): written by `k6-profile.ts`. */
export function k6ProfileJson(): string {
  const t = sloThresholds();
  const k6 = Object.fromEntries(
    Object.values(loadProfiles).map((p) => [
      p.name,
      {
        scenario: {
          executor: 'constant-arrival-rate',
          rate: p.rps,
          timeUnit: '1s',
          duration: `${p.durationSeconds}s`,
          preAllocatedVUs: p.connections,
          maxVUs: p.connections * 4,
        },
        path: p.path,
        headers: p.headers ?? {},
        ...(p.signIn ? { signIn: p.signIn } : {}),
      },
    ]),
  );
  return `${JSON.stringify(
    {
      $comment:
        'Generated from packages/canary-gate/src/load/profile.ts (node packages/canary-gate/k6/write-profile.ts); a test checks it.',
      thresholds: {
        http_req_failed: [`rate<${t.failedRateBelow}`],
        http_req_duration: [`p(${t.percentile})<${t.durationMsBelow}`],
      },
      profiles: k6,
    },
    null,
    2,
  )}\n`;
}
