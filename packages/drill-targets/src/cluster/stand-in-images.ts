import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageSource, repoRoot, rootfsImage, sh } from '@homelab/cluster';
import { layOutApp } from '@homelab/images/app-tree';
import { appImage, appImages, imageEnv, imageRoot, imageUser, versions } from '@homelab/platform';

/**
 * Stand-in images for the real-node cluster until the image builder of issue 16 part 1 (branch `images`) lands:
 * each is assembled from this machine's files (the Node binary, Debian's PostgreSQL and Redis) into a one-layer
 * archive, with no registry and no Docker engine. They implement the `ImageSource` interface, so switching to the
 * real builder changes this file only. They are NOT the images the Dockerfile builds (Debian's PostgreSQL 15 and
 * Redis 7 stand in for the pinned alpine images); the gateway and web images are not here at all.
 */

const nodeBinary = () => sh('readlink', ['-f', join(repoRoot, '.tools/bin/node')]).trim();
const busybox = '/usr/bin/busybox';
/** Busybox as the shell the entrypoint scripts need. */
const shell = { files: { [busybox]: '/bin/busybox' }, links: { '/bin/sh': '/bin/busybox' } };

const standInRef = (nameTag: string) => `homelab.local/stand-in/${nameTag}`;

/**
 * The refs the stand-ins are imported as. The manifests pin the upstream images by digest, which no local build can
 * match, so a real-node apply rewrites those refs to these (`standInRefs`), and says so.
 */
export const standInRefs: Readonly<Record<string, string>> = {
  [versions.images.postgres]: standInRef('postgres:15-debian'),
  [versions.images.redis]: standInRef('redis:7-debian'),
};

/**
 * The api image: the pinned Node binary and its glibc, and `/app` laid out from the one image definition
 * (packages/platform `appImages`, packages/images `layOutApp`): the same manifests, `pnpm install --offline --prod`,
 * workspace packages and sources (migrations included) as the Dockerfile's runtime stage. Same working directory,
 * user and command as the Dockerfile.
 */
export const apiStandIn = (): ImageSource => {
  const node = nodeBinary();
  const ref = appImage('api');
  const image = appImages.api;
  return {
    ref,
    async build(dir) {
      const out = mkdtempSync(join(tmpdir(), 'homelab-api-image-'));
      try {
        const { tree } = layOutApp(repoRoot, 'api', out);
        return await rootfsImage({
          ref,
          binaries: [{ from: node, to: '/usr/local/bin/node' }],
          env: [
            ...Object.entries({ ...imageEnv, ...image.env }).map(([k, v]) => `${k}=${v}`),
            `SERVICE_VERSION=${versions.images.appTag}`,
          ],
          user: `${imageUser.uid}:${imageUser.gid}`,
          workdir: `${imageRoot}/apps/api`,
          cmd: [...image.command],
          trees: [{ from: tree, to: imageRoot }],
        }).build(dir);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  };
};

const pgBin = '/usr/lib/postgresql/15/bin';

/**
 * What the official postgres image's entrypoint does that the manifests rely on: initialise PGDATA on first start
 * with POSTGRES_USER, the password from POSTGRES_PASSWORD_FILE and the POSTGRES_DB database, accept password
 * (scram) connections from the network, then run postgres in the foreground.
 */
export const postgresEntrypoint = `#!/bin/sh
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$POSTGRES_PASSWORD_FILE" -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "CREATE DATABASE \\"$POSTGRES_DB\\" OWNER \\"$POSTGRES_USER\\"" | postgres --single -D "$PGDATA" postgres >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql
`;

export const postgresStandIn = (): ImageSource =>
  rootfsImage({
    ref: standInRef('postgres:15-debian'),
    binaries: ['postgres', 'initdb', 'pg_isready', 'psql', 'pg_ctl'].map((b) => `${pgBin}/${b}`),
    dirs: ['/usr/lib/postgresql/15/lib', '/usr/share/postgresql/15', '/usr/share/zoneinfo'],
    files: shell.files,
    links: {
      ...shell.links,
      ...Object.fromEntries(
        ['postgres', 'initdb', 'pg_isready', 'psql', 'pg_ctl'].map((b) => [`/usr/local/bin/${b}`, `${pgBin}/${b}`]),
      ),
    },
    scripts: { '/usr/local/bin/docker-entrypoint.sh': postgresEntrypoint },
    entrypoint: ['/usr/local/bin/docker-entrypoint.sh'],
    cmd: ['postgres'],
  });

export const redisStandIn = (): ImageSource =>
  rootfsImage({
    ref: standInRef('redis:7-debian'),
    binaries: ['/usr/bin/redis-server', '/usr/bin/redis-cli'],
    ...shell,
    cmd: ['redis-server'],
  });
