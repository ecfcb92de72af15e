import { fileURLToPath } from 'node:url';
import { synthesize } from './synthesize.ts';

/** `pnpm --filter @homelab/k8s synth`: writes infra/k8s/dist/*.k8s.yaml (committed; CI fails on drift). */
const outdir = fileURLToPath(new URL('../dist', import.meta.url));
const files = await synthesize(outdir);
for (const file of files) console.log(`wrote dist/${file}`);
