/**
 * Differential test: the window operator (heap of timers, incremental session merging,
 * accumulators, key bookkeeping) against the naive ReferenceOperator on generated streams, for
 * every window type, with out-of-order input, allowed lateness and late records. Both must
 * produce the same timeline, in the same order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { replay, windowStep, type Row } from './scenario.js';
import { ReferenceOperator } from './reference-operator.js';
import type { WindowSpec } from '../../../src/engine/spec.js';

const windowSpecs = fc.oneof(
  fc.record({ type: fc.constant('tumbling' as const), size: fc.integer({ min: 1, max: 30 }) }).chain((w) =>
    fc.integer({ min: -(w.size - 1), max: w.size - 1 }).map((offset): WindowSpec => ({ ...w, offset })),
  ),
  fc.record({ type: fc.constant('sliding' as const), size: fc.integer({ min: 1, max: 40 }), slide: fc.integer({ min: 1, max: 15 }) }).chain((w) =>
    fc.integer({ min: -(w.slide - 1), max: w.slide - 1 }).map((offset): WindowSpec => ({ ...w, offset })),
  ),
  fc.integer({ min: 1, max: 25 }).map((gap): WindowSpec => ({ type: 'session', gap })),
);

/** Records drift forward with jitter, so some arrive out of order and some too late. */
const streams = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 9 }), fc.integer({ min: -30, max: 12 })), { maxLength: 60 });

test('the operator and the naive reference agree on generated streams', () => {
  fc.assert(
    fc.property(windowSpecs, fc.constantFrom(0, 3, 40), fc.constantFrom(0, 5, 20), streams, (window, allowedLateness, outOfOrderness, stream) => {
      const step = windowStep({ window, allowedLateness, aggregates: { n: ['count'], total: ['sum', 'value'], last: ['last', 'value'] } });
      const rows: Row[] = [];
      const reference = new ReferenceOperator(window, allowedLateness);
      let clock = -50;
      let maxTs = -Infinity;
      for (const [key, value, jitter] of stream) {
        clock += 3;
        const ts = clock + jitter;
        rows.push([{ key, value }, ts]);
        reference.process(key, value, ts);
        maxTs = Math.max(maxTs, ts);
        reference.advanceWatermark(maxTs - outOfOrderness - 1);
      }
      reference.advanceWatermark(Infinity);
      const actual = replay(step, rows, { outOfOrderness }).timeline.filter((line) => line !== '@end');
      const expected = reference.timeline.map((line) => line.replace(/^late (\w) (\d)$/, 'late $1 {"key":"$1","value":$2}'));
      assert.deepEqual(actual, expected);
    }),
    { numRuns: 1500 },
  );
});
