import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCountedHistogram } from './counted-histogram.ts';

/** Exposition text as a sorted list of `name{sorted labels} value` samples (label order is not significant). */
const samples = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = (match[2] ?? '')
        .split(/,(?=[a-z_]+=")/)
        .filter(Boolean)
        .sort()
        .join(',');
      return `${match[1]}{${labels}} ${Number(match[3])}`;
    })
    .sort();

const buckets = [0.005, 0.05, 0.5, 1];
const observations: [string, string, number][] = [
  ['GET', '200', 0.001],
  ['GET', '200', 0.005],
  ['GET', '200', 0.3],
  ['GET', '500', 2],
  ['POST', '201', 0.05],
  ['GET', '200', 0.0051],
];

describe('createCountedHistogram', () => {
  it('exposes the same samples as prom-client Counter + Histogram fed the same observations', async () => {
    const reference = new Registry();
    const counter = new Counter({
      name: 'x_total',
      help: 'c',
      labelNames: ['method', 'status'],
      registers: [reference],
    });
    const histogram = new Histogram({
      name: 'x_seconds',
      help: 'h',
      labelNames: ['method', 'status'],
      buckets,
      registers: [reference],
    });
    const ours = new Registry();
    const counted = createCountedHistogram({
      registry: ours,
      counter: { name: 'x_total', help: 'c' },
      histogram: { name: 'x_seconds', help: 'h' },
      labelNames: ['method', 'status'],
      buckets,
    });
    for (const [method, status, seconds] of observations) {
      counter.labels(method, status).inc();
      histogram.labels(method, status).observe(seconds);
      counted.series(method, status).observe(seconds);
    }
    const expected = samples(await reference.metrics());
    expect(expected.length).toBeGreaterThan(10);
    expect(samples(await ours.metrics())).toEqual(expected);
    // HELP and TYPE lines as Prometheus expects them.
    const text = await ours.metrics();
    expect(text).toContain('# TYPE x_total counter');
    expect(text).toContain('# TYPE x_seconds histogram');
    // A value on a bucket bound counts in that bucket (le is "less or equal").
    expect(text).toMatch(/x_seconds_bucket\{[^}]*le="0.005"[^}]*\} 2/);
  });

  it('keeps handed-out series exported across a registry reset, and refuses a wrong label count', async () => {
    const registry = new Registry();
    const counted = createCountedHistogram({
      registry,
      counter: { name: 'y_total', help: 'c' },
      histogram: { name: 'y_seconds', help: 'h' },
      labelNames: ['route'],
      buckets,
    });
    const series = counted.series('/a');
    series.observe(0.1);
    registry.resetMetrics();
    expect(await registry.metrics()).toMatch(/y_total\{route="\/a"\} 0/);
    series.observe(0.1);
    expect(await registry.metrics()).toMatch(/y_total\{route="\/a"\} 1/);
    expect(() => counted.series('/a', 'extra')).toThrow(/expected labels route/);
  });
});
