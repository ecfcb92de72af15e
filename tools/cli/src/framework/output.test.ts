import { describe, expect, it } from 'vitest';
import { printData, renderTable } from './output.ts';

describe('renderTable', () => {
  it('aligns columns without borders or trailing spaces', () => {
    const text = renderTable(
      ['check', 'status'],
      [
        ['pods', 'ok'],
        ['network-policies', 1],
      ],
    );
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^check\s+status$/);
    expect(lines[2]).toMatch(/^network-policies\s+1$/);
    // one column start for every row
    expect(new Set(lines.map((l) => l.search(/\S+$/))).size).toBe(1);
  });
});

describe('printData', () => {
  const data = [{ name: 'api', ready: true }];
  const toTable = (d: typeof data) => ({ head: ['name', 'ready'], rows: d.map((r) => [r.name, r.ready]) });

  it('prints JSON that parses back to the data with --json, a table otherwise', () => {
    let out = '';
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: () => {},
    };
    printData(data, { json: true }, toTable, io);
    expect(JSON.parse(out)).toEqual(data);
    out = '';
    printData(data, {}, toTable, io);
    expect(out).toMatch(/^name\s+ready\napi\s+true\n$/);
  });
});
