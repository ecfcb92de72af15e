import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexFile, readAdrs, renderIndex } from './adr-index.ts';

describe('docs/adr', () => {
  const adrs = readAdrs();

  it('numbers every ADR once', () => {
    const numbers = adrs.map((a) => a.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(adrs.length).toBeGreaterThan(50);
  });

  it('has an index listing every ADR by its title (node tools/repo-checks/src/adr-index.ts --write)', () => {
    expect(readFileSync(indexFile, 'utf8')).toBe(renderIndex(adrs));
  });
});
