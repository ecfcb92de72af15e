import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** One layer: a directory on this machine and where it lands in the image. */
export interface Layer {
  readonly source: string;
  readonly target: string;
}

export interface ImageConfig {
  /** The full reference the archive is loaded as (`podman load`, `ctr images import`). */
  readonly reference: string;
  readonly layers: readonly Layer[];
  readonly command: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly user?: string;
  readonly workingDir?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** The signal a runtime stops the container with (containerd and podman honour it); default SIGTERM. */
  readonly stopSignal?: string;
}

const umoci = (...args: string[]) => execFileSync('umoci', args, { stdio: ['ignore', 'ignore', 'inherit'] });

/**
 * Writes an oci-archive (a tar of an OCI image layout) with umoci (Debian), the format `podman load` and
 * `ctr -n k8s.io images import` both accept. Each layer is one `umoci insert`; the config is set by
 * `umoci config`. The index carries the reference twice: `org.opencontainers.image.ref.name` (podman and the
 * image spec) and `io.containerd.image.name` (ctr), so both name the image without a registry.
 */
export function writeOciArchive(image: ImageConfig, out: string): void {
  const work = mkdtempSync(join(tmpdir(), 'homelab-oci-'));
  try {
    const layout = join(work, 'layout');
    const ref = `${layout}:image`;
    umoci('init', '--layout', layout);
    umoci('new', '--image', ref);
    for (const layer of image.layers) umoci('insert', '--image', ref, layer.source, layer.target);
    const config = ['config', '--image', ref, '--no-history'];
    for (const [key, value] of Object.entries(image.env ?? {})) config.push('--config.env', `${key}=${value}`);
    for (const word of image.command) config.push('--config.cmd', word);
    for (const word of image.entrypoint ?? []) config.push('--config.entrypoint', word);
    if (image.user) config.push('--config.user', image.user);
    if (image.workingDir) config.push('--config.workingdir', image.workingDir);
    if (image.stopSignal) config.push('--config.stopsignal', image.stopSignal);
    for (const [key, value] of Object.entries(image.labels ?? {})) config.push('--config.label', `${key}=${value}`);
    umoci(...config);
    umoci('gc', '--layout', layout);
    const indexPath = join(layout, 'index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as {
      manifests: { annotations?: Record<string, string> }[];
    };
    for (const manifest of index.manifests) {
      manifest.annotations = {
        'org.opencontainers.image.ref.name': image.reference,
        'io.containerd.image.name': image.reference,
      };
    }
    writeFileSync(indexPath, JSON.stringify(index));
    const partial = join(dirname(out), `.${Date.now()}.partial`);
    execFileSync('tar', ['-C', layout, '-cf', partial, '.']);
    renameSync(partial, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
