import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.ts';

/** Where every request passes: the service kit, the gateway and the API (packages/service-kit/README.md). */
const hotPathDirs = ['packages/service-kit/src', 'apps/gateway/src', 'apps/api/src'];

/** Reads that are off the hot path, each with its reason. */
const allowed: Record<string, string> = {
  'packages/service-kit/src/request-header.ts': 'the helper itself falls back to c.req.header() off node:http',
  'packages/service-kit/src/faults.ts': 'the /admin/faults route: drills only',
  'apps/gateway/src/routes/admin-upstreams.ts': 'the /admin/upstreams route: deploys only',
  'apps/api/src/routes/notes.ts': "PATCH's If-Match: a write, never the cached read path",
};

const sourceFiles = (dir: string): string[] =>
  readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)))
    .filter((path) => !path.includes('/testing/'));

/**
 * `c.req.header(` or `.req.raw.headers`: the slow ways to read a request header on node:http. A line that reads
 * node's `incoming` first and falls back to the slow form (`incoming?.rawHeaders ?? ...`, for `app.request()` in
 * tests) is the fast path.
 */
export const slowHeaderReads = (source: string): number[] =>
  source
    .split('\n')
    .flatMap((line, i) =>
      /\.req\.header\(|\.req\.raw\.headers/.test(line) && !/\bincoming\b/.test(line) ? [i + 1] : [],
    );

describe('hot-path header reads', () => {
  it('use requestHeader() everywhere on the hot path, except the reads listed with a reason', () => {
    const offenders = hotPathDirs
      .flatMap(sourceFiles)
      .filter((file) => !(file in allowed))
      .flatMap((file) => slowHeaderReads(readFileSync(join(repoRoot, file), 'utf8')).map((line) => `${file}:${line}`));
    expect(offenders).toEqual([]);
  });

  it('catches both slow forms (the check is live)', () => {
    expect(
      slowHeaderReads("const a = c.req.header('x');\nconst b = requestHeader(c, 'x');\nc.req.raw.headers.get('y');"),
    ).toEqual([1, 3]);
  });

  it('lists only files that exist and still need the exception', () => {
    for (const file of Object.keys(allowed)) {
      expect(slowHeaderReads(readFileSync(join(repoRoot, file), 'utf8')).length, file).toBeGreaterThan(0);
    }
  });
});
