import Table from 'cli-table3';
import chalk from 'chalk';
import type { ReplaySummary } from './replay.js';
import { formatRate } from './summary.js';

const number = new Intl.NumberFormat('en-US');

/**
 * The end-of-run table for terminals (after the live view): per step its records in and passed,
 * results (window and process steps) or matches (pattern steps), late records and events/s (the
 * records it saw over the run's wall time); a last row for the run with its dead-letter count.
 * Dead letters never reach a step (they are unreadable records), so steps show '—' there.
 */
export function summaryTable(summary: ReplaySummary): string {
  const colour = chalk.level > 0;
  const table = new Table({
    head: ['step', 'kind', 'records in', 'passed', 'results', 'matches', 'late', 'dead-letter', 'events/s'],
    style: colour ? { head: ['cyan'], border: ['gray'] } : { head: [], border: [] },
  });
  const perSecond = (n: number) => formatRate(summary.seconds > 0 ? n / summary.seconds : 0);
  for (const step of summary.steps) {
    const isPattern = step.kind === 'pattern';
    table.push([
      step.step,
      step.kind,
      number.format(step.seen),
      number.format(step.accepted),
      isPattern ? '—' : number.format(step.results),
      isPattern ? number.format(step.results) : '—',
      number.format(step.late),
      '—',
      perSecond(step.seen),
    ]);
  }
  const results = summary.steps.filter((s) => s.kind !== 'pattern').reduce((n, s) => n + s.results, 0);
  const matches = summary.steps.filter((s) => s.kind === 'pattern').reduce((n, s) => n + s.results, 0);
  const late = summary.steps.reduce((n, s) => n + s.late, 0);
  table.push(['all', 'run', number.format(summary.records), '', number.format(results), number.format(matches), number.format(late), number.format(summary.deadLetters), formatRate(summary.eventsPerSec)]);
  const exprErrors = summary.steps.reduce((n, s) => n + s.exprErrors, 0);
  const footer =
    `${number.format(summary.records)} records in ${summary.seconds.toFixed(2)}s · ${number.format(summary.outputs)} output records` +
    (summary.deadLetterPath ? ` · dead letters → ${summary.deadLetterPath}` : '') +
    (exprErrors > 0 ? ` · ${number.format(exprErrors)} expression errors` : '') +
    (summary.quality ? ` · quality: ${summary.quality}` : '') +
    (summary.stopped ? ' · stopped early' : '');
  return `${table.toString()}\n${footer}\n`;
}
