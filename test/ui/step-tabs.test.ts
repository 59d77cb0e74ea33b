/**
 * The step tabs (step-tabs.tsx tabLines) wrap as Yoga wraps their row: by the terminal columns
 * each tab takes, so a step named in wide characters never makes a line wider than the screen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textColumns } from '../../src/ui/display-format.js';
import { initialState } from '../../src/ui/live-state.js';
import { tabLines } from '../../src/ui/step-tabs.js';

test('tabs: step names in wide characters wrap by the columns they take, not their code points', () => {
  const state = initialState('a.jsonl', 'p.yaml', [{ name: '東京', kind: 'pattern', fields: [] }, { name: '大阪', kind: 'pattern', fields: [] }], 1);
  // ` 1 東京 (0) `: 10 code points, 12 columns. Both tabs take 25 columns, 21 code points.
  const lines = tabLines(state, 22).map((line) => line.replace(/\u001B\[[\d;]*m/g, ''));
  assert.deepEqual(lines, [' 1 東京 (0) ', ' 2 大阪 (0) ']);
  for (const line of lines) assert.ok(textColumns(line) <= 22, line);
});
