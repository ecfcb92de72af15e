import { describe, expect, it } from 'vitest';
import { assertOnBridge, notWhole, type Snapshot } from './orchestrator-api.ts';

const whole: Snapshot = {
  at: 0,
  nodes: [
    { name: 'n1', ip: '10.214.5.2', agentUrl: 'http://10.214.5.2:7070', ready: true },
    { name: 'n2', ip: '10.214.5.3', agentUrl: 'http://10.214.5.3:7070', ready: true },
  ],
  workloads: [
    { name: 'api', kind: 'stateless', replicas: 2 },
    { name: 'postgres', kind: 'stateful', replicas: 1 },
  ],
  instances: [
    { name: 'api-1', workload: 'api', node: 'n1', ready: true, state: 'running', created: '' },
    { name: 'api-2', workload: 'api', node: 'n2', ready: true, state: 'running', created: '' },
    { name: 'postgres-1', workload: 'postgres', node: 'n2', ready: true, state: 'running', created: '' },
  ],
  services: [
    { name: 'api', address: '10.214.5.1:4000', endpoints: ['10.214.5.2:3001', '10.214.5.3:3001'] },
    { name: 'postgres', address: '10.214.5.1:4001', endpoints: ['10.214.5.3:5432'] },
  ],
  conditions: [],
};

describe('notWhole', () => {
  it('is satisfied only with every replica ready on a ready node and every service with its endpoints', () => {
    expect(notWhole(whole)).toBeUndefined();
    const nodeDown = { ...whole, nodes: whole.nodes.map((n) => (n.name === 'n2' ? { ...n, ready: false } : n)) };
    expect(notWhole(nodeDown)).toBe('api: 1/2 ready');
    const noEndpoint = {
      ...whole,
      services: whole.services.map((s) => (s.name === 'postgres' ? { ...s, endpoints: null } : s)),
    };
    expect(notWhole(noEndpoint)).toBe('postgres: 0/1 endpoints');
    expect(notWhole({ ...whole, workloads: [] })).toBe('no workloads');
  });
});

describe('assertOnBridge', () => {
  it("refuses an address outside the run's subnet before asking the kernel", async () => {
    await expect(assertOnBridge('http://10.0.0.1:7070', 'ob123456', '10.214.5')).rejects.toThrow(
      /not in the run's subnet 10\.214\.5\.0\/24/,
    );
  });

  it('accepts an address the kernel delivers locally, and refuses one routed elsewhere', async () => {
    await expect(assertOnBridge('127.0.0.1:7700', 'ob123456', '127.0.0')).resolves.toBeUndefined();
    // 192.0.2.0/24 is TEST-NET-1: never local, so `ip route get` names another device (or no route at all).
    await expect(assertOnBridge('192.0.2.7:80', 'ob123456', '192.0.2')).rejects.toThrow();
  });
});
