const colours = [36, 35, 33, 32, 34, 31];
const levels: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A fixed-width, coloured `name |` prefix per process, like docker compose. */
export function prefixFor(name: string, index: number, width: number, colour: boolean): string {
  const label = `${name.padEnd(width)} |`;
  return colour ? `\u001b[${colours[index % colours.length]}m${label}\u001b[0m ` : `${label} `;
}

// C0 controls, DEL and C1 controls (a C1 CSI, U+009B, starts an escape sequence on many terminals), plus the
// Unicode line and paragraph separators some terminals and log viewers break lines at.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Makes text safe for one terminal line: every control character becomes a visible escape (`\r`, `\n`, `\t`,
 * `\x00`, `\u2028`), so a request path like `/v1/notes%0d%0aX-Injected:%201` cannot forge a log line, a NUL cannot
 * reach the terminal and an ESC cannot recolour or move the cursor. Backslashes are doubled so an escape that was
 * already in the text stays distinguishable from one added here.
 */
export function escapeControlCharacters(text: string): string {
  return escapeControlsOnly(text.replace(/\\/g, '\\\\'));
}

function escapeControlsOnly(text: string): string {
  return text.replace(controlCharacters, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `key=value` pairs of an entry, nested objects flattened with dotted keys (`err.message=...`), arrays as JSON. */
function fields(entry: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(entry).flatMap(([key, value]): string[] => {
    if (value === undefined) return [];
    const name = `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return fields(value as Record<string, unknown>, `${name}.`);
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    // Values with spaces, quotes or controls are JSON-quoted (which already escapes quotes, backslashes and C0
    // controls) so `err.message="connection refused"` stays one field to the eye; the rest are escaped here.
    return [
      `${escapeControlCharacters(name)}=${/[\s"=\\]/.test(text) ? escapeControlsOnly(JSON.stringify(text)) : escapeControlCharacters(text)}`,
    ];
  });
}

/**
 * Shortens a pino JSON line to `level msg key=value...` for a terminal; anything else passes through. Either way
 * the result is escaped (see escapeControlCharacters): JSON.parse turns `\r\n` in a logged URL back into real
 * control characters, and a child's plain output is just as untrusted. Object fields (a logged error's `err`
 * with its type, message and stack) are kept, flattened, so a 500 shows its reason.
 * The full JSON is what the cluster collects; locally a human reads this.
 */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return escapeControlCharacters(line);
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return escapeControlCharacters(line);
  }
  const { level, msg, time, pid, hostname, service, version, ...rest } = entry;
  const extras = fields(rest).join(' ');
  const head = escapeControlCharacters(`${levels[level as number] ?? String(level)} ${String(msg ?? '')}`);
  return `${head}${extras ? ` ${extras}` : ''}`;
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
