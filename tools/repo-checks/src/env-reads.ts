/**
 * The workspace rule for environment variables (ADR 0153): a source file may read `process.env` only when it is
 *
 * 1. an env module: a file named `env.ts` or `<something>-env.ts`, which parses and names what its package reads
 *    (and offers `childEnv()` where the package passes its environment on to a child process);
 * 2. a test or a test helper: `*.test.ts(x)`, or anything under a `test/` or `testing/` directory;
 * 3. an entry point run by hand or by CI, not imported by the platform: a package's `bench/`, `scripts/` or `k6/`
 *    directory, and the repository's root files (`vitest.config.ts`).
 *
 * Everything else takes its environment from an env module, so what a package reads is listed in one file.
 */
export function mayReadEnv(file: string): boolean {
  if (!file.includes('/')) return true;
  if (/(^|\/)([\w.-]+-)?env\.tsx?$/.test(file)) return true;
  if (/\.test\.tsx?$/.test(file) || /(^|\/)(test|testing)\//.test(file)) return true;
  return /^[^/]+(\/[^/]+)?\/(bench|scripts|k6)\//.test(file);
}

/** Line comments and block comments out, so a doc comment that mentions `process.env` is not a read. */
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

/**
 * Every way a TypeScript file reaches the environment: `process.env`, `process['env']`, `const { env } = process`,
 * `import { env } from 'node:process'` (or `process`), multi-line forms included. Returns each match, on one line.
 */
export function envReads(text: string): string[] {
  const code = withoutComments(text);
  const patterns = [
    /\bprocess\s*(\?\.|\.)\s*env\b/g,
    /\bprocess\s*\[\s*['"`]env['"`]\s*\]/g,
    /\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/g,
    /import\s*(type\s+)?\{[^}]*\benv\b[^}]*\}\s*from\s*['"](node:)?process['"]/g,
  ];
  return patterns.flatMap((p) => [...code.matchAll(p)].map((m) => m[0].replace(/\s+/g, ' ')));
}
