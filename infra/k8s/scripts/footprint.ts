/**
 * `pnpm --filter @homelab/k8s footprint`: requests of every workload x minimum replicas, and the add-ons; then the
 * peak (HPA maximums and surge, canaries, every Job). Exits 1 when either does not fit its budget.
 */
import { footprintPeakBudget } from '@homelab/platform';
import { footprint, footprintAtPeak, formatFootprint, totals, withinBudget } from '../src/footprint.ts';
import { loadManifests } from '../src/manifests.ts';

const objects = loadManifests();
const rows = footprint(objects);
const peak = footprintAtPeak(objects);
console.log(formatFootprint(rows, peak));
const p = totals(peak, ['apps', 'data', 'edge', 'jobs (transient)', 'add-ons']);
const peakFits = p.cpuMillis <= footprintPeakBudget.cpuMillis && p.memoryMiB <= footprintPeakBudget.memoryMiB;
process.exit(withinBudget(rows) && peakFits ? 0 : 1);
