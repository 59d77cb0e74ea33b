/**
 * The window table's rows (window-panel.tsx windowLines): a row wider than the panel is cut to its
 * width, and a late firing keeps its ` late` mark, in the warning colour, after the cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import chalk from 'chalk';
import type { WindowResult } from '../../src/engine/operator.js';
import { initialState, liveReducer, type StepInfo } from '../../src/ui/live-state.js';
import { PendingOutputs } from '../../src/ui/pending-outputs.js';
import { windowLines } from '../../src/ui/window-panel.js';
import { textColumns } from '../../src/ui/display-format.js';
import { frameOf, stats } from './run-stats.js';

const STEPS: StepInfo[] = [{ name: 'trending', kind: 'window', fields: ['watches', 'users'], window: { type: 'tumbling', size: 60_000, offset: 0 } }];
const late: WindowResult = { step: 'trending', kind: 'window', key: 'c1', start: 0, end: 60_000, firing: 'late', fields: { watches: 4, users: 1 } };
const plain = (text: string) => text.replace(/\u001B\[[\d;]*m/g, '');

test('window panel: a late row cut to a narrow panel keeps ` late` at its end, in the warning colour', () => {
  const level = chalk.level;
  chalk.level = 1;
  try {
    const counters = [{ seen: 1, accepted: 1, results: 1, late: 1, exprErrors: 0 }];
    const state = liveReducer(initialState('r.jsonl', 'p.yaml', STEPS, 100), frameOf(new PendingOutputs(STEPS), [late], stats(), counters));
    const lines = windowLines(state.steps[0]!, state, 30, 5);
    assert.equal(lines.why, null);
    const row = lines.why === null ? lines.body[0]! : '';
    // Changed this frame (`●`). Uncut, `● c1      00:00:00–00:01:00    4 late` takes 37 columns.
    assert.equal(plain(row), '● c1      00:00:00–00:01… late');
    assert.equal(textColumns(plain(row)), 30);
    assert.ok(row.endsWith(chalk.yellow(' late')), JSON.stringify(row));
  } finally {
    chalk.level = level;
  }
});
