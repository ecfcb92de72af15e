/**
 * A clock that formats the current time as ISO 8601 at most once per millisecond: under load many log lines share
 * a millisecond, and `toISOString()` per line showed up in profiles. `format` wraps the ISO string once per new
 * millisecond (the logger wants `,"time":"..."`, the access log the bare string), so a call costs one
 * `Date.now()` and a comparison. `now` is injectable for tests.
 */
export function isoTimeCache(format: (iso: string) => string = (iso) => iso, now: () => number = Date.now) {
  let lastMs = Number.NaN;
  let last = '';
  return (): string => {
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      last = format(new Date(ms).toISOString());
    }
    return last;
  };
}
