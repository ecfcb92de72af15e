const colours = [36, 35, 33, 32, 34, 31];
const levels: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A fixed-width, coloured `name |` prefix per process, like docker compose. */
export function prefixFor(name: string, index: number, width: number, colour: boolean): string {
  const label = `${name.padEnd(width)} |`;
  return colour ? `\u001b[${colours[index % colours.length]}m${label}\u001b[0m ` : `${label} `;
}

/**
 * Shortens a pino JSON line to `level msg key=value...` for a terminal; anything else passes through as is.
 * The full JSON is what the cluster collects; locally a human reads this.
 */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const { level, msg, time, pid, hostname, service, version, ...rest } = entry;
    const extras = Object.entries(rest)
      .filter(([, v]) => v !== undefined && typeof v !== 'object')
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    return `${levels[level as number] ?? String(level)} ${String(msg ?? '')}${extras ? ` ${extras}` : ''}`;
  } catch {
    return line;
  }
}

/** Calls `onLine` once per complete line of a stream of chunks. */
export function splitLines(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString();
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  };
}
