/** `pnpm --filter @homelab/k8s footprint`: requests of every workload x minimum replicas, and the add-ons. */
import { footprint, formatFootprint, withinBudget } from '../src/footprint.ts';
import { loadManifests } from '../src/manifests.ts';

const rows = footprint(loadManifests());
console.log(formatFootprint(rows));
process.exit(withinBudget(rows) ? 0 : 1);
