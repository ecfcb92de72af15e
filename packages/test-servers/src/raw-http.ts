import { connect } from 'node:net';

export interface RawExchange {
  /** The status of the first response, or undefined when the server closed without answering. */
  readonly status: number | undefined;
  /** Everything the server sent before `waitMs` or the close. */
  readonly text: string;
}

export interface RawRequestOptions {
  /** The request head, without the final blank line (it is added). */
  readonly head: string;
  /** Body chunks written after the head, one every `intervalMs`. Default none. */
  readonly chunks?: readonly string[];
  /** Default 0. */
  readonly intervalMs?: number;
  /** Keep writing `chunks` in a loop (an endless body) until the server answers. Default false. */
  readonly endless?: boolean;
  /** Give up (and report what arrived) after this long. Default 15 s. */
  readonly waitMs?: number;
  /** Wait for the body its Content-Length announces too, not only the head. Default false. */
  readonly withBody?: boolean;
}

/** Whether `text` holds a complete head and, when asked for, the body its Content-Length announces. */
const complete = (text: string, withBody: boolean): boolean => {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  if (!withBody) return true;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1];
  return length === undefined || Buffer.byteLength(text.slice(end + 4), 'latin1') >= Number(length);
};

/**
 * One hand-written HTTP/1.1 exchange on a raw socket: what fetch and undici refuse to send (unterminated chunked
 * bodies, a Content-Length that never arrives, a body that never ends). Resolves at the first complete response
 * head, so a server that answers before the body ends is seen answering.
 */
export function rawRequest(url: string, options: RawRequestOptions): Promise<RawExchange> {
  const { port, hostname } = new URL(url);
  const { chunks = [], intervalMs = 0, endless = false, waitMs = 15_000, withBody = false } = options;
  return new Promise((resolve) => {
    let text = '';
    let done = false;
    const socket = connect(Number(port), hostname);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      clearInterval(writer);
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : undefined, text });
    };
    const giveUp = setTimeout(finish, waitMs);
    let next = 0;
    const writer = setInterval(
      () => {
        if (next >= chunks.length) {
          if (!endless || chunks.length === 0) return;
          next = 0;
        }
        if (!socket.destroyed) socket.write(chunks[next++] as string);
      },
      Math.max(1, intervalMs),
    );
    socket.on('data', (data) => {
      text += data.toString('latin1');
      if (complete(text, withBody)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(`${options.head.replace(/\r?\n/g, '\r\n')}\r\n\r\n`);
  });
}
