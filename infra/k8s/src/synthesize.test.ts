import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { distDir } from './manifests.ts';
import { synthesize } from './synthesize.ts';

const scratch = mkdtempSync(join(tmpdir(), 'homelab-k8s-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const readAll = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );

describe('synthesis', () => {
  it('gives identical bytes twice, and matches the committed dist/ (run `pnpm --filter @homelab/k8s synth`)', async () => {
    const first = await synthesize(join(scratch, 'a'));
    const second = await synthesize(join(scratch, 'b'));
    expect(first).toEqual(second);
    const a = readAll(join(scratch, 'a'));
    expect(readAll(join(scratch, 'b'))).toEqual(a);
    const committed = readAll(distDir);
    expect(Object.keys(committed)).toEqual(Object.keys(a));
    for (const file of Object.keys(a)) expect(committed[file], `dist/${file} drifted`).toBe(a[file]);
  });

  // One snapshot per chart: the inventory of objects it holds, so a review sees what appeared or disappeared.
  for (const file of readdirSync(distDir).sort()) {
    it(`keeps the inventory of ${file}`, () => {
      const inventory = parseAllDocuments(readFileSync(join(distDir, file), 'utf8'))
        .map((d) => d.toJSON())
        .filter(Boolean)
        .map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`);
      expect(inventory).toMatchSnapshot();
    });
  }
});
