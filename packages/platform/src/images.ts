import { apiImage, apiImplementations } from './api-implementation.ts';
import type { AppName } from './apps.ts';
import { podIdentity } from './k8s.ts';

/**
 * What goes into each app image, defined once (ADR 0111). The Dockerfile is generated from it (`homelab images
 * dockerfile`, drift-checked in CI) and the local builder (packages/images) lays out exactly the same tree, so an
 * image built at home with `docker build` and one built here without a Docker engine carry the same files.
 */
export interface AppImage {
  readonly app: AppName;
  /**
   * Workspace packages the image carries (directory names under packages/): exactly the app's workspace
   * dependencies, transitively. A test fails when an app or one of these imports at run time a workspace package
   * that is not listed, and when the list and the package.json dependencies disagree.
   */
  readonly packages: readonly string[];
  /** The process the container runs, relative to the app's directory (the working directory). */
  readonly command: readonly string[];
  /** Environment the image sets, beside the common one (`imageEnv`). */
  readonly env: Readonly<Record<string, string>>;
  /** Other commands run from the same image (the API's migration Job). */
  readonly jobs: Readonly<Record<string, readonly string[]>>;
}

/** Image files are owned by root and read-only to the process, which runs as the pods' UID/GID (no login). */
export const imageUser = podIdentity;

/** Where the workspace lives inside an image; each app runs from `<imageRoot>/apps/<app>`. */
export const imageRoot = '/app';

/**
 * Files of a carried workspace package beside its package.json: its sources, and for platform the pinned versions
 * it reads at run time.
 */
export const packageFiles: Readonly<Record<string, readonly string[]>> = {
  platform: ['versions.json', 'src'],
};
export const defaultPackageFiles: readonly string[] = ['src'];

/**
 * Environment common to every app image. Read-only root filesystem: the only writable place is /tmp (an emptyDir
 * in the cluster, a tmpfs under compose), for tsx's cache too.
 */
export const imageEnv: Readonly<Record<string, string>> = { NODE_ENV: 'production', TMPDIR: '/tmp' };

const node = (script: string) => ['node', script] as const;

export const appImages = {
  api: {
    app: 'api',
    packages: ['platform', 'service-kit', 'notes-contract'],
    command: node('src/main.ts'),
    // In the cluster DATABASE_URL is set and PGlite is unused; this keeps a stray local-mode start from failing on
    // the read-only root.
    env: { PGLITE_DATA_DIR: '/tmp/pglite' },
    jobs: { migrate: node('src/migrate.ts') },
  },
  gateway: {
    app: 'gateway',
    packages: ['platform', 'service-kit', 'notes-contract'],
    command: node('src/main.ts'),
    env: {},
    jobs: {},
  },
  web: {
    app: 'web',
    packages: ['platform', 'service-kit', 'notes-contract', 'deploy-report'],
    command: node('src/main.ts'),
    // JSX is the one syntax Node cannot strip: the web app runs through the tsx loader (ADR 0001).
    env: { NODE_OPTIONS: '--import=tsx' },
    jobs: {},
  },
} as const satisfies Record<AppName, AppImage>;

/**
 * An image of one static Go binary (ADR 0150): built with `go build` in the module directory, run as the pods'
 * UID, no shell, no libc. The Dockerfile builds it in the pinned golang image (versions.json images.golang) and
 * copies it onto distroless/static (images.goRuntime); the local builder lays the same /app tree onto the same
 * minimal root as every image here (passwd, group, /tmp) plus Debian 12's CA bundle, as distroless/static has.
 */
export interface GoImage {
  /** The image name under the project's repository (what the manifests reference). */
  readonly name: string;
  /** Full reference, tag included (a deploy pins the digest). */
  readonly reference: string;
  /** The module directory, relative to the repository root. */
  readonly module: string;
  /** The package `go build` builds, relative to the module. */
  readonly package: string;
  /** Where the binary lands in the image. */
  readonly binary: string;
  /** Environment of `go build`. Static (no cgo), and only the pinned Go: never a toolchain download. */
  readonly buildEnv: Readonly<Record<string, string>>;
  /** Flags of `go build`, before `-o`. */
  readonly buildFlags: readonly string[];
  /** Further directories copied in: repository path -> image path. */
  readonly copies: Readonly<Record<string, string>>;
  /** The image's ENTRYPOINT (no CMD): a Job's `command` replaces it. */
  readonly entrypoint: readonly string[];
  /** Other commands run from the same image (the API's migration Job), as a Kubernetes `command`. */
  readonly jobs: Readonly<Record<string, readonly string[]>>;
}

/** Where Go images keep their files: the binary and what it reads beside it. */
export const goImageRoot = '/app';

export const goImages = {
  [apiImplementations.go.imageName]: {
    name: apiImplementations.go.imageName,
    reference: apiImage('go'),
    module: apiImplementations.go.sourceDir,
    package: './cmd/api',
    binary: apiImplementations.go.serveCommand[0],
    // GOWORK=off: the image builds from the module's own go.mod/go.sum, not the repository's go.work (which names
    // modules the image does not carry). -buildvcs=false: the build context has no .git (and the local build must
    // not depend on the checkout's commit).
    buildEnv: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOWORK: 'off', GOFLAGS: '-buildvcs=false' },
    buildFlags: ['-trimpath', '-ldflags', '-s -w'],
    // The TypeScript API's migrations, not a copy in git: the binary looks for migrations/ beside itself first.
    copies: { 'apps/api/migrations': `${goImageRoot}/migrations` },
    entrypoint: apiImplementations.go.serveCommand,
    jobs: { migrate: apiImplementations.go.migrateCommand },
  },
} as const satisfies Record<string, GoImage>;
export type GoImageName = keyof typeof goImages;
export const goImageNames = Object.keys(goImages) as GoImageName[];

/** The files of one carried workspace package, relative to the repository root. */
export const carriedPackagePaths = (pkg: string): string[] =>
  (packageFiles[pkg] ?? defaultPackageFiles).map((file) => `packages/${pkg}/${file}`);

/**
 * The images of the data tier and the pod sandbox, built here from Debian 12's packages (no registry): PostgreSQL
 * 15, Redis 7, their Prometheus exporters, and the pause image from kubernetes' pause.c. The names are local
 * (`localhost/...`): at home the manifests keep the upstream images pinned in versions.json.
 */
export const localImages = {
  postgres: 'localhost/homelab/postgres:15-debian12',
  redis: 'localhost/homelab/redis:7-debian12',
  postgresExporter: 'localhost/homelab/postgres-exporter:debian12',
  redisExporter: 'localhost/homelab/redis-exporter:debian12',
  pause: 'localhost/homelab/pause:3.10.2',
} as const;
export type LocalImageName = keyof typeof localImages;
