import { project } from './cluster.ts';
import { appImageTag } from './k8s.ts';

/**
 * The notes API has two implementations with one contract (ADR 0135): TypeScript (apps/api) and Go (apps/api-go).
 * Either serves behind the gateway at any weight, on the same database, Redis, env, metrics and probes; this is
 * the one typed place that says what differs between them: the image and the commands in it.
 */
export type ApiImplementation = 'ts' | 'go';

export interface ApiImplementationSpec {
  readonly implementation: ApiImplementation;
  /** Image name under the project's repository (the tag is the apps' tag; a deploy pins the digest). */
  readonly imageName: string;
  /** The container's command to serve (the image's entrypoint does the same; manifests may rely on it). */
  readonly serveCommand: readonly string[];
  /** The migration Job's command: the same migrations directory (apps/api/migrations) either way. */
  readonly migrateCommand: readonly string[];
  /** Where the source lives. */
  readonly sourceDir: string;
  /**
   * A command in the image that exits 0 when the container's server is ready (compose's healthcheck). Absent where
   * the image's own runtime can ask (`node -e fetch(...)` in the TypeScript images).
   */
  readonly healthcheckCommand?: readonly string[];
}

export const apiImplementations = {
  ts: {
    implementation: 'ts',
    imageName: 'api',
    serveCommand: ['node', 'src/main.ts'],
    migrateCommand: ['node', 'src/migrate.ts'],
    sourceDir: 'apps/api',
  },
  /**
   * The image (built by the image builder): a static binary (`CGO_ENABLED=0 go build -trimpath -ldflags "-s -w"
   * ./cmd/api` in apps/api-go) at /app/api, with apps/api/migrations copied to /app/migrations (the binary looks
   * beside itself first), user 10001, no shell needed. `api migrate` is the one-shot migration.
   */
  go: {
    implementation: 'go',
    imageName: 'api-go',
    serveCommand: ['/app/api'],
    migrateCommand: ['/app/api', 'migrate'],
    healthcheckCommand: ['/app/api', 'healthcheck'],
    sourceDir: 'apps/api-go',
  },
} as const satisfies Record<ApiImplementation, ApiImplementationSpec>;

export const apiImplementationNames = Object.keys(apiImplementations) as ApiImplementation[];

/** The stable implementation unless a deploy says otherwise. */
export const defaultApiImplementation: ApiImplementation = 'ts';

/** Parses a flag or config value, naming the accepted ones. */
export function parseApiImplementation(value: string): ApiImplementation {
  if ((apiImplementationNames as string[]).includes(value)) return value as ApiImplementation;
  throw new Error(`unknown API implementation "${value}": expected one of ${apiImplementationNames.join(', ')}`);
}

/** `<imageRepository>/<api|api-go>:<tag>`. */
export const apiImage = (implementation: ApiImplementation): string =>
  `${project.imageRepository}/${apiImplementations[implementation].imageName}:${appImageTag}`;

/**
 * Which implementation an image reference is, from its name (the last path segment before the tag or digest):
 * `.../api:0.1.0` or `.../api@sha256:...` is 'ts', `.../api-go@sha256:...` is 'go'; anything else is undefined.
 * In the cluster the two differ only in the image (ADR 0151): a deploy of the other implementation's image is
 * the switch.
 */
export function apiImplementationOf(image: string): ApiImplementation | undefined {
  const repository = image.replace(/@sha256:[a-f0-9]+$/, '').replace(/:[^/:]+$/, '');
  const name = repository.slice(repository.lastIndexOf('/') + 1);
  return apiImplementationNames.find((impl) => apiImplementations[impl].imageName === name);
}
