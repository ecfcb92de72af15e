import { execFile } from 'node:child_process';
import { findBinary } from '@homelab/test-servers';

/** Debian's prometheus package installs promtool on PATH; `.ci/run` installs it in CI. */
export const findPromtool = (): string | undefined => findBinary('promtool', ['/usr/bin']);

export interface ToolResult {
  code: number;
  output: string;
}

/** Runs promtool and returns its exit code and combined output, never throwing on a non-zero exit. */
export function runPromtool(args: readonly string[], cwd?: string): Promise<ToolResult> {
  const promtool = findPromtool();
  if (!promtool) return Promise.reject(new Error('promtool is not installed (apt-get install prometheus)'));
  return new Promise((resolve) => {
    execFile(promtool, [...args], { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Runs `promtool test rules` on each file, two at a time (the machines have two cores). */
export async function testRuleFiles(
  files: readonly string[],
  cwd: string,
): Promise<Array<ToolResult & { file: string }>> {
  const results: Array<ToolResult & { file: string }> = [];
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      results.push({ file, ...(await runPromtool(['test', 'rules', file], cwd)) });
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}
