import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedArchive } from './build-images.ts';

describe('the archive cache', () => {
  const out = mkdtempSync(join(tmpdir(), 'homelab-archives-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const build = (name: string, content: string) =>
    cachedArchive(
      name,
      `localhost/test/${name}:1`,
      (hash) => hash.update(content),
      (_work, archive) => writeFileSync(archive, content),
      out,
    );

  it("replaces an image's older archive, reuses a matching one, and leaves a longer name's alone (api vs api-go)", async () => {
    const go = await build('api-go', 'go v1');
    const first = await build('api', 'ts v1');
    expect(first.cached).toBe(false);
    expect((await build('api', 'ts v1')).cached).toBe(true);
    const second = await build('api', 'ts v2');
    expect(existsSync(first.archive)).toBe(false);
    expect(existsSync(second.archive)).toBe(true);
    // Building `api` once deleted `api-go-<hash>.tar` (its name starts with `api-`).
    expect(existsSync(go.archive)).toBe(true);
    expect(readdirSync(out).filter((f) => f.endsWith('.tar'))).toHaveLength(2);
  });
});
