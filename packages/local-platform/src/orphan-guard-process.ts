/**
 * The orphan guard's own process (see orphan-guard.ts). Reads `+<pgid>` / `-<pgid>` lines on stdin; when stdin
 * ends, the supervisor that wrote them is gone (however it died, even SIGKILL: the kernel closes its pipe end), so
 * every process group still listed gets SIGTERM, and SIGKILL after the grace period given as argv[2] (ms).
 */
const graceMs = Number(process.argv[2] ?? 20_000);
const groups = new Set<number>();

const alive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};
const signal = (pgid: number, name: NodeJS.Signals) => {
  try {
    process.kill(-pgid, name);
  } catch {
    // the group is gone already
  }
};

// A terminal's Ctrl-C or a hangup must not take the guard down before it has done its one job.
for (const name of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.on(name, () => undefined);

let buffered = '';
process.stdin.on('data', (chunk: Buffer) => {
  buffered += chunk.toString();
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line.startsWith('+')) groups.add(pgid);
    else if (line.startsWith('-')) groups.delete(pgid);
  }
});
process.stdin.on('end', async () => {
  const left = [...groups].filter(alive);
  for (const pgid of left) signal(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (left.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pgid of left.filter(alive)) signal(pgid, 'SIGKILL');
  process.exit(0);
});
