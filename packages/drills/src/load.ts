import type { Sample } from './record.ts';
import type { Scenario } from './scenario.ts';
import type { DrillTarget } from './target.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The drill's traffic while it runs: every answer so far, and how to end it. */
export interface Load {
  readonly samples: readonly Sample[];
  /** Stops sending and waits for every request in flight. */
  stop(): Promise<void>;
}

/** Bounded load: a fixed rate for at most `maxSeconds`, each request timed from when it was sent. */
export function startLoad(scenario: Scenario, target: DrillTarget, startedAt: number): Load {
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const interval = 1000 / scenario.load.ratePerSecond;
  let running = true;
  let writeCredit = 0;
  const loop = (async () => {
    let next = Date.now();
    while (running && Date.now() - startedAt < scenario.load.maxSeconds * 1000) {
      writeCredit += scenario.load.writeRatio;
      const kind: Sample['kind'] = scenario.load.via === 'tls' ? 'handshake' : writeCredit >= 1 ? 'write' : 'read';
      if (kind === 'write') writeCredit -= 1;
      const at = Date.now();
      const p = target.send(kind).then((r) => {
        samples.push({ at, kind, ...r });
      });
      inFlight.add(p);
      p.finally(() => inFlight.delete(p));
      next += interval;
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  return {
    samples,
    async stop(): Promise<void> {
      running = false;
      await loop;
      await Promise.all(inFlight);
    },
  };
}
