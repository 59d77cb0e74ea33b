import Table from 'cli-table3';
import chalk from 'chalk';
import type { ReplaySummary } from './replay.js';
import { formatRate } from './summary.js';

/** The end-of-run table per step (results, matches, late, dead-letter, events/s), for terminals. */
export function summaryTable(summary: ReplaySummary): string {
  const colour = chalk.level > 0;
  const table = new Table({
    head: ['step', 'kind', 'records in', 'passed', 'results', 'matches', 'late', 'expr errors'],
    style: colour ? { head: ['cyan'], border: ['gray'] } : { head: [], border: [] },
  });
  for (const step of summary.steps) {
    const isPattern = step.kind === 'pattern';
    table.push([
      step.step,
      step.kind,
      step.seen,
      step.accepted,
      isPattern ? '—' : step.results,
      isPattern ? step.results : '—',
      step.late,
      step.exprErrors,
    ]);
  }
  const footer =
    `${summary.records.toLocaleString('en-US')} records in ${summary.seconds.toFixed(2)}s (${formatRate(summary.eventsPerSec)}) · ` +
    `dead-letter ${summary.deadLetters}${summary.deadLetterPath ? ` → ${summary.deadLetterPath}` : ''} · ` +
    `${summary.outputs.toLocaleString('en-US')} output records${summary.stopped ? ' · stopped early' : ''}`;
  return `${table.toString()}\n${footer}\n`;
}
