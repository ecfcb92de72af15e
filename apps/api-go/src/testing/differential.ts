import { canaryGate, http } from '@homelab/platform';

/** One request of a scenario; `{note0}`, `{note1}`... and `{cursor}` are filled from that implementation's answers. */
export interface Step {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What one implementation has handed out so far (its ids and cursor), used to fill and to normalize. */
export interface Session {
  readonly ids: string[];
  cursor: string | null;
}

export const newSession = (): Session => ({ ids: [], cursor: null });

/** The headers a client can observe and depend on; date, content-length and keep-alive details are transport. */
export const comparedHeaders = [
  'content-type',
  'location',
  'allow',
  'www-authenticate',
  http.requestIdHeader,
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'strict-transport-security',
  'x-dns-prefetch-control',
  'x-permitted-cross-domain-policies',
] as const;

const isoTime = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;

export const fill = (text: string, session: Session): string =>
  text
    .replace(/\{note(\d+)\}/g, (_, i) => session.ids[Number(i)] ?? '00000000-0000-4000-8000-00000000dead')
    .replace(/\{cursor\}/g, session.cursor ?? 'no-cursor-yet');

/** Ids become `<noteN>` (in the order this implementation created them), timestamps `<time>`, cursors `<cursor>`. */
export function normalize(text: string, session: Session): string {
  let out = text;
  session.ids.forEach((id, i) => {
    out = out.split(id).join(`<note${i}>`);
  });
  if (session.cursor) out = out.split(session.cursor).join('<cursor>');
  return out.replace(isoTime, '<time>');
}

export interface Observed {
  readonly status: number;
  readonly headers: Record<string, string | null>;
  readonly body: string;
}

/** Sends a step to one implementation, records new ids and cursors, returns the normalized answer. */
export async function send(baseUrl: string, step: Step, session: Session): Promise<Observed> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.headers ?? {})) headers[k] = fill(v, session);
  const res = await fetch(baseUrl + fill(step.path, session), {
    method: step.method,
    headers,
    ...(step.body === undefined ? {} : { body: fill(step.body, session) }),
  });
  const body = await res.text();
  if (res.status === 201) {
    const id = (JSON.parse(body) as { id?: string }).id;
    if (id) session.ids.push(id);
  }
  if (res.status === 200 && body.startsWith('{"notes":')) {
    session.cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor ?? session.cursor;
  }
  const observed: Record<string, string | null> = {};
  for (const name of comparedHeaders) {
    const value = res.headers.get(name);
    // A generated request id (the caller sent none, or an invalid one) is random on both sides.
    observed[name] =
      value === null
        ? null
        : name === http.requestIdHeader && /^[0-9a-f]{32}$/.test(value)
          ? '<generated>'
          : normalize(value, session);
  }
  const generated = observed[http.requestIdHeader] === '<generated>' ? res.headers.get(http.requestIdHeader) : null;
  const text = generated ? body.split(generated).join('<generated>') : body;
  return { status: res.status, headers: observed, body: normalize(text, session) };
}

/**
 * `http_requests_total` series of a /metrics text (method, route, status and, for the canary gate's tagged load,
 * `traffic="synthetic"` → count), minus the probes' own. An empty label counts as absent, as in Prometheus.
 */
export function requestCounts(metricsText: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of metricsText.split('\n')) {
    const m = /^http_requests_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1] as string, x[2] as string]),
    );
    if (labels.route === http.paths.readiness || labels.route === http.paths.metrics) continue;
    const traffic = labels[canaryGate.synthetic.label] ? ` ${labels[canaryGate.synthetic.label]}` : '';
    counts[`${labels.method} ${labels.route} ${labels.status}${traffic}`] = Number(m[2]);
  }
  return counts;
}
