import { readdirSync, rmSync } from 'node:fs';
import { buildPlatform } from './platform-app.ts';
import { platformInputs } from './platform-inputs.ts';

/** Synthesizes every chart into `outdir` (emptied first, so a removed chart leaves no stale file). */
export const synthesize = async (outdir: string): Promise<string[]> => {
  rmSync(outdir, { recursive: true, force: true });
  buildPlatform({ outdir, ...(await platformInputs()) }).synth();
  return readdirSync(outdir).sort();
};
