import { describe, expect, it } from 'vitest';
import { integerFlag } from './flags.ts';
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

describe('integerFlag', () => {
  it('takes the fallback when absent and rejects what is not a whole number in range', () => {
    expect(integerFlag(undefined, 'n', 7)).toBe(7);
    expect(integerFlag('12', 'n', 7, 0, 100)).toBe(12);
    expect(() => integerFlag('1.5', 'n', 7)).toThrow('--n must be a whole number >= 0, not "1.5"');
    expect(() => integerFlag('101', 'n', 7, 0, 100)).toThrow('from 0 to 100');
  });
});
