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
