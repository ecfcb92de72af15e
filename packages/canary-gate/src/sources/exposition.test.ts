import { describe, expect, it } from 'vitest';
import { parseSamples } from './exposition.ts';

describe('parseSamples', () => {
  it('reads names, labels (with le first, escapes and braces inside values) and values', () => {
    const text = [
      '# HELP x_total a counter',
      '# TYPE x_total counter',
      'x_total{route="/a/{id}",note="say \\"hi\\"\\nthen \\\\ go"} 3',
      'x_total 4 1700000000000',
      'h_bucket{le="+Inf",route="/a"} 2',
      'other 9',
    ].join('\n');
    expect(parseSamples(text, new Set(['x_total', 'h_bucket']))).toEqual([
      { name: 'x_total', labels: { route: '/a/{id}', note: 'say "hi"\nthen \\ go' }, value: 3 },
      { name: 'x_total', labels: {}, value: 4 },
      { name: 'h_bucket', labels: { le: '+Inf', route: '/a' }, value: 2 },
    ]);
  });

  it('refuses a malformed line instead of guessing', () => {
    expect(() => parseSamples('x_total{route=/a} 1', new Set(['x_total']))).toThrow(/malformed labels/);
    expect(() => parseSamples('x_total{route="/a"} many', new Set(['x_total']))).toThrow(/malformed sample/);
  });
});
