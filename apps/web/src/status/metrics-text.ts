/** One sample of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescapeLabel = (value: string) => value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

/**
 * Parses the text format prom-client writes (version 0.0.4): comments and blank lines skipped, label values
 * unescaped, `NaN`/`+Inf` read as numbers. The maintained parsers on npm are unmaintained or pull in a whole
 * client; this covers what the status page reads (counters and histogram buckets) and is tested against
 * prom-client's own output.
 */
export function parseMetricsText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (!match) continue;
    const [, name, labelText, valueText] = match as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    if (labelText)
      for (const [, key, value] of labelText.matchAll(labelPair))
        labels[key as string] = unescapeLabel(value as string);
    samples.push({ name, labels, value: Number(valueText) });
  }
  return samples;
}
