import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderDockerfile } from './dockerfile.ts';
import { repoRoot } from './repo-root.ts';

/**
 * `npm run images -- dockerfile`: regenerate the Dockerfile from the image definition.
 * `npm run images -- compose`: regenerate compose.yaml and compose.api-go.yaml from packages/platform.
 * `npm run images -- build [--out DIR] [image...]`: build OCI archives locally (no Docker engine).
 * (`node packages/images/src/cli.ts ...` after `. scripts/bootstrap.sh` is the same.)
 */
const usage = 'usage: npm run images -- dockerfile | compose | build [--out DIR] [image...]';
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
const [command, ...names] = positionals;
if (values.help) {
  console.log(usage);
} else if (command === 'dockerfile') {
  writeFileSync(join(repoRoot, 'Dockerfile'), renderDockerfile());
  console.log('wrote Dockerfile');
} else if (command === 'compose') {
  const { composeFiles, renderCompose } = await import('./compose.ts');
  writeFileSync(join(repoRoot, composeFiles.base), renderCompose('ts'));
  writeFileSync(join(repoRoot, composeFiles.apiGo), renderCompose('go'));
  console.log(`wrote ${composeFiles.base} and ${composeFiles.apiGo}`);
} else if (command === 'build') {
  const { buildImages } = await import('./build-all.ts');
  await buildImages({ names, out: values.out });
} else {
  console.error(usage);
  process.exitCode = 2;
}
