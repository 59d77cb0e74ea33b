/**
 * Purged windows are kept for reuse (window-operator.ts, spareWindow). A kept window holds none of
 * its purged key's values: accumulators without `reset` (count_distinct's Set, percentile's values,
 * first/last, min/max) are dropped when it is kept and made anew when it is reused, so the reused
 * window's result equals that of a fresh operator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputRecord } from '../../../src/engine/operator.js';
import type { AggregateFunction } from '../../../src/engine/spec.js';
import { WindowOperator } from '../../../src/engine/window/window-step.js';
import { windowStep, type StepOptions } from './scenario.js';

interface Case {
  readonly name: string;
  readonly fn: AggregateFunction;
  readonly quantile?: number;
}

const cases: Case[] = [
  { name: 'count_distinct', fn: 'count_distinct' },
  { name: 'first', fn: 'first' },
  { name: 'last', fn: 'last' },
  { name: 'min', fn: 'min' },
  { name: 'max', fn: 'max' },
  { name: 'percentile', fn: 'percentile', quantile: 0.5 },
];

type Event = readonly [user: string, amount: number, ts: number];
// Key a fills [0,10) and is purged at watermark 9; key b then opens [10,20) in the kept window.
const before: Event[] = [['a', 100, 1], ['a', 200, 2], ['a', 300, 3]];
const after: Event[] = [['b', 7, 11], ['b', 5, 12]];

function step(c: Case): ReturnType<typeof windowStep> {
  const value: NonNullable<StepOptions['aggregates']>[string] = c.quantile === undefined ? [c.fn, 'amount'] : [c.fn, 'amount', c.quantile];
  return windowStep({ window: { type: 'tumbling', size: 10, offset: 0 }, key: 'user', aggregates: { n: ['count'], v: value } });
}

function feed(operator: WindowOperator, events: readonly Event[], results: OutputRecord[]): void {
  const out = { emit: (record: OutputRecord) => void results.push(record) };
  for (const [user, amount, ts] of events) {
    const fields = { user, amount };
    operator.process(fields, ts, { line: 1, original: () => fields }, out);
  }
}

/** The operator's kept windows (private: the test reads what they hold). */
function spare(operator: WindowOperator): { accumulators: unknown[] }[] {
  const inside = operator as unknown as { spare: ({ accumulators: unknown[] } | undefined)[]; spareCount: number };
  return inside.spare.slice(0, inside.spareCount) as { accumulators: unknown[] }[];
}

for (const c of cases) {
  test(`a reused window with ${c.name} next to count gives the result of a fresh window`, () => {
    const reused = new WindowOperator(step(c));
    const results: OutputRecord[] = [];
    const out = { emit: (record: OutputRecord) => void results.push(record) };
    feed(reused, before, results);
    reused.advanceWatermark(9, out);
    const kept = spare(reused);
    assert.equal(kept.length, 1, 'the purged window is kept for reuse');
    assert.equal(kept[0]!.accumulators[1], undefined, `the kept window holds no ${c.name} accumulator of key a`);
    feed(reused, after, results);
    reused.advanceWatermark(Infinity, out);
    assert.equal(spare(reused).length, 1, 'the kept window was reused, then kept again');

    const fresh = new WindowOperator(step(c));
    const freshResults: OutputRecord[] = [];
    feed(fresh, after, freshResults);
    fresh.advanceWatermark(Infinity, { emit: (record) => void freshResults.push(record) });

    assert.equal(results.length, 2);
    assert.deepEqual(results[1], freshResults[0]);
  });
}
