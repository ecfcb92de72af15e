import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderDockerfile } from './dockerfile.ts';
import { repoRoot } from './repo-root.ts';

/**
 * `node packages/images/src/cli.ts dockerfile`: regenerate the Dockerfile from the image definition.
 * `node packages/images/src/cli.ts compose`: regenerate compose.yaml and compose.api-go.yaml from packages/platform.
 * `node packages/images/src/cli.ts build [--out DIR] [image...]`: build OCI archives locally (no Docker engine).
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' } },
});
const [command, ...names] = positionals;
if (command === 'dockerfile') {
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
  console.error('usage: cli.ts dockerfile | compose | build [--out DIR] [image...]');
  process.exitCode = 2;
}
