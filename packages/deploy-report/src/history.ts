import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RolloutResult } from './record.ts';

/** Deploy history as JSON lines, newest last: one record per finished rollout. */
export function appendHistory(file: string, result: RolloutResult): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(result)}\n`);
}

/** The newest `limit` records, newest first; a torn last line (a killed writer) is skipped, not fatal. */
export function readHistory(file: string, limit = 50): RolloutResult[] {
  if (!existsSync(file)) return [];
  const records: RolloutResult[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as RolloutResult);
    } catch {
      // a partial line from an interrupted append
    }
  }
  return records.reverse().slice(0, limit);
}
