import type { ImageSource } from '@homelab/cluster';
import { buildImage } from '@homelab/images';
import { type AppName, appImage, appNames, type LocalImageName, localImages, versions } from '@homelab/platform';

/** The data-tier images built here (packages/images) for the upstream images the manifests pin. */
const dataImages = ['postgres', 'redis', 'postgresExporter', 'redisExporter'] as const satisfies readonly Exclude<
  LocalImageName,
  'pause'
>[];

/** One image of the shipped build (packages/images: OCI archives by umoci, cached by content hash) as a node's source. */
const shippedImage = (name: AppName | LocalImageName, ref: string): ImageSource => ({
  ref,
  async build() {
    const built = await buildImage(name);
    if (built.reference !== ref) throw new Error(`image ${name} was built as ${built.reference}, expected ${ref}`);
    return { ref, archive: built.archive };
  },
});

/**
 * What every real node imports: the images the repository ships, built here exactly as `npm run images -- build`
 * builds them (the app images from the one image definition; PostgreSQL 15, Redis 7 and both exporters from
 * Debian 12's packages). No registry, no Docker engine, nothing pulled.
 */
export const nodeImages = (): ImageSource[] => [
  ...appNames.map((app) => shippedImage(app, appImage(app))),
  ...dataImages.map((name) => shippedImage(name, localImages[name])),
];

/**
 * The manifests pin the upstream data-tier images by digest, which no local build can match; on real nodes each is
 * replaced by its local build (and the run says so). At home the manifests keep the upstream images.
 */
export const localImageFor: Readonly<Record<string, string>> = Object.fromEntries(
  dataImages.map((name) => [versions.images[name], localImages[name]]),
);
