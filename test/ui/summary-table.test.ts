/**
 * The end-of-run summary table fits the terminal (issue 5: it was ~100 columns wide): at 120
 * columns the whole table, at 80 short headers and numbers, narrower without kind, passed and
 * records in, and step names cut last; results, matches, late, dead-letter and events/s stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryTable } from '../../src/ui/summary-table.js';
import type { ReplaySummary, StepSummary } from '../../src/replay/replay.js';

const step = (name: string, kind: string, seen: number, results: number, late: number): StepSummary => ({ step: name, kind, seen, accepted: seen - 1_234, results, late, exprErrors: 0, firstError: null });

const summary: ReplaySummary = {
  recording: '.bench/activity-2m.jsonl',
  pipeline: 'user-minutes',
  records: 2_000_000,
  skipped: 0,
  deadLetters: 12_345,
  deadLetterPath: 'activity-2m.dead-letter.jsonl',
  outputs: 1_987_654,
  seconds: 9.87,
  eventsPerSec: 202_634,
  maxRssBytes: 0,
  cpuSeconds: 9.5,
  watermark: 0,
  maxEventTime: 0,
  steps: [step('perUserMinuteCounts', 'window', 2_000_000, 1_755_705, 10_234), step('cartAbandonment', 'pattern', 2_000_000, 231_949, 0), step('scorer', 'process', 1_999_999, 1_999_999, 7)],
  stopped: true,
};

const cases: { width: number; headers: string[]; absent: string[]; cells: string[] }[] = [
  { width: 120, headers: ['step', 'kind', 'records in', 'passed', 'results', 'matches', 'late', 'dead-letter', 'events/s'], absent: [], cells: ['perUserMinuteCounts', '1,755,705', '12,345', '202.6K/s'] },
  { width: 80, headers: ['step', 'results', 'matches', 'late', 'dead', 'ev/s'], absent: ['records in', 'dead-letter'], cells: ['perUserMinuteCounts', '1.76M', '12.3K', '202.6K/s'] },
  { width: 60, headers: ['step', 'results', 'matches', 'late', 'dead', 'ev/s'], absent: ['kind', 'passed', ' in '], cells: ['1.76M', '202.6K/s'] },
];

for (const c of cases) {
  test(`summary table at ${c.width} columns`, () => {
    const text = summaryTable(summary, c.width);
    const lines = text.trimEnd().split('\n');
    for (const line of lines) assert.ok([...line].length <= c.width, `${[...line].length} columns: ${line}`);
    const head = lines[1]!;
    for (const header of c.headers) assert.match(head, new RegExp(`│ ${header.replace('/', '\\/')} +│|│ +${header.replace('/', '\\/')} │`), `header ${header}`);
    for (const gone of c.absent) assert.ok(!head.includes(gone), `no ${gone}`);
    for (const cell of c.cells) assert.ok(text.includes(cell), `shows ${cell}`);
    // One row per step and the run's row, and the footer's parts.
    for (const name of ['all', 'stopped early', '1,987,654 output records']) assert.ok(text.includes(name), name);
    assert.equal(lines.filter((line) => line.startsWith('│')).length, 1 + summary.steps.length + 1);
  });
}
