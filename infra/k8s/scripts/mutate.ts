/**
 * The mutation check as a table: breaks the committed manifests in each way that matters (in memory) and shows
 * which guards catch it. Exits 1 if any mutation slips through. `node infra/k8s/scripts/mutate.ts`
 */

import { cloneObjects, loadManifests } from '../src/manifests.ts';
import { failingGuards } from '../test/guards.ts';
import { mutations } from '../test/mutations.ts';

const objects = loadManifests();
const baseline = Object.keys(failingGuards(objects));
if (baseline.length > 0) {
  console.error(`the unmutated manifests already fail: ${baseline.join(', ')}`);
  process.exit(1);
}
let missed = 0;
const rows = mutations.map((m) => {
  const mutated = cloneObjects(objects);
  m.apply(mutated);
  const caught = Object.keys(failingGuards(mutated));
  const ok = m.caughtBy.every((g) => caught.includes(g));
  if (!ok) missed += 1;
  return { mutation: m.name, 'caught by': caught.join(', ') || '(nothing)', verdict: ok ? 'caught' : 'MISSED' };
});
console.table(rows);
console.log(`${rows.length - missed} of ${rows.length} mutations caught`);
process.exit(missed === 0 ? 0 : 1);
