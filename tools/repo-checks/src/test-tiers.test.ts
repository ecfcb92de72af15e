import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fullTierOnly } from '../../../vitest.config.ts';
import { repoRoot } from './repo-root.ts';

describe('the quick test tier (docs/testing.md)', () => {
  it('leaves out only suites that exist: a renamed slow suite must not slip into the quick tier unnoticed', () => {
    const paths = fullTierOnly.filter((p) => !/[*{]/.test(p));
    expect(paths.filter((p) => !existsSync(join(repoRoot, p)))).toEqual([]);
  });
});
