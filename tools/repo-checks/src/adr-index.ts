/**
 * The ADR index (docs/adr/README.md) from the ADRs themselves: number, title, file. The test beside this file
 * fails when the committed index differs; `node tools/repo-checks/src/adr-index.ts --write` regenerates it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.ts';

export const adrDir = join(repoRoot, 'docs/adr');
export const indexFile = join(adrDir, 'README.md');

export interface Adr {
  readonly number: string;
  readonly title: string;
  readonly file: string;
}

/** Every `NNNN-*.md` in docs/adr with the title from its first line (`# NNNN. Title`). */
export function readAdrs(dir = adrDir): Adr[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}-.+\.md$/.test(f))
    .sort()
    .map((file) => {
      const first = readFileSync(join(dir, file), 'utf8').split('\n')[0] ?? '';
      const match = /^# (\d{4})\. (.+)$/.exec(first);
      if (!match) throw new Error(`docs/adr/${file}: the first line must be "# NNNN. Title", not "${first}"`);
      if (!file.startsWith(match[1] ?? '')) throw new Error(`docs/adr/${file}: its title says ${match[1]}`);
      return { number: match[1] ?? '', title: match[2] ?? '', file };
    });
}

export function renderIndex(adrs: readonly Adr[]): string {
  return `# Architecture decision records

Short records of decisions someone would otherwise undo: the context, the decision, its consequences. Generated
from the files' titles (\`node tools/repo-checks/src/adr-index.ts --write\`); a test keeps it in step.

| # | decision |
| --- | --- |
${adrs.map((a) => `| ${a.number} | [${a.title.replaceAll('|', '\\|')}](${a.file}) |`).join('\n')}
`;
}

if (process.argv[1] === import.meta.filename && process.argv.includes('--write')) {
  writeFileSync(indexFile, renderIndex(readAdrs()));
  console.log(`wrote ${indexFile}`);
}
