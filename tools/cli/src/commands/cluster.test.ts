import { afterEach, describe, expect, it, vi } from 'vitest';
import { cluster } from './cluster.ts';

const captured = () => {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  return out;
};

describe('homelab cluster', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('exits 2 on a missing or unknown action, naming the choices', async () => {
    const out = captured();
    expect(await cluster([])).toBe(2);
    expect(await cluster(['start'])).toBe(2);
    expect(out.join('')).toMatch(/expected one of up, down, status/);
  });

  it('exits 2 on a node count that is not a positive integer, before starting anything', async () => {
    const out = captured();
    expect(await cluster(['up', '--nodes', '0'])).toBe(2);
    expect(out.join('')).toMatch(/--nodes must be a positive integer, got "0"/);
  });

  it('reports a cluster that does not exist as JSON and exits 3', async () => {
    const out = captured();
    expect(await cluster(['status', '--name', `absent-${process.pid}`, '--json'])).toBe(3);
    expect(JSON.parse(out.join(''))).toMatchObject({ exists: false, ready: false, nodes: [] });
  });

  it('says in its help that the nodes are simulated', async () => {
    const out = captured();
    expect(await cluster(['--help'])).toBe(0);
    expect(out.join('')).toMatch(/SIMULATED by\s+kwok/);
  });
});
