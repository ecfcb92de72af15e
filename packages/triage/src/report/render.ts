import Table from 'cli-table3';
import type { Finding, Severity } from '../finding.ts';
import type { CheckReport, FactTable } from './report.ts';

const severityLabel: Record<Severity, string> = { alert: 'ALERT', warn: 'WARN', info: 'info' };

// No colours in table borders or heads: the output is pasted into tickets and postmortems as often as it is read.
const plain = { head: [], border: [] };

function factTable(table: FactTable): string {
  const t = new Table({ head: [...table.head], style: plain });
  for (const row of table.rows) t.push([...row]);
  return `${table.title}\n${t.toString()}`;
}

function findingsTable(findings: readonly Finding[], width: number): string {
  // Severity and subject stay narrow; the rest of the width goes to what + evidence and to what next.
  const fixed = 10 + 26;
  const flexible = Math.max(60, width - fixed - 10);
  const t = new Table({
    head: ['severity', 'subject', 'what / evidence', 'what to look at next'],
    colWidths: [10, 26, Math.floor(flexible / 2), Math.ceil(flexible / 2)],
    wordWrap: true,
    style: plain,
  });
  for (const f of findings) {
    t.push([
      severityLabel[f.severity],
      // A long subject (a cgroup path) breaks inside words rather than being cut off.
      { content: f.subject, wordWrap: true, wrapOnWordBoundary: false },
      [f.what, ...f.evidence.map((e) => `- ${e}`)].join('\n'),
      f.next,
    ]);
    // The runbook on a row of its own: a path wrapped inside a narrow cell could not be copied.
    t.push([{ colSpan: 4, content: `runbook: ${f.runbook}` }]);
  }
  return t.toString();
}

/** A report for a terminal: fact tables, then findings (or a line saying there were none), then the notes. */
export function renderReport(report: CheckReport, width = 140): string {
  const parts = [`== homelab triage ${report.check}`];
  for (const table of report.tables) parts.push(factTable(table));
  parts.push(
    report.findings.length === 0
      ? 'findings: none'
      : `findings: ${report.findings.length}\n${findingsTable(report.findings, width)}`,
  );
  for (const note of report.notes) parts.push(`note: ${note}`);
  return `${parts.join('\n\n')}\n`;
}
