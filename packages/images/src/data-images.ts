import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageUser, type LocalImageName, localImages } from '@homelab/platform';
import { type BuiltImage, cachedArchive, defaultImageDir } from './build-images.ts';
import { aptListsStamp, candidateVersions, extractPackages, packageClosure } from './debian-packages.ts';
import { baseRoot } from './node-runtime.ts';
import { writeOciArchive } from './oci-archive.ts';

const pgBin = '/usr/lib/postgresql/15/bin';

/**
 * PostgreSQL's entry point, with the interface of the official image the manifests use (POSTGRES_USER,
 * POSTGRES_DB, POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE, PGDATA): initdb on the first start, then postgres in
 * the foreground. dash from Debian runs it; there is no other shell or coreutils in the image.
 */
export const postgresEntrypoint = `#!/bin/dash
set -eu
: "\${PGDATA:=/var/lib/postgresql/data}"
: "\${POSTGRES_USER:=postgres}"
: "\${POSTGRES_DB:=$POSTGRES_USER}"
if [ -n "\${POSTGRES_PASSWORD_FILE:-}" ]; then
  [ -r "$POSTGRES_PASSWORD_FILE" ] || { echo "cannot read POSTGRES_PASSWORD_FILE $POSTGRES_PASSWORD_FILE" >&2; exit 1; }
  # A Kubernetes Secret's value has no trailing newline: read returns 1 at end of file, having read it.
  POSTGRES_PASSWORD=
  IFS= read -r POSTGRES_PASSWORD < "$POSTGRES_PASSWORD_FILE" || [ -n "$POSTGRES_PASSWORD" ]
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "\${POSTGRES_PASSWORD:-}" ]; then echo "POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE is required" >&2; exit 1; fi
  umask 077
  pwfile=/tmp/initdb-password
  printf '%s\\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \\
    --encoding=UTF8 --locale=C
  : > "$pwfile"
  printf 'host all all all scram-sha-256\\n' >> "$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \\"$POSTGRES_DB\\" OWNER \\"$POSTGRES_USER\\";" | postgres --single -D "$PGDATA" -j postgres > /dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
`;

interface DataImage {
  /** Debian packages whose files the image carries (plus their library packages). */
  readonly packages: readonly string[];
  readonly command: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Directories the unprivileged user writes (a volume's mount point takes their owner). */
  readonly writable: readonly string[];
  readonly workingDir?: string;
  readonly stopSignal?: string;
  readonly extra?: (root: string) => void;
}

const path = (...dirs: string[]) => [...dirs, '/usr/local/bin', '/usr/bin', '/bin'].join(':');

const dataImages: Record<Exclude<LocalImageName, 'pause'>, DataImage> = {
  postgres: {
    packages: ['postgresql-15', 'postgresql-client-15', 'dash', 'tzdata'],
    entrypoint: ['/usr/local/bin/docker-entrypoint.sh'],
    command: [],
    // As the official image: SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client to leave (the
    // api's pool never does), so a deleted pod was killed at its grace period; SIGINT is the fast, clean shutdown.
    stopSignal: 'SIGINT',
    env: { PATH: path(pgBin), PGDATA: '/var/lib/postgresql/data', LANG: 'C' },
    writable: ['/var/lib/postgresql/data', '/var/run/postgresql'],
    extra: (root) => {
      const script = join(root, 'usr/local/bin/docker-entrypoint.sh');
      mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
      writeFileSync(script, postgresEntrypoint);
      chmodSync(script, 0o755);
    },
  },
  redis: {
    packages: ['redis-server', 'redis-tools'],
    command: ['redis-server', '--dir', '/data'],
    env: { PATH: path() },
    writable: ['/data'],
    workingDir: '/data',
  },
  postgresExporter: {
    packages: ['prometheus-postgres-exporter'],
    command: ['prometheus-postgres-exporter'],
    env: { PATH: path() },
    writable: [],
  },
  redisExporter: {
    packages: ['prometheus-redis-exporter'],
    command: ['prometheus-redis-exporter'],
    env: { PATH: path() },
    writable: [],
  },
};

/** One image from Debian's packages, cached until apt's package lists change (aptListsStamp). */
export function buildDataImage(name: Exclude<LocalImageName, 'pause'>, out = defaultImageDir): Promise<BuiltImage> {
  const image = dataImages[name];
  return cachedArchive(
    name,
    localImages[name],
    (hash) => hash.update(JSON.stringify({ ...image, extra: image.extra?.toString() })).update(aptListsStamp()),
    (work, archive) => {
      const root = join(work, 'root');
      // Resolved only when building: apt-cache costs seconds per call on a busy machine.
      const packages = packageClosure(image.packages);
      console.log(
        `${name}: ${candidateVersions(image.packages).join(' ')} + ${packages.length - image.packages.length} library packages`,
      );
      extractPackages(packages, join(out, 'debs'), root);
      baseRoot(root, []);
      for (const dir of image.writable) {
        mkdirSync(join(root, dir), { recursive: true });
        chownSync(join(root, dir), imageUser.uid, imageUser.gid);
        chmodSync(join(root, dir), 0o700);
      }
      image.extra?.(root);
      writeOciArchive(
        {
          reference: localImages[name],
          layers: [{ source: root, target: '/' }],
          command: image.command,
          ...(image.entrypoint ? { entrypoint: image.entrypoint } : {}),
          env: image.env,
          user: `${imageUser.uid}:${imageUser.gid}`,
          ...(image.workingDir ? { workingDir: image.workingDir } : {}),
          ...(image.stopSignal ? { stopSignal: image.stopSignal } : {}),
        },
        archive,
      );
    },
    out,
  );
}

/** kubernetes' pause.c (from the pinned k8s.io/kubernetes module), built static with gcc: the pod sandbox image. */
export function buildPauseImage(pauseSource: string, out = defaultImageDir): Promise<BuiltImage> {
  const tag = localImages.pause.split(':').at(-1) ?? 'dev';
  return cachedArchive(
    'pause',
    localImages.pause,
    (hash) => hash.update(execFileSync('cat', [pauseSource])).update(execFileSync('gcc', ['--version'])),
    (work, archive) => {
      const root = join(work, 'root');
      mkdirSync(root, { recursive: true });
      execFileSync('gcc', [
        '-Os',
        '-Wall',
        '-Werror',
        '-static',
        `-DVERSION=v${tag}`,
        '-o',
        join(root, 'pause'),
        pauseSource,
      ]);
      execFileSync('strip', [join(root, 'pause')]);
      writeOciArchive(
        {
          reference: localImages.pause,
          layers: [{ source: root, target: '/' }],
          command: [],
          entrypoint: ['/pause'],
          user: '65535:65535',
        },
        archive,
      );
    },
    out,
  );
}
