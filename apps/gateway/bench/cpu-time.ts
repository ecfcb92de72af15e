import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux build that matters). */
const ticksPerSecond = 100;

const children = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/**
 * CPU seconds (user + system) used so far by a process and its descendants (nginx's workers). CPU per request
 * is the measure that survives a busy machine: throughput and latency depend on what else runs, CPU per request
 * much less.
 */
export function cpuSeconds(pid: number): number {
  let total = 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
    total += (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
  for (const child of children(pid)) total += cpuSeconds(child);
  return total;
}
