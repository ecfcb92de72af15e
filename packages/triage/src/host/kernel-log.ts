import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';

/** One OOM kill as the kernel logged it. */
export interface KernelOomKill {
  /** Wall-clock time of the kill in ms since the epoch (from the record's microseconds since boot). */
  readonly atMs: number;
  readonly pid: number;
  readonly comm: string;
  /** `oom_memcg` of the kill: the cgroup whose limit was hit, or `/` for a system-wide OOM. */
  readonly memcg?: string;
  readonly line: string;
}

/**
 * Reads the kernel ring buffer through /dev/kmsg (one record per read, non-blocking so it stops at the end),
 * which needs no dmesg binary and gives each record its own timestamp. Undefined when the log is not readable
 * (unprivileged, or `kernel.dmesg_restrict`): the caller then says so instead of reporting "no OOM kills".
 */
export function readKernelRecords(path = '/dev/kmsg'): { usec: number; message: string }[] | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const records: { usec: number; message: string }[] = [];
  const buffer = Buffer.alloc(8192);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // EPIPE: records were overwritten while we read; the next read continues with the oldest one left.
        if (code === 'EPIPE') continue;
        break; // EAGAIN: the end of the buffer
      }
      if (n === 0) break;
      const text = buffer.toString('utf8', 0, n);
      const semi = text.indexOf(';');
      const [, , usec] = text.slice(0, semi).split(',');
      records.push({ usec: Number(usec), message: text.slice(semi + 1).split('\n')[0] ?? '' });
    }
  } finally {
    closeSync(fd);
  }
  return records;
}

/** Picks the OOM kills out of kernel records: the `oom-kill:` summary line names the cgroup, the next the victim. */
export function parseOomKills(
  records: readonly { usec: number; message: string }[],
  bootTimeMs: number,
): KernelOomKill[] {
  const kills: KernelOomKill[] = [];
  let memcg: string | undefined;
  for (const { usec, message } of records) {
    const summary = /^oom-kill:.*\boom_memcg=([^,]*)/.exec(message);
    if (summary) {
      memcg = summary[1];
      continue;
    }
    const killed = /Killed process (\d+) \(([^)]*)\)/.exec(message);
    if (killed) {
      kills.push({
        atMs: bootTimeMs + usec / 1000,
        pid: Number(killed[1]),
        comm: killed[2] ?? '',
        ...(memcg !== undefined ? { memcg } : {}),
        line: message,
      });
      memcg = undefined;
    }
  }
  return kills;
}

/** Boot time in ms since the epoch, from /proc/uptime. */
export const bootTimeMs = (procRoot = '/proc'): number =>
  Date.now() - Number(readFileSync(`${procRoot}/uptime`, 'utf8').split(' ')[0]) * 1000;
