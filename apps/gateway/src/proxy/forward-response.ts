import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';

/**
 * Told the head of the upstream's answer with the caller's per-request state (one function for all requests, no
 * closure each): writes the head to the client and returns true to forward the body, or returns false to drop
 * the body (the answer will be retried).
 */
export type OnUpstreamHead<T> = (statusCode: number, headers: IncomingHttpHeaders, state: T) => boolean;

/** The client's connection closed before its answer was complete. */
export class ClientGone extends Error {
  readonly code = 'HOMELAB_CLIENT_GONE';
}

/**
 * An undici dispatch handler that writes an upstream answer into Node's ServerResponse. It does what undici's
 * `stream()` does for the gateway, minus what the gateway does not need per request: an AsyncResource, a promise
 * that waits for the socket's `finish`, and close/error/finish/drain listeners on every response. Listeners are
 * added only under back-pressure, the rare case for API answers.
 */
class ResponseForwarder<T> implements Dispatcher.DispatchHandler {
  #status = 0;
  #forwarding = false;
  readonly #outgoing: ServerResponse;
  readonly #onHead: OnUpstreamHead<T>;
  readonly #state: T;
  readonly #onStart: ((state: T) => void) | undefined;
  readonly #resolve: (status: number) => void;
  readonly #reject: (error: Error) => void;

  constructor(
    outgoing: ServerResponse,
    onHead: OnUpstreamHead<T>,
    state: T,
    resolve: (status: number) => void,
    reject: (error: Error) => void,
    onStart: ((state: T) => void) | undefined,
  ) {
    this.#outgoing = outgoing;
    this.#onHead = onHead;
    this.#state = state;
    this.#onStart = onStart;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /**
   * undici calls this on a connected socket right before it writes the request: an error before it means not a
   * byte left, so the request was certainly not applied.
   */
  onRequestStart(): void {
    this.#onStart?.(this.#state);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx interim answers are not forwarded (undici's stream() drops them too).
    if (statusCode < 200) return;
    this.#status = statusCode;
    if (this.#outgoing.destroyed) {
      controller.abort(new ClientGone('the client closed the connection'));
      return;
    }
    this.#forwarding = this.#onHead(statusCode, headers, this.#state);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#forwarding) return;
    const outgoing = this.#outgoing;
    if (outgoing.write(chunk)) return;
    if (outgoing.destroyed) {
      controller.abort(new ClientGone('the client closed the connection'));
      return;
    }
    // Back-pressure: stop reading from the upstream until the client has taken what is buffered.
    controller.pause();
    const onDrain = () => {
      outgoing.off('close', onClose);
      controller.resume();
    };
    const onClose = () => {
      outgoing.off('drain', onDrain);
      controller.abort(new ClientGone('the client closed the connection'));
    };
    outgoing.once('drain', onDrain);
    outgoing.once('close', onClose);
  }

  onResponseEnd(): void {
    if (this.#forwarding) {
      if (this.#outgoing.destroyed) {
        this.#reject(new ClientGone('the client closed the connection'));
        return;
      }
      this.#outgoing.end();
    }
    this.#resolve(this.#status);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // A head already went out: the client gets a truncated answer rather than a second head.
    if (this.#forwarding && !this.#outgoing.destroyed) this.#outgoing.destroy();
    this.#reject(error);
  }
}

/**
 * Sends one request upstream and streams the answer into `outgoing` (no buffering, no web streams). Resolves with
 * the upstream's status once the answer is handed to the socket; rejects on connection errors, undici's timeouts
 * (`UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT`) and `ClientGone`. `onStart` is told when the request begins
 * to be written to a connection.
 */
export function forwardResponse<T>(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  outgoing: ServerResponse,
  onHead: OnUpstreamHead<T>,
  state: T,
  onStart?: (state: T) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(options, new ResponseForwarder(outgoing, onHead, state, resolve, reject, onStart));
  });
}
