import { vi } from 'vitest';

/** Runs a command in-process and captures what it writes to stdout and stderr (test-only). */
export async function captureOutput(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await run(), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
