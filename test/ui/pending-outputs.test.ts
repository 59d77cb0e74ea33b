// The window results the runner posts to the view's worker (PendingOutputs.copyTaken): the ring's
// results since the last take, copied out as slices, read the same as the ring's batch in place,
// also where the take overflowed the ring and so wraps round its end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StepInfo, WindowBatch } from '../../src/ui/live-state.js';
import { CopiedBatch, PendingOutputs, RING } from '../../src/ui/pending-outputs.js';

const STEPS: StepInfo[] = [
  { name: 'w', kind: 'window', fields: ['count', 'label'], window: { type: 'tumbling', size: 60_000, offset: 0 } },
  { name: 'm', kind: 'pattern', fields: [] },
  { name: 'v', kind: 'window', fields: ['n'], window: { type: 'tumbling', size: 60_000, offset: 0 } },
];

const read = (batch: WindowBatch, fields: number) =>
  Array.from({ length: batch.size }, (_, n) => [batch.key(n), batch.start(n), batch.end(n), batch.late(n), ...Array.from({ length: fields }, (_, f) => batch.value(n, f))]);

// Takes of these sizes one after the other. Every take starts at the ring's first entry; those over RING overflow it and wrap round its end.
const TAKES = [3, RING - 5, 10, RING, 7, RING + 100, 1, 2 * RING + 5];

test('copyTaken: each take copied out reads as the ring reads it in place, wrapped or not; a step without results is null', () => {
  const pending = new PendingOutputs(STEPS);
  let sequence = 0;
  for (const size of TAKES) {
    for (let n = 0; n < size; n++, sequence++) {
      pending.add({ step: 'w', kind: 'window', key: `k${sequence % 500}`, start: sequence * 10, end: sequence * 10 + 60_000, firing: sequence % 9 === 0 ? 'late' : 'onTime', fields: { count: sequence, label: sequence % 4 === 0 ? `t${sequence}` : sequence / 2 } });
    }
    const { windows } = pending.take();
    const copies = pending.copyTaken();
    assert.equal(copies[1], null, 'a pattern step');
    assert.equal(copies[2], null, 'a window step without results');
    const copy = copies[0]!;
    assert.equal(copy.size, Math.min(size, RING));
    assert.deepEqual(read(new CopiedBatch(copy), 2), read(windows[0]!, 2), `a take of ${size}`);
  }
});

test('copyTaken: no text kept, no values beside the numbers copied', () => {
  const pending = new PendingOutputs(STEPS);
  for (let n = 0; n < 20; n++) pending.add({ step: 'v', kind: 'window', key: `k${n}`, start: 0, end: 60_000, firing: 'onTime', fields: { n } });
  pending.take();
  const copy = pending.copyTaken()[2]!;
  assert.deepEqual(copy.others, []);
  assert.deepEqual(read(new CopiedBatch(copy), 1).map((result) => result[4]), Array.from({ length: 20 }, (_, n) => n));
});
