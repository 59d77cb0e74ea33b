/**
 * The binary form of window keys (window-snapshot-binary.ts): sw-window-keys/2 reads back what
 * the snapshot JSON round trip gives, for windows and panes with accumulators JSON alone would
 * lose (±Infinity, NaN, sets, −0) and keys of every kind; a checkpoint of the form before
 * (sw-window-keys/1) is still read; the writer keeps no key or accumulator once it has finished.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SnapshotReader, SnapshotWriter } from '../../../src/engine/snapshot/binary.js';
import { fromSnapshotJson, toSnapshotJson } from '../../../src/engine/snapshot/snapshot-json.js';
import type { WindowKeySnapshot } from '../../../src/engine/window/window-operator.js';
import { readWindowKeys, readWindowKeys1, WindowKeysWriter, writeWindowKeys } from '../../../src/engine/window/window-snapshot-binary.js';
import { aliveAfterGc } from '../../garbage-collection.js';

const time = fc.oneof(fc.integer({ min: -1e13, max: 1e13 }), fc.constantFrom(Infinity, -Infinity, -0, 2 ** 60), fc.double({ noNaN: true }));
const scalar = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity), fc.string(), fc.boolean(), fc.constant(null));
const accumulator = fc.oneof(
  fc.record({ n: fc.integer({ min: 0 }) }),
  fc.record({ sum: fc.double(), error: fc.double(), n: fc.nat() }),
  fc.record({ value: scalar, ts: fc.integer(), seq: fc.nat(), has: fc.boolean() }),
  fc.array(scalar, { maxLength: 3 }).map((values) => ({ values: new Set(values) })),
  fc.record({ values: fc.array(scalar, { maxLength: 4 }) }),
);
const windowKey = fc.record({
  key: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean()),
  order: fc.nat(),
  windows: fc.array(fc.record({ start: time, end: time, onTimePending: fc.boolean(), timerAt: time, accumulators: fc.array(accumulator, { maxLength: 3 }) }), { maxLength: 4 }),
});
const paneKey = fc.record({
  key: fc.string(),
  order: fc.nat(),
  panes: fc.array(fc.record({ start: time, accumulators: fc.array(accumulator, { maxLength: 2 }) }), { maxLength: 4 }),
  fireAt: time,
  cleanupAt: time,
});

function decoded(bytes: Uint8Array, read: (r: SnapshotReader) => WindowKeySnapshot[]): WindowKeySnapshot[] {
  const r = new SnapshotReader(bytes, []);
  const keys = read(r);
  assert.ok(r.done, 'bytes left over');
  return keys;
}

test('sw-window-keys/2 reads back what the snapshot JSON round trip gives', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(windowKey, paneKey), { maxLength: 12 }), (keys) => {
      const w = new SnapshotWriter();
      writeWindowKeys(w, keys as WindowKeySnapshot[]);
      // Bytes copied to an odd offset, as a row blob may hold them.
      const shifted = new Uint8Array(w.length + 1).subarray(1);
      shifted.set(w.view());
      assert.deepEqual(toSnapshotJson(decoded(shifted, readWindowKeys)), toSnapshotJson(fromSnapshotJson(toSnapshotJson(keys))));
    }),
    { numRuns: 200 },
  );
});

test('a writer reused for another encoding writes only the keys given since its last finish', () => {
  const into = new WindowKeysWriter();
  const first = new SnapshotWriter();
  // A first start other than 0: the next encoding's first start must not go as a difference from it.
  into.windows('a', 0, [{ start: 60_000, end: 120_000, onTimePending: true, timerAt: 119_999, accumulators: [{ n: 3 }] }]);
  into.finish(first);
  const second = new SnapshotWriter();
  into.panes('b', 1, [{ start: 5, accumulators: [{ n: 1 }] }], 10, Infinity);
  into.finish(second);
  assert.deepEqual(decoded(first.view(), readWindowKeys), [{ key: 'a', order: 0, windows: [{ start: 60_000, end: 120_000, onTimePending: true, timerAt: 119_999, accumulators: [{ n: 3 }] }] }]);
  assert.deepEqual(decoded(second.view(), readWindowKeys), [{ key: 'b', order: 1, panes: [{ start: 5, accumulators: [{ n: 1 }] }], fireAt: 10, cleanupAt: Infinity }]);
});

test('−0 times come back as −0 (JSON, which the round trip above compares, prints both zeros alike)', () => {
  const w = new SnapshotWriter();
  writeWindowKeys(w, [
    { key: 'a', order: 0, windows: [{ start: -0, end: 5, onTimePending: true, timerAt: 4, accumulators: [] }, { start: 0, end: -0, onTimePending: false, timerAt: -0, accumulators: [] }] },
    { key: 'b', order: 1, panes: [{ start: -0, accumulators: [] }], fireAt: -0, cleanupAt: 0 },
  ]);
  const [a, b] = decoded(w.view(), readWindowKeys);
  const times = [...a!.windows!.flatMap((x) => [x.start, x.end, x.timerAt]), b!.panes![0]!.start, b!.fireAt, b!.cleanupAt];
  assert.deepEqual(times.map((t) => (Object.is(t, -0) ? '-0' : String(t))), ['-0', '5', '4', '0', '-0', '-0', '-0', '-0', '0']);
});

test('damaged sw-window-keys/2 bytes are refused, not read as other keys', () => {
  const w = new SnapshotWriter();
  writeWindowKeys(w, [{ key: 'a', order: 0, windows: [{ start: 0, end: 60, onTimePending: false, timerAt: 59, accumulators: [{ n: 1 }] }] }]);
  const bytes = w.view().slice();
  bytes[0] = 2; // two keys claimed, one written
  assert.throws(() => decoded(bytes, readWindowKeys), /window keys/);
});

test('a checkpoint of the form before (sw-window-keys/1) is still read', () => {
  // Written as session 9's writer did: per key value, order, kind 1 (windows), count; per window
  // start, end, pending, timer (doubles but pending) and accumulators by SnapshotWriter.value.
  const w = new SnapshotWriter();
  w.uint(1);
  w.value('user-1');
  w.uint(7);
  w.uint(1);
  w.uint(1);
  w.float(60_000);
  w.float(120_000);
  w.uint(1);
  w.float(119_999);
  w.uint(1);
  w.value({ n: 4 });
  assert.deepEqual(decoded(w.view(), readWindowKeys1), [{ key: 'user-1', order: 7, windows: [{ start: 60_000, end: 120_000, onTimePending: true, timerAt: 119_999, accumulators: [{ n: 4 }] }] }]);
});

test('the writer keeps no key or accumulator once finished (nor once cleared after a failure)', async () => {
  const into = new WindowKeysWriter();
  const refs = ((): WeakRef<object>[] => {
    const key = { id: 'k' };
    const accumulator = { n: 1 };
    into.windows(key, 0, [{ start: 0, end: 1, onTimePending: false, timerAt: 0, accumulators: [accumulator] }]);
    into.finish(new SnapshotWriter());
    const other = { n: 2 };
    into.windows('x', 1, [{ start: 0, end: 1, onTimePending: false, timerAt: 0, accumulators: [other] }]);
    into.clear();
    return [key, accumulator, other].map((target) => new WeakRef(target));
  })();
  assert.equal(await aliveAfterGc(refs), 0);
});

/** sw-window-keys/2 written number by number (SnapshotWriter.uint, int, float), as the layout says: the reference for the writer's gathered numbers. */
function referenceBytes(keys: readonly WindowKeySnapshot[]): Uint8Array {
  const n = new SnapshotWriter();
  let previous = 0;
  const near = (a: number, b: number) => Number.isInteger(a) && Number.isInteger(b) && !Object.is(b, -0) && Math.abs(b - a) < 2 ** 51;
  const accumulators: unknown[] = [];
  for (const key of keys) {
    n.uint(key.order);
    if (key.panes !== undefined) {
      n.uint(2);
      n.uint(key.panes.length);
      for (const pane of key.panes) {
        if (near(previous, pane.start)) {
          n.uint(0);
          n.int(pane.start - previous);
          previous = pane.start;
        } else {
          n.uint(2);
          n.float(pane.start);
        }
        accumulators.push(pane.accumulators);
      }
      n.float(key.fireAt ?? Infinity);
      n.float(key.cleanupAt ?? Infinity);
      continue;
    }
    n.uint(1);
    n.uint(key.windows!.length);
    for (const w of key.windows!) {
      const pending = w.onTimePending ? 1 : 0;
      if (near(previous, w.start) && near(w.start, w.end) && near(w.end, w.timerAt)) {
        n.uint(pending);
        n.int(w.start - previous);
        n.int(w.end - w.start);
        n.int(w.timerAt - w.end);
        previous = w.start;
      } else {
        n.uint(pending | 2);
        n.float(w.start);
        n.float(w.end);
        n.float(w.timerAt);
      }
      accumulators.push(w.accumulators);
    }
  }
  const w = new SnapshotWriter();
  const numbers = n.view();
  w.uint(keys.length);
  w.uint(numbers.length);
  w.raw(numbers);
  w.str(toSnapshotJson([keys.map((k) => k.key), accumulators]));
  return w.view().slice();
}

test('the writer writes the bytes a number-by-number writer writes: many keys (its numbers outgrow their first array), windows of doubles, panes between, reused', () => {
  const into = new WindowKeysWriter();
  fc.assert(
    fc.property(fc.array(fc.oneof({ weight: 4, arbitrary: windowKey }, { weight: 1, arbitrary: paneKey }), { minLength: 0, maxLength: 400 }), (keys) => {
      const w = new SnapshotWriter();
      writeWindowKeys(w, keys as WindowKeySnapshot[], into);
      assert.deepEqual(w.view(), referenceBytes(keys as WindowKeySnapshot[]));
    }),
    { numRuns: 60 },
  );
  // Tumbling keys as a replay has them: integer times only, thousands of keys.
  const tumbling: WindowKeySnapshot[] = Array.from({ length: 3000 }, (_, i) => ({
    key: `c${i}`,
    order: i,
    windows: [{ start: 60_000 * (i % 7), end: 60_000 * ((i % 7) + 1), onTimePending: i % 3 !== 0, timerAt: 60_000 * ((i % 7) + 1) - 1, accumulators: [{ n: i }] }],
  }));
  const w = new SnapshotWriter();
  writeWindowKeys(w, tumbling, into);
  assert.deepEqual(w.view(), referenceBytes(tumbling));
});
