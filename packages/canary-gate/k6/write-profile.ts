// Writes k6/profile.json from the one load-profile declaration (src/load/profile.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { k6ProfileJson } from '../src/load/profile.ts';

writeFileSync(join(import.meta.dirname, 'profile.json'), k6ProfileJson());
console.log('wrote k6/profile.json');
