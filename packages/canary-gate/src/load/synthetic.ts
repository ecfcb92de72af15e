import { type RunningLoad, startLoad } from './autocannon-load.ts';
import { loadProfiles } from './profile.ts';

/**
 * The synthetic profile with autocannon (where k6 cannot run: the build machines, the local platform): tagged,
 * read-only requests at `rps` through the gateway, as the load-test identity (`apiKey`). Returned in the shape
 * `runRollout`'s `startSynthetic` takes.
 */
export function autocannonSynthetic(options: { baseUrl: string; apiKey: string }) {
  return (rps: number): RunningLoad => {
    const profile = { ...loadProfiles.synthetic, rps };
    const load = startLoad(profile, {
      baseUrl: options.baseUrl,
      headers: { ...(profile.headers ?? {}), 'x-api-key': options.apiKey },
    });
    // A load that fails to start must not kill the gate: the plan said it asked, the evidence says what came.
    load.done.catch(() => undefined);
    return load;
  };
}
