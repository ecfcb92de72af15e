/**
 * Static security headers on every response. The services answer JSON and server-rendered HTML; nothing may be
 * framed, sniffed or loaded cross-origin. The front door presets them once per request (response-headers.ts).
 */
export const securityHeaderValues: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
});
