# syntax=docker/dockerfile:1.7
# One image recipe for every app (api, gateway, web). Build from the repository root (the workspace is the
# build context), naming the app:
#   docker build --build-arg APP=api \
#     --build-arg NODE_IMAGE="$(node -p "require('./packages/platform/versions.json').images.node")" \
#     --build-arg VERSION="$(git describe --always)" --build-arg GIT_COMMIT="$(git rev-parse HEAD)" -t api .
# The web app alone adds --build-arg NODE_OPTIONS=--import=tsx: JSX is the one syntax Node cannot strip (ADR 0001).

# The Node image is pinned in packages/platform/versions.json (images.node); CI passes it as NODE_IMAGE. The
# default below is only for a bare `docker build` and must equal that value (a test holds that).
ARG NODE_IMAGE=node:26.10.0-bookworm-slim
ARG APP

FROM ${NODE_IMAGE} AS deps
ARG APP
# The repository pins pnpm in packages/platform/versions.json (tools.pnpm); any pnpm 12 reads this lockfile.
ENV CI=true PNPM_HOME=/pnpm PATH=/pnpm:$PATH npm_config_manage_package_manager_versions=false
RUN npm install --global --no-fund --no-audit pnpm@12
WORKDIR /app
# The lockfile alone decides what is fetched, so this layer is reused until a dependency changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --prod --store-dir /pnpm/store
# Only the manifests of the app and the workspace packages every app depends on.
COPY packages/platform/package.json packages/platform/
COPY packages/service-kit/package.json packages/service-kit/
COPY apps/${APP}/package.json apps/${APP}/
# Production dependencies of the app and its workspace packages only (no dev tools, no other apps). Workspace
# packages stay symlinks to /app/packages/*: Node strips TypeScript types only outside node_modules, and their
# sources are TypeScript. --offline: only what `pnpm fetch` took from the lockfile can be installed.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --offline --prod --store-dir /pnpm/store --filter "@homelab/${APP}..."

FROM ${NODE_IMAGE} AS runtime
ARG APP
ARG NODE_OPTIONS=
ARG VERSION=0.0.0-dev
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="homelab-${APP}" \
      org.opencontainers.image.description="homelab ${APP}: a Hono service of the homelab platform" \
      org.opencontainers.image.source="https://github.com/homelab-platform/homelab" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_COMMIT}"
ENV NODE_ENV=production \
    SERVICE_VERSION=${VERSION} \
    GIT_COMMIT=${GIT_COMMIT} \
    NODE_OPTIONS=${NODE_OPTIONS} \
    # Read-only root filesystem: the only writable place is /tmp (an emptyDir in the cluster), for tsx's cache
    # too. In the cluster the API's DATABASE_URL is set and PGlite is unused; this keeps a stray local-mode start
    # from failing.
    TMPDIR=/tmp \
    PGLITE_DATA_DIR=/tmp/pglite
WORKDIR /app
# Manifests and every node_modules the install produced (symlinks intact), then the sources.
COPY --from=deps --chown=0:0 /app ./
COPY --chown=0:0 packages/platform/versions.json packages/platform/
COPY --chown=0:0 packages/platform/src packages/platform/src
COPY --chown=0:0 packages/service-kit/src packages/service-kit/src
# The app's directory (sources, and the API's migrations); Dockerfile.dockerignore drops tests and benchmarks.
COPY --chown=0:0 apps/${APP} apps/${APP}
WORKDIR /app/apps/${APP}
# Files are owned by root and not writable by the process; it runs as an unprivileged UID (>= 10000, no login).
USER 10001:10001
# No EXPOSE: the port is apps.<name>.port in packages/platform (each app's PORT default), and nothing here reads it.
# serve() drains on SIGTERM (readiness 503, Connection: close, in-flight finish, pools closed, exit 0).
STOPSIGNAL SIGTERM
# The API's migration Job runs the same image with: node src/migrate.ts
CMD ["node", "src/main.ts"]
