import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type GoImageName, goImageRoot, goImages, imageUser, versions } from '@homelab/platform';
import { type BuildOptions, type BuiltImage, cachedArchive } from './build-images.ts';
import { childEnv } from './env.ts';
import { baseRoot, copyIntoRoot } from './node-runtime.ts';
import { writeOciArchive } from './oci-archive.ts';
import { repoRoot } from './repo-root.ts';

/**
 * The CA bundle distroless/static carries (Debian 12's ca-certificates), so `rediss://` and `sslmode=require` work
 * the same in the image built here as in the one built from the Dockerfile.
 */
const caBundle = '/etc/ssl/certs/ca-certificates.crt';

/** Files under `dir` (relative to the repository root), recursively, sorted; `keep` filters by path. */
function filesUnder(dir: string, keep: (path: string) => boolean = () => true): string[] {
  const full = join(repoRoot, dir);
  if (!existsSync(full)) throw new Error(`the image definition names ${dir}, which does not exist`);
  if (!statSync(full).isDirectory()) return [dir];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .map((entry) => `${dir}/${entry}`)
    .filter((path) => statSync(join(repoRoot, path)).isFile() && keep(path))
    .sort();
}

/**
 * What `go build` reads: go.mod, go.sum and the module's non-test Go packages with their embedded files (cmd/,
 * internal/). The TypeScript tests, benchmarks and node_modules beside them are not inputs.
 */
export function goSourcePaths(name: GoImageName): string[] {
  const { module } = goImages[name];
  const buildInput = (path: string) => !path.endsWith('_test.go') && !path.includes('/testdata/');
  return [
    `${module}/go.mod`,
    `${module}/go.sum`,
    ...filesUnder(`${module}/cmd`, buildInput),
    ...filesUnder(`${module}/internal`, buildInput),
  ];
}

/** The Go that builds the image must be the pinned one: a different compiler is a different binary. */
export function goVersion(): string {
  const have = execFileSync('go', ['env', 'GOVERSION'], {
    encoding: 'utf8',
    env: childEnv({ GOTOOLCHAIN: 'local' }),
  })
    .trim()
    .replace(/^go/, '');
  if (have !== versions.tools.go) {
    throw new Error(`go ${have} is on PATH, versions.json pins tools.go ${versions.tools.go}: install the pinned Go`);
  }
  return have;
}

/**
 * One Go image, laid out as the Dockerfile's stage for it: the static binary at /app/api and apps/api/migrations
 * at /app/migrations (root-owned, read-only to UID 10001), ENTRYPOINT the binary (ADR 0150).
 */
export function buildGoImage(name: GoImageName, options: Pick<BuildOptions, 'out'> = {}): Promise<BuiltImage> {
  const image = goImages[name];
  const copied = Object.keys(image.copies).flatMap((dir) => filesUnder(dir));
  return cachedArchive(
    name,
    image.reference,
    (hash) => {
      hash.update(JSON.stringify(image)).update(goVersion());
      if (existsSync(caBundle)) hash.update(readFileSync(caBundle));
      for (const file of [...goSourcePaths(name), ...copied])
        hash.update(file).update(readFileSync(join(repoRoot, file)));
    },
    (work, archive) => {
      const base = join(work, 'base');
      baseRoot(base, []);
      if (existsSync(caBundle)) copyIntoRoot(base, caBundle, 0o644);
      const app = join(work, 'app');
      const binary = join(app, image.binary.slice(goImageRoot.length + 1));
      mkdirSync(dirname(binary), { recursive: true });
      execFileSync('go', ['build', ...image.buildFlags, '-o', binary, image.package], {
        cwd: join(repoRoot, image.module),
        env: childEnv(image.buildEnv),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      chmodSync(binary, 0o755);
      for (const [from, to] of Object.entries(image.copies)) {
        cpSync(join(repoRoot, from), join(app, to.slice(goImageRoot.length + 1)), { recursive: true });
      }
      writeOciArchive(
        {
          reference: image.reference,
          layers: [
            { source: base, target: '/' },
            { source: app, target: goImageRoot },
          ],
          command: [],
          entrypoint: image.entrypoint,
          user: `${imageUser.uid}:${imageUser.gid}`,
          workingDir: goImageRoot,
          labels: { 'org.opencontainers.image.title': `homelab-${name}` },
        },
        archive,
      );
    },
    options.out,
  );
}
