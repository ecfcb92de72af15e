import type { Invariant, InvariantResult, Sample } from '@homelab/drills';
import type { LocalDrill } from './local-drill.ts';

/** One request of the drill's load through the gateway; a write answered 201 is remembered for the invariant. */
export async function send(drill: LocalDrill, kind: Sample['kind']): Promise<Omit<Sample, 'at' | 'kind'>> {
  const { gateway, secrets } = drill;
  const started = performance.now();
  try {
    const res =
      kind === 'write'
        ? await fetch(`${gateway}/v1/notes`, {
            method: 'POST',
            headers: { 'x-api-key': secrets.demoApiKey, 'content-type': 'application/json' },
            body: JSON.stringify({ title: `drill ${Date.now()}`, body: 'written under a drill' }),
            signal: AbortSignal.timeout(5_000),
          })
        : await fetch(`${gateway}/v1/notes?limit=5`, {
            headers: { 'x-api-key': secrets.demoApiKey },
            signal: AbortSignal.timeout(5_000),
          });
    const text = await res.text();
    if (kind === 'write' && res.status === 201) drill.acknowledged.push((JSON.parse(text) as { id: string }).id);
    return { status: res.status, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, ms: performance.now() - started, error: (error as Error).message };
  }
}

/** Every acknowledged write read back through the gateway once the load has stopped. */
async function verifyNoWriteLost(drill: LocalDrill, invariant: Invariant): Promise<InvariantResult> {
  const { acknowledged } = drill;
  const lost: string[] = [];
  for (const id of acknowledged) {
    const res = await fetch(`${drill.gateway}/v1/notes/${id}`, { headers: { 'x-api-key': drill.secrets.demoApiKey } });
    await res.arrayBuffer();
    if (res.status !== 200) lost.push(`${id} (HTTP ${res.status})`);
  }
  return {
    invariant,
    held: lost.length === 0,
    detail: `${acknowledged.length} writes acknowledged, ${lost.length} missing afterwards${lost.length ? `: ${lost.slice(0, 3).join(', ')}` : ''}`,
  };
}

export async function verify(
  drill: LocalDrill,
  invariant: Invariant,
  samples: readonly Sample[],
): Promise<InvariantResult> {
  if (invariant.kind === 'no-server-errors') {
    const errors = samples.filter((s) => s.status >= 500 || s.status === 0);
    return {
      invariant,
      held: errors.length === 0,
      detail: `${errors.length} of ${samples.length} requests answered 5xx or not at all`,
    };
  }
  if (invariant.kind === 'no-acknowledged-write-lost') return verifyNoWriteLost(drill, invariant);
  return { invariant, held: false, detail: 'not checkable on this target' };
}
