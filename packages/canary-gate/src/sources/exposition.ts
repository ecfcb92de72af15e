/**
 * The few sample lines of Prometheus' text exposition format the gate reads: `name{label="value",...} value`.
 * Hand-written on purpose: the npm parser that exists (parse-prometheus-text-format 1.1.1) merges every series
 * of a histogram into one and drops their labels when `le` is not the last label, and prom-client writes it
 * first (checked against the kit's output while building this). Label values may contain escaped `\\`, `\"` and `\n`.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const unescapeLabel = (s: string) => s.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  let match = pattern.exec(text);
  let consumed = 0;
  while (match) {
    labels[match[1] as string] = unescapeLabel(match[2] as string);
    consumed = pattern.lastIndex;
    match = pattern.exec(text);
  }
  if (text.slice(consumed).trim() !== '') throw new Error(`malformed labels: {${text}}`);
  return labels;
}

/** Every sample whose metric name is in `names` (comments and other metrics skipped). */
export function parseSamples(text: string, names: ReadonlySet<string>): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace !== -1 && (space === -1 || brace < space) ? brace : space;
    const name = line.slice(0, nameEnd);
    if (!names.has(name)) continue;
    let rest = line.slice(nameEnd);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      // The closing brace is the last `}` before the value: values of labels may contain `}` themselves.
      const close = rest.lastIndexOf('}');
      labels = parseLabels(rest.slice(1, close));
      rest = rest.slice(close + 1);
    }
    const value = Number(rest.trim().split(/\s+/)[0]);
    if (Number.isNaN(value)) throw new Error(`malformed sample: ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}
