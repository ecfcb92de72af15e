import { describe, expect, it } from 'vitest';
import { http } from './http.ts';
import { sliRequests } from './sli.ts';

/** PromQL regex matchers are RE2 and fully anchored: `route!~"a|b"` excludes exactly `a` and `b`. */
const promqlExcludes = (route: string) => {
  const pattern = /route!~"(.*)"$/.exec(sliRequests.promqlMatcher)?.[1] as string;
  return new RegExp(`^(?:${pattern})$`).test(route);
};

describe('the requests that count for an SLO', () => {
  it('leave out probes and scrapes, and nothing a client asked for', () => {
    for (const route of [http.paths.liveness, http.paths.readiness, http.paths.metrics, '/admin/upstreams/:name']) {
      expect(sliRequests.counts(route)).toBe(false);
      expect(promqlExcludes(route)).toBe(true);
    }
    for (const route of ['/v1/notes', '/v1/notes/:id', '/notes', '/status', 'unmatched', '/metricsz', '/administer']) {
      expect(sliRequests.counts(route)).toBe(true);
      expect(promqlExcludes(route)).toBe(false);
    }
  });

  it("leave out the canary gate's synthetic load for users, and count it for the gate", () => {
    expect(sliRequests.promqlMatcher).toMatch(/^traffic!="synthetic",route!~/);
    expect(sliRequests.gatePromqlMatcher).not.toMatch(/traffic/);
    expect(sliRequests.promqlMatcher.endsWith(sliRequests.gatePromqlMatcher)).toBe(true);
  });
});
