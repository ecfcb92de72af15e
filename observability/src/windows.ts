/** Seconds in a Prometheus duration such as `5m`, `1h`, `3d` (one unit, as every window here uses). */
export function durationSeconds(duration: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(duration);
  if (!match) throw new Error(`unsupported duration "${duration}": use one number and one of s, m, h, d`);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
