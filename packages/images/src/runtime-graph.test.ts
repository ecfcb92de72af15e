import { appImages, appNames } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.ts';
import { declaredWorkspacePackages, runtimeWorkspaceDirs } from './runtime-graph.ts';

/**
 * Issue 16: the gateway image crashed on `Cannot find package '@homelab/api'` and web on '@homelab/canary-gate':
 * they imported other apps and packages their images never carried. Apps are leaves (ADR 0110): these hold it.
 */
describe.each(appNames)('the %s image', (app) => {
  it('reaches at run time only its own app directory and the workspace packages its image carries', async () => {
    const dirs = await runtimeWorkspaceDirs(repoRoot, app);
    expect([...dirs].filter((d) => d.startsWith('apps/'))).toEqual([`apps/${app}`]);
    const reached = [...dirs].filter((d) => d.startsWith('packages/')).map((d) => d.slice('packages/'.length));
    const carried: readonly string[] = appImages[app].packages;
    expect(
      reached.filter((p) => !carried.includes(p)),
      'imported at run time but not in the image',
    ).toEqual([]);
  });

  it('carries exactly the workspace packages its package.json depends on (what pnpm --filter installs)', () => {
    expect([...declaredWorkspacePackages(repoRoot, app)].sort()).toEqual([...appImages[app].packages].sort());
  });
});

describe('the run-time import check', () => {
  it('sees a workspace package reached through a carried package (platform from service-kit)', async () => {
    // The graph is followed, not the app's own import lines: service-kit's imports count for the api too.
    const dirs = await runtimeWorkspaceDirs(repoRoot, 'api');
    expect(dirs.has('packages/service-kit')).toBe(true);
    expect(dirs.has('packages/notes-contract')).toBe(true);
  });
});
