/**
 * Renders a number for PromQL without binary floating-point noise (1 - 0.999 is 0.0010000000000000009 in
 * IEEE 754; the rule should say 0.001). Twelve significant digits are far beyond any objective's precision.
 */
export const promNumber = (value: number): string => String(Number(value.toPrecision(12)));

/** `api` -> `Api`, `page-fast` -> `PageFast`: alert names are PascalCase. */
export const pascalCase = (text: string): string =>
  text
    .split(/[-_\s]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
