import { describe, expect, it } from 'vitest';
import { findPromtool } from '../testing/promtool.ts';
import { toolAvailable } from '../testing/required-tool.ts';
import { mutants, runMutations } from './mutate-rules.ts';

describe.runIf(toolAvailable('promtool', findPromtool()))('mutated burn-rate rules', () => {
  it('each make the promtool suite fail', { timeout: 600_000 }, async () => {
    const results = await runMutations('api');
    expect(results.length).toBe(mutants.length + 1);
    const survivors = results.filter((r) => !r.killed).map((r) => r.mutant);
    expect(survivors).toEqual([]);
  });
});
