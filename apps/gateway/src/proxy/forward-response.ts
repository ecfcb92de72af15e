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

/** No upstream connection within the route's timeout: the request was abandoned before a byte was sent. */
export class RouteTimeout extends Error {
  readonly code = 'HOMELAB_ROUTE_TIMEOUT';
}

/** The route's timeout ran out after the request was sent and before the upstream's answer began. */
export class UpstreamTimeout extends Error {
  readonly code = 'HOMELAB_UPSTREAM_TIMEOUT';
}

/**
 * An undici dispatch handler that writes an upstream answer into Node's ServerResponse. It does what undici's
 * `stream()` does for the gateway, minus what the gateway does not need per request: an AsyncResource, a promise
 * that waits for the socket's `finish`, and close/error/finish/drain listeners on every response. Listeners are
 * added only under back-pressure, the rare case for API answers.
 */
class ResponseForwarder<T> implements Dispatcher.DispatchHandler {
  #status = 0;
  /** The attempt failed or its answer ended: a late deadline has nothing to abort. */
  #ended = false;
  #forwarding = false;
  readonly #outgoing: ServerResponse;
  readonly #onHead: OnUpstreamHead<T>;
  readonly #state: T;
  readonly #onStart: ((state: T) => void) | undefined;
  readonly #resolve: (status: number) => void;
  readonly #reject: (error: Error) => void;
  #deadline: NodeJS.Timeout | undefined;
  /** When the route's time runs out (`performance.now()` clock); 0: no deadline. */
  #deadlineAt = 0;
  /** Below this much time left, a request not yet written is abandoned rather than sent. */
  #minSendMs = 0;
  /** Set once the request is being written: the deadline then aborts it instead of abandoning it. */
  #controller: Dispatcher.DispatchController | undefined;
  /** The deadline passed before undici gave the request a connection: it must never be written. */
  #expired = false;

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
  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#expired) {
      controller.abort(new RouteTimeout('abandoned while waiting for a connection'));
      return;
    }
    if (this.#deadline !== undefined && this.#deadlineAt - performance.now() < this.#minSendMs) {
      // Sent now, it would almost surely end as "unknown"; unsent, the client knows it was not applied.
      this.#clearDeadline();
      this.#expired = true;
      const error = new RouteTimeout('too little of the route timeout left to send it');
      this.#reject(error);
      controller.abort(error);
      return;
    }
    // From here the same deadline aborts the sent request if its answer has not begun (issue 17's audit: a
    // request that had waited for a connection used to get a full headers timeout more, and outlasted the kit's
    // request timeout, whose generic 504 then said nothing about the outcome).
    this.#controller = controller;
    this.#onStart?.(this.#state);
  }

  /**
   * The route's timeout for this attempt: `ms` is what is left of it. Before the write it bounds the wait for a
   * connection (queued behind busy ones, or connecting): past it the request is abandoned, answered at once, and
   * aborted in `onRequestStart` if undici ever gets to it, so it is never sent. After the write it bounds the wait
   * for the answer's head (`UpstreamTimeout`). A request that would be written with less than `minSendMs` left
   * is abandoned unsent. Once the head arrives, undici's body timeout (between chunks) takes over.
   */
  startDeadline(ms: number, minSendMs: number): void {
    this.#deadlineAt = performance.now() + ms;
    this.#minSendMs = minSendMs;
    this.#deadline = setTimeout(
      () => {
        this.#deadline = undefined;
        const controller = this.#controller;
        if (controller !== undefined) {
          // Timers run before the poll phase: an answer already in the socket would lose to this timer on a
          // loaded event loop. After one poll phase (setImmediate), an answer that came in time has begun.
          setImmediate(() => {
            if (this.#status === 0 && !this.#ended)
              controller.abort(new UpstreamTimeout(`no answer within the route's timeout`));
          });
          return;
        }
        this.#expired = true;
        this.#reject(new RouteTimeout(`no connection within ${ms} ms`));
      },
      Math.max(0, ms),
    );
  }

  #clearDeadline(): void {
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx interim answers are not forwarded (undici's stream() drops them too).
    if (statusCode < 200) return;
    this.#clearDeadline();
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
    this.#ended = true;
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
    this.#ended = true;
    this.#clearDeadline();
    // A head already went out: the client gets a truncated answer rather than a second head.
    if (this.#forwarding && !this.#outgoing.destroyed) this.#outgoing.destroy();
    this.#reject(error);
  }
}

/**
 * Sends one request upstream and streams the answer into `outgoing` (no buffering, no web streams). Resolves with
 * the upstream's status once the answer is handed to the socket; rejects on connection errors, undici's timeouts
 * (`UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT`) and `ClientGone`. `onStart` is told when the request begins
 * to be written to a connection. `deadlineMs` is what is left of the route's timeout: it bounds the wait for a
 * connection (`RouteTimeout`, nothing sent; also when less than `minSendMs` would be left once connected) and then
 * the wait for the answer's head (`UpstreamTimeout`, sent).
 */
export function forwardResponse<T>(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  outgoing: ServerResponse,
  onHead: OnUpstreamHead<T>,
  state: T,
  onStart?: (state: T) => void,
  deadlineMs?: number,
  minSendMs = 0,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const forwarder = new ResponseForwarder(outgoing, onHead, state, resolve, reject, onStart);
    if (deadlineMs !== undefined) forwarder.startDeadline(deadlineMs, minSendMs);
    dispatcher.dispatch(options, forwarder);
  });
}
