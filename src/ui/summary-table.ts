import Table from 'cli-table3';
import chalk from 'chalk';
import type { ReplaySummary } from '../replay/replay.js';
import { formatRate, formatThousands } from '../replay/summary.js';
import { formatCount } from './display-format.js';


interface Cells {
  readonly step: string;
  readonly kind: string;
  readonly in: number | null;
  readonly passed: number | null;
  readonly results: number | null;
  readonly matches: number | null;
  readonly late: number;
  readonly deadLetter: number | null;
  readonly rate: string;
}

interface Column {
  readonly head: string;
  /** The header when the table must be narrow. */
  readonly short: string;
  readonly cell: (row: Cells, format: (n: number) => string) => string;
  /** Dropped, in this order, when the table is wider than the terminal even abbreviated. */
  readonly dropRank?: number;
}

const count = (n: number | null, format: (n: number) => string) => (n === null ? '—' : format(n));

/** The columns (results, matches, late, dead-letter, events/s) always stay; kind, passed and records in go first. */
const COLUMNS: readonly Column[] = [
  { head: 'step', short: 'step', cell: (r) => r.step },
  { head: 'kind', short: 'kind', cell: (r) => r.kind, dropRank: 1 },
  { head: 'records in', short: 'in', cell: (r, f) => (r.in === null ? '' : f(r.in)), dropRank: 3 },
  { head: 'passed', short: 'passed', cell: (r, f) => (r.passed === null ? '' : f(r.passed)), dropRank: 2 },
  { head: 'results', short: 'results', cell: (r, f) => count(r.results, f) },
  { head: 'matches', short: 'matches', cell: (r, f) => count(r.matches, f) },
  { head: 'late', short: 'late', cell: (r, f) => f(r.late) },
  { head: 'dead-letter', short: 'dead', cell: (r, f) => count(r.deadLetter, f) },
  { head: 'events/s', short: 'ev/s', cell: (r) => r.rate },
];

const MIN_STEP_WIDTH = 6;
/** Terminal columns a string takes, counting code points (step names are identifiers: no wide characters). */
const widthOf = (text: string) => [...text].length;

/**
 * The end-of-run table for terminals (after the live view): per step its records in and passed,
 * results (window and process steps) or matches (pattern steps), late records and events/s (the
 * records it saw over the run's wall time); a last row for the run with its dead-letter count.
 * Dead letters never reach a step (they are unreadable records), so steps show '—' there.
 *
 * It fits `width` terminal columns: the whole table when it fits (~100 columns with long numbers),
 * else short headers and numbers (1.76M), then without kind, passed and records in, then with step
 * names cut. The footer wraps between its parts.
 */
export function summaryTable(summary: ReplaySummary, width = 80): string {
  const perSecond = (n: number) => formatRate(summary.seconds > 0 ? n / summary.seconds : 0);
  const rows: Cells[] = summary.steps.map((step) => {
    const isPattern = step.kind === 'pattern';
    return {
      step: step.step,
      kind: step.kind,
      in: step.seen,
      passed: step.accepted,
      results: isPattern ? null : step.results,
      matches: isPattern ? step.results : null,
      late: step.late,
      deadLetter: null,
      rate: perSecond(step.seen),
    };
  });
  const sum = (pattern: boolean) => summary.steps.filter((s) => (s.kind === 'pattern') === pattern).reduce((n, s) => n + s.results, 0);
  rows.push({
    step: 'all',
    kind: 'run',
    in: summary.records,
    passed: null,
    results: sum(false),
    matches: sum(true),
    late: summary.steps.reduce((n, s) => n + s.late, 0),
    deadLetter: summary.deadLetters,
    rate: formatRate(summary.eventsPerSec),
  });
  return `${layoutTable(rows, width)}\n${footer(summary, width)}\n`;
}

/** The widest layout that fits, as text. */
function layoutTable(rows: readonly Cells[], width: number): string {
  const layouts: { columns: readonly Column[]; short: boolean }[] = [{ columns: COLUMNS, short: false }];
  let columns = COLUMNS;
  layouts.push({ columns, short: true });
  for (const rank of [1, 2, 3]) {
    columns = columns.filter((c) => c.dropRank !== rank);
    layouts.push({ columns, short: true });
  }
  let chosen = layouts[layouts.length - 1]!;
  let grid = gridOf(rows, chosen.columns, chosen.short);
  for (const layout of layouts) {
    const candidate = gridOf(rows, layout.columns, layout.short);
    if (tableWidth(candidate) <= width) {
      chosen = layout;
      grid = candidate;
      break;
    }
  }
  // Still too wide: cut the step names (the first column) down to what is left.
  const over = tableWidth(grid) - width;
  if (over > 0) {
    const stepWidth = Math.max(MIN_STEP_WIDTH, Math.max(...grid.map((row) => widthOf(row[0]!))) - over);
    for (const row of grid) row[0] = cut(row[0]!, stepWidth);
  }
  const colour = chalk.level > 0;
  const table = new Table({
    head: grid[0]!,
    colAligns: chosen.columns.map((c) => (c.head === 'step' || c.head === 'kind' ? 'left' : 'right')),
    style: colour ? { head: ['cyan'], border: ['gray'] } : { head: [], border: [] },
  });
  for (const row of grid.slice(1)) table.push(row);
  return table.toString();
}

/** Header row then one row per step, as the cells' text. */
function gridOf(rows: readonly Cells[], columns: readonly Column[], short: boolean): string[][] {
  const format = short ? formatCount : formatThousands;
  return [columns.map((c) => (short ? c.short : c.head)), ...rows.map((row) => columns.map((c) => c.cell(row, format)))];
}

/** cli-table3's width: each column its widest cell plus one space each side, and a border before each column and after the last. */
function tableWidth(grid: readonly string[][]): number {
  const columns = grid[0]!.length;
  let total = columns + 1;
  for (let c = 0; c < columns; c++) total += Math.max(...grid.map((row) => widthOf(row[c]!))) + 2;
  return total;
}

function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, width - 1).join('') + '…';
}

/** The run's line under the table, broken between its parts so that no line is wider than `width`. */
function footer(summary: ReplaySummary, width: number): string {
  const exprErrors = summary.steps.reduce((n, s) => n + s.exprErrors, 0);
  const parts = [
    `${formatThousands(summary.records)} records in ${summary.seconds.toFixed(2)}s`,
    `${formatThousands(summary.outputs)} output records`,
    ...(summary.deadLetterPath ? [`dead letters → ${summary.deadLetterPath}`] : []),
    ...(exprErrors > 0 ? [`${formatThousands(exprErrors)} expression errors`] : []),
    ...(summary.quality ? [`quality: ${summary.quality}`] : []),
    ...(summary.stopped ? ['stopped early'] : []),
  ];
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    if (line === '') line = part;
    else if (widthOf(line) + 3 + widthOf(part) <= width) line += ` · ${part}`;
    else {
      lines.push(line);
      line = part;
    }
  }
  lines.push(line);
  return lines.join('\n');
}
