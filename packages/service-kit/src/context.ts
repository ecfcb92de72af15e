/** Typed context variables every service app sets (Hono's ContextVariableMap augmentation). */
declare module 'hono' {
  interface ContextVariableMap {
    /** The request id: the caller's `x-request-id` when well-formed, else the trace id. Echoed on the response. */
    requestId: string;
    /** W3C trace id this request belongs to (the caller's, or a new one). */
    traceId: string;
    /** This service's span id for the request; downstream calls use it as their parent. */
    spanId: string;
    /** `traceparent` to send on calls this request makes to other services. */
    traceparent: string;
  }
}

export {};
