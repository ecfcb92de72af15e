import { describe, expect, it } from 'vitest';
import { type CpuProfile, selfTimes, selfTimeTable } from './cpu-profile.ts';

const frame = (id: number, functionName: string, url = '') => ({
  id,
  callFrame: { functionName, url, lineNumber: 9 },
});
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)'),
    frame(2, '(idle)'),
    frame(3, 'writeHead', 'node:_http_server'),
    frame(4, 'verify', 'file:///repo/node_modules/jose/dist/verify.js'),
    frame(5, '(garbage collector)'),
  ],
  samples: [2, 3, 3, 4, 5, 2, 3],
  timeDeltas: [500, 100, 100, 50, 50, 500, 100],
};

describe('selfTimes', () => {
  it('sums the samples of each function, largest first, with shares of the busy (non-idle) time', () => {
    expect(selfTimes(profile)).toEqual([
      { name: 'writeHead (node:_http_server:10)', micros: 300, share: 0.75 },
      { name: 'verify (jose/dist/verify.js:10)', micros: 50, share: 0.125 },
      { name: '(garbage collector)', micros: 50, share: 0.125 },
    ]);
  });

  it('sums per package too: npm packages, node: modules, V8 names', () => {
    expect(selfTimes(profile, 'package').map((t) => [t.name, t.micros])).toEqual([
      ['node:_http_server', 300],
      ['jose', 50],
      ['(garbage collector)', 50],
    ]);
  });

  it('prints a markdown table of the top functions', () => {
    expect(selfTimeTable(profile, 1).split('\n')).toEqual([
      '| function (self time) | ms | share of busy time |',
      '| --- | ---: | ---: |',
      '| writeHead (node:_http_server:10) | 0 | 75.0 % |',
    ]);
  });
});
