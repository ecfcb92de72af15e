import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './generated-files.ts';

/** Writes every generated file under observability/ and removes stale ones from the generated directories. */
export async function generate(root: string): Promise<string[]> {
  const files = generatedFiles();
  for (const dir of new Set([...files.keys()].map((path) => dirname(path)))) {
    await mkdir(join(root, dir), { recursive: true });
    for (const existing of await readdir(join(root, dir))) {
      const path = `${dir}/${existing}`;
      if (!files.has(path) && /\.(ya?ml|json)$/.test(existing)) await rm(join(root, path));
    }
  }
  for (const [path, content] of files) await writeFile(join(root, path), content);
  return [...files.keys()];
}

if (import.meta.main) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const written = await generate(root);
  console.log(`wrote ${written.length} files under observability/`);
}
