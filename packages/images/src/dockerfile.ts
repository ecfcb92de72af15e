import {
  type AppImage,
  appImages,
  appNames,
  carriedPackagePaths,
  type GoImage,
  goImageNames,
  goImageRoot,
  goImages,
  imageEnv,
  imageRoot,
  imageUser,
  versions,
} from '@homelab/platform';

/** Docker's build-argument placeholder, spelt out so it is not mistaken for a template literal. */
const arg = (name: string) => `$${'{'}${name}}`;
const json = (words: readonly string[]) => JSON.stringify(words).replaceAll('","', '", "');
const envLines = (env: Readonly<Record<string, string>>) =>
  Object.entries(env).map(([key, value]) => `    ${key}=${/\s/.test(value) ? JSON.stringify(value) : value}`);

function appStages(image: AppImage): string[] {
  const { app } = image;
  const manifests = [...image.packages.map((p) => `packages/${p}`), `apps/${app}`];
  const sources = image.packages.flatMap(carriedPackagePaths);
  const env = { ...imageEnv, ...image.env, SERVICE_VERSION: arg('VERSION'), GIT_COMMIT: arg('GIT_COMMIT') };
  return [
    `# ---- ${app}: docker build --target ${app} ----`,
    `FROM fetched AS ${app}-deps`,
    '# Only the manifests of the app and the workspace packages it carries (packages/platform/src/images.ts).',
    ...manifests.map((dir) => `COPY ${dir}/package.json ${dir}/`),
    '# Production dependencies of this app and its workspace packages only. Workspace packages stay symlinks to',
    '# /app/packages/*: Node strips TypeScript types only outside node_modules. --offline: only what `pnpm fetch` took.',
    'RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \\',
    `    pnpm install --offline --prod --store-dir /pnpm/store --filter "@homelab/${app}..."`,
    '',
    `FROM ${arg('NODE_IMAGE')} AS ${app}`,
    'ARG VERSION=0.0.0-dev',
    'ARG GIT_COMMIT=unknown',
    `LABEL org.opencontainers.image.title="homelab-${app}" \\`,
    `      org.opencontainers.image.source="https://github.com/homelab-platform/homelab" \\`,
    `      org.opencontainers.image.licenses="MIT" \\`,
    `      org.opencontainers.image.version="${arg('VERSION')}" \\`,
    `      org.opencontainers.image.revision="${arg('GIT_COMMIT')}"`,
    `ENV ${envLines(env).join(' \\\n').trimStart()}`,
    `WORKDIR ${imageRoot}`,
    '# Manifests and every node_modules the install produced (symlinks intact), then the sources.',
    `COPY --from=${app}-deps --chown=0:0 ${imageRoot} ./`,
    ...sources.map((path) => `COPY --chown=0:0 ${path} ${path}`),
    '# The app directory (sources, and the API migrations); Dockerfile.dockerignore drops tests and benchmarks.',
    `COPY --chown=0:0 apps/${app} apps/${app}`,
    `WORKDIR ${imageRoot}/apps/${app}`,
    `USER ${imageUser.uid}:${imageUser.gid}`,
    'STOPSIGNAL SIGTERM',
    ...Object.entries(image.jobs).map(
      ([name, command]) => `# Job "${name}" runs this image with: ${command.join(' ')}`,
    ),
    `CMD ${json(image.command)}`,
    '',
  ];
}

/**
 * A Go image (ADR 0150): `go build` in the pinned golang image with the module's own go.mod (module downloads and
 * the build cache in BuildKit cache mounts), then the binary and its files on distroless/static.
 */
function goStages(image: GoImage): string[] {
  const { name, module } = image;
  const buildEnv = { ...image.buildEnv };
  const copies = Object.entries(image.copies);
  return [
    `# ---- ${name}: docker build --target ${name} ----`,
    `FROM ${arg('GO_IMAGE')} AS ${name}-build`,
    `ENV ${envLines(buildEnv).join(' \\\n').trimStart()}`,
    `WORKDIR /src/${module}`,
    '# The module list alone decides what is downloaded, so this layer is reused until a dependency changes.',
    `COPY ${module}/go.mod ${module}/go.sum ./`,
    'RUN --mount=type=cache,id=gomod,target=/go/pkg/mod go mod download',
    `COPY ${module}/cmd cmd`,
    `COPY ${module}/internal internal`,
    'RUN --mount=type=cache,id=gomod,target=/go/pkg/mod --mount=type=cache,id=gobuild,target=/root/.cache/go-build \\',
    `    go build ${image.buildFlags.map((f) => (/\s/.test(f) ? JSON.stringify(f) : f)).join(' ')} -o ${image.binary} ${image.package}`,
    '',
    `FROM ${arg('GO_RUNTIME_IMAGE')} AS ${name}`,
    'ARG VERSION=0.0.0-dev',
    'ARG GIT_COMMIT=unknown',
    `LABEL org.opencontainers.image.title="homelab-${name}" \\`,
    `      org.opencontainers.image.source="https://github.com/homelab-platform/homelab" \\`,
    `      org.opencontainers.image.licenses="MIT" \\`,
    `      org.opencontainers.image.version="${arg('VERSION')}" \\`,
    `      org.opencontainers.image.revision="${arg('GIT_COMMIT')}"`,
    `ENV ${envLines({ SERVICE_VERSION: arg('VERSION'), GIT_COMMIT: arg('GIT_COMMIT') })
      .join(' \\\n')
      .trimStart()}`,
    `COPY --from=${name}-build --chown=0:0 ${image.binary} ${image.binary}`,
    ...copies.map(([from, to]) => `COPY --chown=0:0 ${from} ${to}`),
    `WORKDIR ${goImageRoot}`,
    `USER ${imageUser.uid}:${imageUser.gid}`,
    'STOPSIGNAL SIGTERM',
    ...Object.entries(image.jobs).map(
      ([job, command]) =>
        `# Job "${job}" runs this image with the command (replacing the entrypoint): ${command.join(' ')}`,
    ),
    `ENTRYPOINT ${json(image.entrypoint)}`,
    '',
  ];
}

/**
 * The Dockerfile, generated from the one definition of the app images (`appImages` in packages/platform). One
 * final stage per app, so each image carries exactly its own workspace packages.
 */
export function renderDockerfile(): string {
  return [
    '# syntax=docker/dockerfile:1.7',
    '# GENERATED by `node packages/images/src/cli.ts dockerfile` from packages/platform/src/images.ts: edit that, then',
    '# regenerate (a test fails on drift). Build from the repository root, naming the app as the target:',
    '#   docker build --target api \\',
    `#     --build-arg NODE_IMAGE="$(node -p "require('./packages/platform/versions.json').images.node")" \\`,
    '#     --build-arg VERSION="$(git describe --always)" --build-arg GIT_COMMIT="$(git rev-parse HEAD)" -t api .',
    '# Without Docker: `node packages/images/src/cli.ts build` lays out the same files into OCI archives.',
    '',
    '# The Node image is pinned in packages/platform/versions.json (images.node); CI passes it as NODE_IMAGE.',
    `ARG NODE_IMAGE=${versions.images.node}`,
    '# The Go builder (images.golang: the Go of tools.go) and the runtime of Go images (images.goRuntime): a static',
    '# binary needs no libc and no shell; distroless/static brings CA certificates, tzdata and /etc/passwd (ADR 0150).',
    `ARG GO_IMAGE=${versions.images.golang}`,
    `ARG GO_RUNTIME_IMAGE=${versions.images.goRuntime}`,
    '',
    `FROM ${arg('NODE_IMAGE')} AS fetched`,
    '# Any pnpm 12 reads the lockfile; the repository pins its own in versions.json (tools.pnpm).',
    'ENV CI=true PNPM_HOME=/pnpm PATH=/pnpm:$PATH npm_config_manage_package_manager_versions=false',
    'RUN npm install --global --no-fund --no-audit pnpm@12',
    `WORKDIR ${imageRoot}`,
    '# The lockfile alone decides what is fetched, so this layer is reused until a dependency changes.',
    'COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./',
    'RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --prod --store-dir /pnpm/store',
    '',
    ...appNames.flatMap((app) => appStages(appImages[app])),
    ...goImageNames.flatMap((name) => goStages(goImages[name])),
  ].join('\n');
}
