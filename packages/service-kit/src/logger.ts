import pino, { type DestinationStream, type Logger } from 'pino';
import { isoTimeCache } from './iso-time.ts';

export interface LoggerOptions {
  readonly service: string;
  readonly version: string;
  /** Default 'info'. */
  readonly level?: string;
  /**
   * Default: stdout through sonic-boom, buffered (each event-loop turn's lines handed over as one buffer, written
   * in 32 KiB batches and at least every 250 ms, flushed at exit), so logging costs no write per line.
   */
  readonly destination?: DestinationStream;
}

/** Keys whose values are credentials, wherever they appear in a logged object (compared lower-case). */
export const redactedKeys: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'password',
  'token',
  'admintoken',
  'admin_token',
]);
const censor = '[redacted]';

/**
 * Replaces credential values in a logged object, up to four levels deep, copying only what it changes. Access
 * logs never include headers or bodies at all; this is the second line of defence for a handler that logs a
 * request object by mistake. (pino's built-in `redact` re-parses its path list on every call in pino 10, which
 * cost more than the rest of the access log line together.)
 */
export function redact(value: Record<string, unknown>, depth = 0): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    const field = value[key];
    let replaced: unknown = field;
    if (redactedKeys.has(key.toLowerCase())) replaced = censor;
    else if (depth < 4 && field !== null && typeof field === 'object' && !(field instanceof Error)) {
      replaced = Array.isArray(field) ? field : redact(field as Record<string, unknown>, depth + 1);
    }
    if (replaced !== field) {
      copy ??= { ...value };
      copy[key] = replaced;
    }
  }
  return copy ?? value;
}

interface FlushableDestination {
  write(chunk: Buffer): void;
  flush(callback?: (error?: Error | null) => void): void;
  flushSync(): void;
}

/**
 * Lines logged during one event-loop turn reach `target` (a sonic-boom in buffer mode) as one UTF-8 buffer at the
 * end of the turn. Handing sonic-boom strings line by line cost more than formatting the lines: in its string mode
 * it measures its whole pending buffer (`Buffer.byteLength` of a growing rope) on every write. Lines keep their
 * order; `flush`/`flushSync` write the turn's lines first.
 */
export function turnBatched(target: FlushableDestination): DestinationStream & Omit<FlushableDestination, 'write'> {
  let pending = '';
  let scheduled = false;
  const release = () => {
    scheduled = false;
    if (pending === '') return;
    const batch = Buffer.from(pending, 'utf8');
    pending = '';
    target.write(batch);
  };
  return {
    write(line: string) {
      pending += line;
      if (!scheduled) {
        scheduled = true;
        setImmediate(release);
      }
    },
    flush(callback) {
      release();
      target.flush(callback);
    },
    flushSync() {
      release();
      target.flushSync();
    },
  };
}

function bufferedStdout(): DestinationStream {
  // Written once 32 KiB are pending (or every 250 ms), up to 64 KiB per write: each write costs far more than its
  // bytes. Synchronous, as pino's own default: a 32 KiB write into the container runtime's pipe returns at once,
  // and if the reader stalls the service slows down (visible in its latency SLO) instead of buffering without
  // bound. Handing writes to libuv's thread pool cost the event loop more than writing them here.
  const destination = pino.destination({
    dest: 1,
    sync: true,
    contentMode: 'buffer',
    minLength: 32 * 1024,
    maxWrite: 64 * 1024,
    periodicFlush: 250,
  });
  const batched = turnBatched(destination as unknown as FlushableDestination);
  process.once('exit', () => {
    try {
      batched.flushSync();
    } catch {
      // Nothing more can be done while exiting.
    }
  });
  return batched;
}

/** pino's timestamp hook: `,"time":"<ISO>"`, formatted once per millisecond. */
const isoTime = isoTimeCache((iso) => `,"time":"${iso}"`);

/** JSON logs with `service` and `version` on every line, ISO timestamps and credential redaction. */
export function createLogger({ service, version, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service, version },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }), log: (object) => redact(object) },
    },
    destination ?? bufferedStdout(),
  );
}

export type { Logger };
