import type { Finding } from '../finding.ts';

/** A table of facts for people: the same facts are in `facts` for scripts. */
export interface FactTable {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** What one check returns: the facts it read, tables of them, its findings, and notes on what it could not see. */
export interface CheckReport {
  readonly check: string;
  readonly facts: unknown;
  readonly tables: readonly FactTable[];
  readonly findings: readonly Finding[];
  /** What was simulated, skipped or not readable: said, never hidden. */
  readonly notes: readonly string[];
}
