/**
 * Every aggregate on a table of inputs (value, event time), with its SQL null rules and type
 * errors; then the property every window relies on: merging accumulators (session merges) gives
 * the result of adding all inputs to one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aggregateFor } from '../../../src/engine/aggregate/registry.js';
import { percentileOfSorted } from '../../../src/engine/aggregate/percentile.js';
import type { AggregateFunction } from '../../../src/engine/spec.js';

interface Case {
  readonly name: string;
  readonly fn: AggregateFunction;
  readonly quantile?: number;
  /** [value, event time]; arrival order is the list order. */
  readonly inputs: ReadonlyArray<readonly [unknown, number]>;
  readonly result: unknown;
  /** How many inputs `add` rejects as wrongly typed. */
  readonly typeErrors?: number;
  /** Compare within 1e-12 (square roots); otherwise exactly. */
  readonly approx?: true;
}

const at = (values: unknown[]): Array<[unknown, number]> => values.map((v, i) => [v, i]);

const cases: Case[] = [
  { name: 'count() counts every record', fn: 'count', inputs: at([true, true, true]), result: 3 },
  { name: 'count(x) skips nulls', fn: 'count', inputs: at([1, null, 'a', undefined, 0]), result: 3 },
  { name: 'count of nothing is 0', fn: 'count', inputs: [], result: 0 },
  { name: 'sum', fn: 'sum', inputs: at([1, 2, 3.5]), result: 6.5 },
  { name: 'sum of CEL integers (bigint)', fn: 'sum', inputs: at([1n, 2n, 3]), result: 6 },
  { name: 'sum skips nulls', fn: 'sum', inputs: at([null, 4, null]), result: 4 },
  { name: 'sum of only nulls is null', fn: 'sum', inputs: at([null, null]), result: null },
  { name: 'sum of nothing is null', fn: 'sum', inputs: [], result: null },
  { name: 'sum rejects strings and booleans', fn: 'sum', inputs: at([1, '2', true, 3]), result: 4, typeErrors: 2 },
  { name: 'sum keeps 0.1 + 0.2 + 0.3 exact (compensated)', fn: 'sum', inputs: at([0.1, 0.2, 0.3]), result: 0.6 },
  { name: 'avg', fn: 'avg', inputs: at([1, 2, 3, 4]), result: 2.5 },
  { name: 'avg skips nulls (not counted)', fn: 'avg', inputs: at([2, null, 4]), result: 3 },
  { name: 'avg of nothing is null', fn: 'avg', inputs: [], result: null },
  { name: 'avg rejects an object', fn: 'avg', inputs: at([{ a: 1 }, 5]), result: 5, typeErrors: 1 },
  { name: 'min of numbers', fn: 'min', inputs: at([3, -1, 2]), result: -1 },
  { name: 'max of numbers', fn: 'max', inputs: at([3, -1, 2]), result: 3 },
  { name: 'min of strings (ISO timestamps sort)', fn: 'min', inputs: at(['2026-01-02', '2026-01-01T10:00', 'b']), result: '2026-01-01T10:00' },
  { name: 'max of strings', fn: 'max', inputs: at(['apple', 'pear', 'fig']), result: 'pear' },
  { name: 'min rejects a string after numbers', fn: 'min', inputs: at([3, 'a', 1]), result: 1, typeErrors: 1 },
  { name: 'max rejects booleans and NaN', fn: 'max', inputs: at([true, NaN, 7]), result: 7, typeErrors: 2 },
  { name: 'min of nothing is null', fn: 'min', inputs: at([null]), result: null },
  { name: 'count_distinct', fn: 'count_distinct', inputs: at(['u1', 'u2', 'u1', 'u3', 'u2']), result: 3 },
  { name: 'count_distinct keeps 1 and "1" apart, bigint 1 equals 1', fn: 'count_distinct', inputs: at([1, '1', 1n]), result: 2 },
  { name: 'count_distinct of lists by value', fn: 'count_distinct', inputs: at([[1, 2], [1, 2], [2, 1], '[1,2]']), result: 3 },
  { name: 'count_distinct skips nulls', fn: 'count_distinct', inputs: at([null, 'a', null]), result: 1 },
  { name: 'first by event time, not arrival', fn: 'first', inputs: [['late', 5], ['early', 1], ['middle', 3]], result: 'early' },
  { name: 'last by event time, not arrival', fn: 'last', inputs: [['b', 5], ['c', 9], ['a', 1]], result: 'c' },
  { name: 'first: equal times keep the earliest arrival', fn: 'first', inputs: [['x', 2], ['y', 2], ['z', 3]], result: 'x' },
  { name: 'last: equal times keep the latest arrival', fn: 'last', inputs: [['x', 2], ['y', 2], ['z', 1]], result: 'y' },
  { name: 'first skips nulls', fn: 'first', inputs: [[null, 0], ['v', 1]], result: 'v' },
  { name: 'last of nothing is null', fn: 'last', inputs: [], result: null },
  { name: 'stddev is the sample deviation (n − 1)', fn: 'stddev', inputs: at([2, 4, 4, 4, 5, 5, 7, 9]), result: Math.sqrt(32 / 7), approx: true },
  { name: 'stddev of one value is null', fn: 'stddev', inputs: at([5]), result: null },
  { name: 'stddev of equal values is 0', fn: 'stddev', inputs: at([3, 3, 3]), result: 0 },
  { name: 'stddev rejects a string', fn: 'stddev', inputs: at([1, 'x', 3]), result: Math.sqrt(2), typeErrors: 1, approx: true },
  { name: 'percentile 0.5 of an even count interpolates', fn: 'percentile', quantile: 0.5, inputs: at([4, 1, 3, 2]), result: 2.5 },
  { name: 'percentile 0.25 (Flink: 1.75, not simple-statistics 1.5)', fn: 'percentile', quantile: 0.25, inputs: at([1, 2, 3, 4]), result: 1.75 },
  { name: 'percentile 0.95 of 1..20', fn: 'percentile', quantile: 0.95, inputs: at(Array.from({ length: 20 }, (_, i) => i + 1)), result: 19.05 },
  { name: 'percentile 0 is the minimum', fn: 'percentile', quantile: 0, inputs: at([7, 3, 9]), result: 3 },
  { name: 'percentile 1 is the maximum', fn: 'percentile', quantile: 1, inputs: at([7, 3, 9]), result: 9 },
  { name: 'percentile between equal values is that value', fn: 'percentile', quantile: 0.3, inputs: at([0.1, 0.1, 0.1, 5]), result: 0.1 },
  { name: 'percentile of nothing is null', fn: 'percentile', quantile: 0.5, inputs: at([null]), result: null },
];

for (const c of cases) {
  test(`${c.fn}: ${c.name}`, () => {
    const aggregate = aggregateFor(c.fn, c.quantile);
    const acc = aggregate.create();
    let rejected = 0;
    c.inputs.forEach(([value, ts], seq) => {
      if (!aggregate.add(acc, value, ts, seq)) rejected++;
    });
    const result = aggregate.result(acc);
    if (c.approx && typeof c.result === 'number' && typeof result === 'number') {
      assert.ok(Math.abs(result - c.result) < 1e-12, `${result} ≈ ${c.result}`);
    } else assert.deepEqual(result, c.result);
    assert.equal(rejected, c.typeErrors ?? 0);
  });
}

test('percentile follows Flink PercentileAggFunction position = q·(n − 1) + 1 on hand-checked values', () => {
  // [2, 8, 25, 40]: q = 0.25 → position 1.75 → 0.25·2 + 0.75·8 = 6.5
  assert.equal(percentileOfSorted([2, 8, 25, 40], 0.25), 6.5);
  assert.equal(percentileOfSorted([2, 8, 25, 40], 0.5), 16.5);
  assert.equal(percentileOfSorted([10], 0.9), 10);
  assert.equal(percentileOfSorted([], 0.5), null);
});

test('percentile outside [0, 1] is refused', () => {
  assert.throws(() => aggregateFor('percentile', 1.5), /between 0.0 and 1.0/);
  assert.throws(() => aggregateFor('percentile'), /needs a quantile/);
});

const every: Array<{ fn: AggregateFunction; quantile?: number; exact: boolean }> = [
  { fn: 'count', exact: true },
  { fn: 'sum', exact: false },
  { fn: 'avg', exact: false },
  { fn: 'min', exact: true },
  { fn: 'max', exact: true },
  { fn: 'count_distinct', exact: true },
  { fn: 'first', exact: true },
  { fn: 'last', exact: true },
  { fn: 'stddev', exact: false },
  { fn: 'percentile', quantile: 0.9, exact: true },
];

for (const { fn, quantile, exact } of every) {
  test(`${fn}: merging split inputs equals aggregating them all at once`, () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
    const input = fc.array(fc.tuple(value, fc.integer({ min: 0, max: 20 })), { maxLength: 40 });
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 4 }), (inputs, cuts) => {
        const aggregate = aggregateFor(fn, quantile);
        const whole = aggregate.create();
        inputs.forEach(([v, ts], seq) => aggregate.add(whole, v, ts, seq));
        // Cut the inputs into pieces, aggregate each, then merge them in a shuffled order.
        const bounds = [...new Set([0, ...cuts.map((c) => c % (inputs.length + 1)), inputs.length])].sort((a, b) => a - b);
        const parts = bounds.slice(1).map((end, i) => {
          const acc = aggregate.create();
          for (let seq = bounds[i]!; seq < end; seq++) aggregate.add(acc, inputs[seq]![0], inputs[seq]![1], seq);
          return acc;
        });
        parts.reverse();
        const merged = aggregate.create();
        for (const part of parts) aggregate.merge(merged, part);
        const expected = aggregate.result(whole);
        const actual = aggregate.result(merged);
        if (!exact && typeof expected === 'number' && typeof actual === 'number') {
          assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${actual} ≈ ${expected}`);
        } else assert.deepEqual(actual, expected);
      }),
      { numRuns: 300 },
    );
  });
}
