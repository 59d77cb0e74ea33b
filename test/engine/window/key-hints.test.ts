/**
 * Key hints (WindowOperator.useKeyHints) only make finding a key's state cheaper: whatever slot a
 * record's hint names — the key's own, one another key used, a stale one, none — the results are
 * those of the operator without hints, in the same order, with and without a key spill; so are its
 * snapshots, and a run snapshotted and restored midway gives the uninterrupted run's results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OutputRecord } from '../../../src/engine/operator.js';
import type { WindowSpec } from '../../../src/engine/spec.js';
import { WindowOperator } from '../../../src/engine/window/window-step.js';
import type { WindowKeySnapshot, WindowOperatorSnapshot } from '../../../src/engine/window/window-operator.js';
import { EncodedState } from '../../../src/engine/snapshot/binary.js';
import { fromSnapshotJson, toSnapshotJson } from '../../../src/engine/snapshot/snapshot-json.js';
import { brief, spillOptions, windowStep } from './scenario.js';

const SLOTS = 4;

const windowSpecs = fc.constantFrom<WindowSpec>(
  { type: 'tumbling', size: 10, offset: 0 },
  { type: 'sliding', size: 12, slide: 5, offset: 0 },
  { type: 'session', gap: 6 },
);

/** [key, ts step, hint]: hint 'own' is the key's own slot (as an intern table gives), else that slot or −1. */
const streams = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: -8, max: 9 }), fc.oneof(fc.constant('own' as const), fc.integer({ min: -1, max: SLOTS - 1 }))), {
  maxLength: 80,
});

type Stream = readonly (readonly [string, number, 'own' | number])[];

interface Run {
  readonly timeline: string[];
  /** The operator's snapshot (as JSON) after each record. */
  readonly snapshots: string[];
  /** Its binary snapshot (a checkpoint's, keys written from the runtime state), decoded, as JSON. */
  readonly encoded: string[];
  /** The most windows one key held at a snapshot. */
  readonly mostWindows: number;
}

/** `restoreAt`: before that record, the run goes on in a new operator restored from a snapshot. */
function run(window: WindowSpec, stream: Stream, hinted: boolean, budget: number | undefined, restoreAt = -1, allowedLateness = 4): Run {
  const step = windowStep({ window, allowedLateness, aggregates: { n: ['count'], total: ['sum', 'value'], seen: ['count_distinct', 'key'] } });
  const slots = new Int32Array(1).fill(-1);
  const operatorFor = (): WindowOperator => {
    const operator = new WindowOperator(step, spillOptions(budget));
    if (hinted) operator.useKeyHints(slots, 0, SLOTS);
    return operator;
  };
  let operator = operatorFor();
  const timeline: string[] = [];
  const snapshots: string[] = [];
  const encoded: string[] = [];
  let mostWindows = 0;
  const out = { emit: (record: OutputRecord) => timeline.push(brief(record)) };
  let clock = 0;
  let maxTs = -Infinity;
  stream.forEach(([key, step, hint], i) => {
    if (i === restoreAt) {
      const saved = toSnapshotJson(operator.snapshot());
      operator = operatorFor();
      operator.restore(fromSnapshotJson<WindowOperatorSnapshot>(saved));
    }
    clock += 2;
    const ts = clock + step;
    // Keys are fresh strings, equal but not the same object, as records read apart give them.
    const fields = { key: `${key}`.padEnd(1), value: i };
    slots[0] = hint === 'own' ? key.charCodeAt(0) % SLOTS : hint;
    operator.process(fields, ts, { line: i + 1, original: () => fields }, out);
    maxTs = Math.max(maxTs, ts);
    operator.advanceWatermark(maxTs - 3, out);
    const plain = operator.snapshot();
    snapshots.push(toSnapshotJson(plain));
    const binary = operator.snapshot({ encoded: true });
    assert.ok(binary.keys instanceof EncodedState);
    encoded.push(toSnapshotJson(binary));
    for (const key of plain.keys as WindowKeySnapshot[]) mostWindows = Math.max(mostWindows, key.windows?.length ?? key.panes?.length ?? 0);
  });
  operator.advanceWatermark(Infinity, out);
  return { timeline, snapshots, encoded, mostWindows };
}

test('results do not depend on the key hints, right, shared, stale or missing', () => {
  fc.assert(
    fc.property(windowSpecs, streams, fc.constantFrom(undefined, 1, 2), (window, stream, budget) => {
      const expected = run(window, stream, false, budget).timeline;
      assert.ok(stream.length === 0 || expected.length > 0);
      assert.deepEqual(run(window, stream, true, budget).timeline, expected);
    }),
    { numRuns: 600 },
  );
});

test('snapshots do not depend on the key hints: keys in key order, idle ones taken up again included', () => {
  fc.assert(
    fc.property(windowSpecs, streams, fc.constantFrom(undefined, 1, 2), (window, stream, budget) => {
      assert.deepEqual(run(window, stream, true, budget).snapshots, run(window, stream, false, budget).snapshots);
    }),
    { numRuns: 600 },
  );
});

test('a hinted run snapshotted and restored midway gives the uninterrupted run\'s results', () => {
  fc.assert(
    fc.property(windowSpecs, streams, fc.constantFrom(undefined, 1, 2), fc.nat(), (window, stream, budget, cut) => {
      const restoreAt = stream.length === 0 ? 0 : cut % stream.length;
      const uninterrupted = run(window, stream, true, budget);
      const resumed = run(window, stream, true, budget, restoreAt);
      assert.deepEqual(resumed.timeline, uninterrupted.timeline);
      assert.deepEqual(resumed.snapshots, uninterrupted.snapshots);
    }),
    { numRuns: 600 },
  );
});

test('the binary keys of a checkpoint, written from the runtime state, decode to the plain snapshot: every window type, hinted, spilled', () => {
  let most = 0;
  fc.assert(
    fc.property(windowSpecs, streams, fc.constantFrom(undefined, 1, 2), fc.boolean(), fc.constantFrom(4, 30), (window, stream, budget, hinted, lateness) => {
      const { snapshots, encoded, mostWindows } = run(window, stream, hinted, budget, -1, lateness);
      assert.deepEqual(encoded, snapshots);
      if (window.type === 'tumbling') most = Math.max(most, mostWindows);
    }),
    { numRuns: 600 },
  );
  // Tumbling keys with three windows or more keep them in a Map (the other path of writeKeyState).
  assert.ok(most >= 3, `at most ${most} tumbling windows per key`);
});

/**
 * The snapshot test's case, small: key a's tumbling window closes (with hints a waits idle in its
 * slot), b opens one, then a comes back: a is now after b in key order, though its idle state kept
 * its place before b on the heap.
 */
test('an idle key taken up again is listed after the keys made before it, with hints as without', () => {
  const step = windowStep({ window: { type: 'tumbling', size: 10, offset: 0 }, aggregates: { n: ['count'] } });
  const listed = [false, true].map((hinted) => {
    const operator = new WindowOperator(step);
    const slots = new Int32Array([-1]);
    if (hinted) operator.useKeyHints(slots, 0, 2);
    const out = { emit: () => {} };
    const rows: [string, number, number][] = [['a', 1, 0], ['b', 12, 1], ['a', 13, 0]];
    for (const [key, ts, slot] of rows) {
      const fields = { key, value: ts };
      slots[0] = slot;
      operator.process(fields, ts, { line: 1, original: () => fields }, out);
      operator.advanceWatermark(ts - 1, out);
    }
    return (operator.snapshot().keys as { key: unknown; order: number }[]).map((k) => `${String(k.key)}#${k.order}`);
  });
  assert.deepEqual(listed[0], ['b#1', 'a#2']);
  assert.deepEqual(listed[1], listed[0]);
});

test('a record for a purged window its key still hinted is late, with hints as without', () => {
  // Key a: [20,30) opens, an out-of-order record makes [0,10) its current window, the watermark
  // fires both and purges [0,10) (cleanup 9 + 20) while [20,30) stays open, and a record for
  // [0,10) comes again: late, not added to the purged window.
  const step = windowStep({ window: { type: 'tumbling', size: 10, offset: 0 }, allowedLateness: 20, aggregates: { n: ['count'] } });
  const timelines = [false, true].map((hinted) => {
    const operator = new WindowOperator(step);
    const slots = new Int32Array([0]);
    if (hinted) operator.useKeyHints(slots, 0, 1);
    const timeline: string[] = [];
    const out = { emit: (record: OutputRecord) => timeline.push(brief(record)) };
    const rows: [number, number][] = [[25, -1], [26, -1], [5, 30], [7, -1]];
    rows.forEach(([ts, watermark], i) => {
      const fields = { key: 'a', value: i };
      operator.process(fields, ts, { line: i + 1, original: () => fields }, out);
      if (watermark >= 0) operator.advanceWatermark(watermark, out);
    });
    operator.advanceWatermark(Infinity, out);
    return timeline;
  });
  assert.deepEqual(timelines[0], ['a [0,10) onTime {"n":1}', 'a [20,30) onTime {"n":2}', 'late a {"key":"a","value":3}']);
  assert.deepEqual(timelines[1], timelines[0]);
});

test('idle key states wait in their hint slots only: at most one a slot, none once a slot is taken', () => {
  // 2,000 keys over 16 slots, one window each a minute for 30 minutes: without the bound every
  // key would stay.
  const slotCount = 16;
  const step = windowStep({ window: { type: 'tumbling', size: 60, offset: 0 }, aggregates: { n: ['count'] } });
  const runs = [false, true].map((hinted) => {
    const operator = new WindowOperator(step);
    const slots = new Int32Array([-1]);
    if (hinted) operator.useKeyHints(slots, 0, slotCount);
    const timeline: string[] = [];
    const out = { emit: (record: OutputRecord) => timeline.push(brief(record)) };
    let mostIdle = 0;
    for (let minute = 0; minute < 30; minute++) {
      for (let i = 0; i < 200; i++) {
        const key = (minute * 7 + i * 13) % 2_000;
        const fields = { key: `k${key}`, value: i };
        slots[0] = key % slotCount;
        const ts = minute * 60 + (i % 60);
        operator.process(fields, ts, { line: 1, original: () => fields }, out);
        operator.advanceWatermark(ts - 1, out);
        mostIdle = Math.max(mostIdle, operator.keyCounts.idle);
      }
    }
    operator.advanceWatermark(Infinity, out);
    return { timeline, mostIdle, counts: operator.keyCounts };
  });
  assert.deepEqual(runs[1]!.timeline, runs[0]!.timeline, 'idle states change nothing in the results');
  assert.equal(runs[0]!.mostIdle, 0, 'without hints a key with no window is forgotten');
  assert.ok(runs[1]!.mostIdle > 0 && runs[1]!.mostIdle <= slotCount, `idle states ${runs[1]!.mostIdle}, slots ${slotCount}`);
  assert.equal(runs[1]!.counts.heap, 0, 'no key holds state after the final watermark');
  assert.ok(runs[1]!.counts.idle <= slotCount);
});

test('a restore into an operator holding idle key states leaves none in the hint slots', () => {
  // The target ran key a's window [0,10) to its end: a waits idle in slot 0. The snapshot holds
  // a's window [20,30); a's next record, hinted slot 0, must go to that window, not the idle state.
  const step = windowStep({ window: { type: 'tumbling', size: 10, offset: 0 }, aggregates: { n: ['count'] } });
  const slots = new Int32Array([0]);
  const silent = { emit: () => {} };
  const record = (operator: WindowOperator, ts: number, out: { emit: (record: OutputRecord) => void }): void => {
    const fields = { key: 'a', value: ts };
    operator.process(fields, ts, { line: 1, original: () => fields }, out);
  };
  const source = new WindowOperator(step);
  record(source, 21, silent);
  source.advanceWatermark(20, silent);
  const saved = toSnapshotJson(source.snapshot());

  const resumed = [false, true].map((heldIdle) => {
    const operator = new WindowOperator(step);
    operator.useKeyHints(slots, 0, 1);
    if (heldIdle) {
      record(operator, 1, silent);
      operator.advanceWatermark(10, silent);
      assert.equal(operator.keyCounts.idle, 1, 'a waits idle in its slot');
    }
    operator.restore(fromSnapshotJson<WindowOperatorSnapshot>(saved));
    assert.deepEqual(operator.keyCounts, { heap: 1, spilled: 0, idle: 0 });
    const timeline: string[] = [];
    const out = { emit: (r: OutputRecord) => timeline.push(brief(r)) };
    record(operator, 25, out);
    operator.advanceWatermark(Infinity, out);
    return timeline;
  });
  assert.deepEqual(resumed[0], ['a [20,30) onTime {"n":2}']);
  assert.deepEqual(resumed[1], resumed[0]);
});

test('a restore still needs an operator with no open window', () => {
  const step = windowStep({ window: { type: 'tumbling', size: 10, offset: 0 }, aggregates: { n: ['count'] } });
  const saved = new WindowOperator(step).snapshot();
  const operator = new WindowOperator(step);
  operator.useKeyHints(new Int32Array([0]), 0, 1);
  const fields = { key: 'a', value: 1 };
  operator.process(fields, 1, { line: 1, original: () => fields }, { emit: () => {} });
  assert.throws(() => operator.restore(saved), /restore needs a fresh operator/);
});
