import { renderRecord, runDrill, scenarioNamed } from '@homelab/drills';
import { afterAll, describe, expect, it } from 'vitest';
import { startTlsDrillTarget, type TlsDrillTarget } from './tls-drill-target.ts';

describe('cert-rotation drill, for real', () => {
  let target: TlsDrillTarget | undefined;
  afterAll(() => target?.stop());

  it('sees the certificate about to expire, rotates it on the live listener, fails no handshake', async () => {
    target = await startTlsDrillTarget();
    const before = target.current().serialNumber;
    const record = await runDrill(scenarioNamed('cert-rotation'), target, { minFaultSeconds: 2 });
    expect(record.passed, renderRecord(record)).toBe(true);
    expect(record.signals[0]?.detail).toMatch(/\(2\.0 days\)/);
    expect(record.invariants).toEqual([
      expect.objectContaining({ held: true, detail: expect.stringMatching(/^0 of [1-9]\d* handshakes failed$/) }),
    ]);
    // Rotated twice (expiring, then fresh): a new serial with 90 days left.
    expect(target.current().serialNumber).not.toBe(before);
    expect(target.current().notAfter.getTime() - Date.now()).toBeGreaterThan(89 * 86_400_000);
  }, 60_000);
});
