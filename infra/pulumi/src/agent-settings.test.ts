import { describe, expect, it } from 'vitest';
import { parseAgents } from './agent-settings.ts';

const parse = (value: unknown) => parseAgents(JSON.stringify(value));

describe('homelab:agents', () => {
  it('is empty when unset', () => {
    expect(parseAgents(undefined)).toEqual([]);
  });

  it('reads labels and taints as k3s takes them', () => {
    const [agent] = parse([
      {
        name: 'node-2',
        host: 'shelf.lan',
        user: 'admin',
        port: 2222,
        labels: { 'topology.kubernetes.io/zone': 'shelf-2', 'homelab.dev/disk': 'ssd' },
        taints: ['homelab.dev/gpu=true:NoSchedule', 'dedicated:PreferNoSchedule'],
      },
    ]);
    expect(agent).toEqual({
      name: 'node-2',
      host: 'shelf.lan',
      user: 'admin',
      port: 2222,
      labels: { 'topology.kubernetes.io/zone': 'shelf-2', 'homelab.dev/disk': 'ssd' },
      taints: ['homelab.dev/gpu=true:NoSchedule', 'dedicated:PreferNoSchedule'],
    });
  });

  it('names the bad entry, and refuses what would break the shell flags', () => {
    expect(() => parseAgents('[{name:')).toThrow(/homelab:agents is not JSON/);
    expect(() => parse([{ name: 'Node_2', host: 'a' }])).toThrow(/homelab:agents\[0\]\.name: a lower-case DNS label/);
    expect(() => parse([{ name: 'n', host: 'a', taints: ['gpu=true:Sometimes'] }])).toThrow(
      /homelab:agents\[0\]\.taints\[0\]: key=value:Effect/,
    );
    expect(() => parse([{ name: 'n', host: 'a', labels: { zone: 'a b; rm -rf /' } }])).toThrow(
      /homelab:agents\[0\]\.labels\.zone: a label value/,
    );
    expect(() => parse([{ name: 'n', host: 'a', password: 'x' }])).toThrow(/homelab:agents\[0\]/);
    expect(() =>
      parse([
        { name: 'n', host: 'a' },
        { name: 'n', host: 'b' },
      ]),
    ).toThrow(/homelab:agents\[1\]\.name: "n" is listed twice/);
  });
});
