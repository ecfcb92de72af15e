import Table from 'cli-table3';

/** Where a command writes; tests pass their own to read what was printed. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * A plain-text table (cli-table3) for a terminal: no colours and no box-drawing borders, so the text greps and
 * diffs cleanly. Cells are converted with `String()`.
 */
export function renderTable(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const table = new Table({
    head: [...head],
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
  });
  for (const row of rows) table.push(row.map((cell) => String(cell)));
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

/** Prints `data` as JSON with `--json`, otherwise as the table `toTable` gives; the one switch every command uses. */
export function printData<T>(
  data: T,
  { json }: { readonly json?: boolean | undefined },
  toTable: (data: T) => { head: readonly string[]; rows: readonly (readonly unknown[])[] },
  output: Output = processOutput,
) {
  if (json) {
    output.out(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const { head, rows } = toTable(data);
  output.out(renderTable(head, rows));
}
