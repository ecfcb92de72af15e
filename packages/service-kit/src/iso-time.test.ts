import { describe, expect, it } from 'vitest';
import { isoTimeCache } from './iso-time.ts';

describe('isoTimeCache', () => {
  it('formats once per millisecond and again when the clock moves', () => {
    let ms = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    let formatted = 0;
    const time = isoTimeCache(
      (iso) => {
        formatted += 1;
        return `<${iso}>`;
      },
      () => ms,
    );
    expect(time()).toBe('<2026-01-02T03:04:05.006Z>');
    expect(time()).toBe('<2026-01-02T03:04:05.006Z>');
    expect(formatted).toBe(1);
    ms += 1;
    expect(time()).toBe('<2026-01-02T03:04:05.007Z>');
    expect(formatted).toBe(2);
  });
});
