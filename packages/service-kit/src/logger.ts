import pino, { type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  readonly service: string;
  readonly version: string;
  /** Default 'info'. */
  readonly level?: string;
  /** Default: stdout through an asynchronous buffered writer (sonic-boom), so logging never blocks a request. */
  readonly destination?: DestinationStream;
}

/**
 * Header and field names that carry credentials. Access logs never include headers or bodies at all; the
 * redaction is the second line of defence for a handler that logs a request object by mistake.
 */
export const redactedPaths = [
  'authorization',
  'cookie',
  'x-api-key',
  '*.authorization',
  '*.cookie',
  '*["set-cookie"]',
  '*["x-api-key"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
  '*.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
];

/** JSON logs with `service` and `version` on every line and ISO timestamps. */
export function createLogger({ service, version, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service, version },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

export type { Logger };
