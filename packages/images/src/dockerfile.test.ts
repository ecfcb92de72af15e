import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appImages, appNames, imageUser } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { renderDockerfile } from './dockerfile.ts';
import { repoRoot } from './repo-root.ts';

const committed = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

describe('the Dockerfile', () => {
  it('is the one generated from the image definition (regenerate: node packages/images/src/cli.ts dockerfile)', () => {
    expect(committed).toBe(renderDockerfile());
  });

  it.each(appNames)('builds %s with exactly the workspace packages the definition lists', (app) => {
    const stage = committed.split(`FROM fetched AS ${app}-deps`)[1]?.split('# ---- ')[0] ?? '';
    const packages = [...stage.matchAll(/^COPY packages\/([^/]+)\/package\.json/gm)].map((m) => m[1]);
    expect(packages).toEqual([...appImages[app].packages]);
    expect(stage).toContain(`CMD ${JSON.stringify(appImages[app].command).replaceAll('","', '", "')}`);
    expect(stage).toContain(`USER ${imageUser.uid}:${imageUser.gid}`);
  });
});
