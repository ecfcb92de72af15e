import { execFile } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Go module's directory. */
export const goModuleDir = resolve(import.meta.dirname, '..', '..');
const repositoryRoot = resolve(goModuleDir, '..', '..');
const outDir = join(repositoryRoot, '.artifacts', 'api-go');

const built = new Map<string, Promise<string>>();

/**
 * Builds `cmd/<command>` once per process and returns the binary. `go build` reuses Go's build cache, so after the
 * first build on a machine this is a link step, and CI compiles the module once.
 * Built with the environment's CGO setting (not forced off like the image's static build) so it shares Go's build
 * cache with `go test` in scripts/go-check.sh. Built to a temporary name and renamed, so parallel test files never
 * run a half-written binary.
 */
export const goApiBinary = (): Promise<string> => goBinary('./cmd/api', 'api');

/** Any main package of the module (the benchmark's bare handler: `./bench/bare`), built like the API. */
export function goBinary(pkg: string, name: string): Promise<string> {
  let binary = built.get(pkg);
  if (binary) return binary;
  binary = (async () => {
    mkdirSync(outDir, { recursive: true });
    const target = join(outDir, name);
    const temporary = `${target}.${process.pid}.tmp`;
    await run('go', ['build', '-o', temporary, pkg], {
      cwd: goModuleDir,
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
      maxBuffer: 16 * 1024 * 1024,
    });
    renameSync(temporary, target);
    return target;
  })();
  built.set(pkg, binary);
  return binary;
}
