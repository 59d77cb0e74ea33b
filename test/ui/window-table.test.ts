// The view worker's table by column (window-table.ts) against the reducer's table of row objects
// (live-state.ts foldWindows, visibleRows), differentially: the same frames of generated results
// folded into both, then the same key count and the same top rows for every sort, filter and limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldWindows, visibleRows, type StepInfo, type WindowRow } from '../../src/ui/live-state.js';
import { CopiedBatch, PendingOutputs, RING } from '../../src/ui/pending-outputs.js';
import { WindowTable } from '../../src/ui/window-table.js';
import { random } from '../seeded-random.js';

const INFO: StepInfo = { name: 'w', kind: 'window', fields: ['count', 'label', 'avg'], window: { type: 'tumbling', size: 60_000, offset: 0 } };

for (const seed of [1, 7, 42]) {
  test(`window table: the same rows and top rows as the reducer's table, frame by frame (seed ${seed})`, () => {
    const next = random(seed);
    const pick = (n: number) => Math.floor(next() * n);
    const pending = new PendingOutputs([INFO]);
    const rows = new Map<string, WindowRow>();
    const table = new WindowTable(INFO);
    const step = { info: INFO, rows, feed: [], counters: { seen: 0, accepted: 0, results: 0, late: 0, exprErrors: 0 }, timeouts: 0, passedOver: 0 };
    for (let frame = 1; frame <= 12; frame++) {
      // Up to 3,000 keys (past the table's first 1,024 slots), ties, text, a late firing of an older window, a key with a control code;
      // every fourth frame overflows the ring (its oldest results passed over, the copy wrapped).
      for (let n = 0, size = frame % 4 === 0 ? RING + pick(700) : pick(700); n < size; n++) {
        const minute = frame - (pick(10) === 0 ? 2 : 0);
        const key = pick(50) === 0 ? `k\u001b${pick(5)}` : `k${pick(3_000)}`;
        const count = pick(8) === 0 ? NaN : pick(40);
        pending.add({ step: 'w', kind: 'window', key, start: minute * 60_000, end: (minute + 1) * 60_000, firing: minute < frame ? 'late' : 'onTime', fields: { count, label: pick(4) === 0 ? 7 : `t${pick(30)}`, avg: pick(3) === 0 ? null : count / 3 } });
      }
      const batch = pending.take().windows[0] ?? null;
      if (batch === null) continue;
      // The table through the worker's path (the take copied out, cloned as a message is), the reducer's fold reading the ring in place.
      table.fold(new CopiedBatch(structuredClone(pending.copyTaken()[0]!)), frame * 100);
      foldWindows([rows], [step], [batch], frame * 100);
      assert.equal(table.size, rows.size, `frame ${frame}: keys`);
      for (const sortField of [0, 1, 2, -1, 5])
        for (const filter of ['', '1', 'K2', '\\u001b'])
          for (const limit of [1, 12, 40, 5_000])
            assert.deepEqual(table.top(filter, sortField, limit), visibleRows(step, filter, sortField, limit), `frame ${frame}, sort ${sortField}, filter '${filter}', top ${limit}`);
    }
  });
}
