import { describe, expect, it } from 'vitest';
import { createWeightedUpstreams } from './weighted-upstreams.ts';

const spec = (name: string, weight: number) => ({ spec: { name, url: `http://${name}`, version: '1', weight } });

describe('weighted upstreams', () => {
  it('maps the unit interval onto weights and never picks a zero weight', () => {
    const w = createWeightedUpstreams([spec('stable', 90), spec('canary', 10), spec('off', 0)]);
    expect(w.pick(0).spec.name).toBe('stable');
    expect(w.pick(0.8999).spec.name).toBe('stable');
    expect(w.pick(0.9).spec.name).toBe('canary');
    expect(w.pick(0.99999).spec.name).toBe('canary');
  });

  it('changes weights atomically and refuses bad ones without changing anything', () => {
    const w = createWeightedUpstreams([spec('stable', 100), spec('canary', 0)]);
    w.setWeights({ stable: 50, canary: 50 });
    expect(w.weights()).toEqual({ stable: 50, canary: 50 });
    expect(() => w.setWeights({ canary: -1 })).toThrow(/canary/);
    expect(() => w.setWeights({ nope: 1 })).toThrow(/unknown/);
    expect(() => w.setWeights({ stable: 0, canary: 0 })).toThrow(/positive/);
    expect(w.weights()).toEqual({ stable: 50, canary: 50 });
  });
});
