import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirname } from 'node:path/posix';
import { appImages, appNames, goImageNames, goImages, imageUser, versions } from '@homelab/platform';
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

  it.each(goImageNames)('builds %s statically with the pinned Go and runs it as the entrypoint (ADR 0150)', (name) => {
    const image = goImages[name];
    const build = committed.split(`AS ${name}-build`)[1]?.split(`AS ${name}\n`)[0] ?? '';
    const stage = committed.split(`AS ${name}\n`)[1]?.split('# ---- ')[0] ?? '';
    expect(build).toMatch(/CGO_ENABLED=0/);
    expect(build).toContain('go build -trimpath -ldflags "-s -w" -o /app/api ./cmd/api');
    expect(stage).toContain(`ENTRYPOINT ${JSON.stringify(image.entrypoint)}`);
    expect(stage).not.toMatch(/^CMD /m);
    expect(stage).toContain(`USER ${imageUser.uid}:${imageUser.gid}`);
    // The binary looks for migrations/ beside itself (apps/api-go/cmd/api/main.go, migrationsDir).
    expect(stage).toContain(`COPY --chown=0:0 apps/api/migrations ${dirname(image.binary)}/migrations`);
    expect(committed).toContain(`ARG GO_IMAGE=${versions.images.golang}`);
  });

  it('pins a golang builder image of the Go the repository pins (tools.go)', () => {
    expect(versions.images.golang).toMatch(new RegExp(`^golang:${versions.tools.go.replaceAll('.', '\\.')}-`));
  });
});
