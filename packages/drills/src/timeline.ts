import type { DrillEvent, EventKind } from './record.ts';

/** The drill's timeline: every event in order of happening, also passed to `onEvent` as it happens. */
export class Timeline {
  readonly events: DrillEvent[] = [];
  readonly #onEvent: ((event: DrillEvent) => void) | undefined;
  constructor(onEvent?: (event: DrillEvent) => void) {
    this.#onEvent = onEvent;
  }
  add(kind: EventKind, detail: string, at = Date.now()): DrillEvent {
    const e = { at, kind, detail };
    this.events.push(e);
    this.#onEvent?.(e);
    return e;
  }
  has(kind: EventKind): boolean {
    return this.events.some((e) => e.kind === kind);
  }
  sorted(): DrillEvent[] {
    return [...this.events].sort((a, b) => a.at - b.at);
  }
}
