/**
 * The window operator in pipeline terms: records with the watermark rule
 * (max event time − outOfOrderness − 1 after each record, +∞ at the end), keyed and not, offsets,
 * output order, lateness, select / having, counters and expression errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, replay, windowStep, type Row, type StepOptions } from './scenario.js';
import type { StepCounters } from '../../../src/engine/operator.js';
import { WindowOperator } from '../../../src/engine/window/window-step.js';
import { SpecError } from '../../../src/errors.js';

interface Case {
  readonly name: string;
  readonly step: StepOptions;
  readonly outOfOrderness?: number;
  readonly rows: readonly Row[];
  readonly timeline: readonly string[];
  readonly counters?: Partial<StepCounters>;
}

const e = (user: string, amount: number, extra: Record<string, unknown> = {}) => ({ user, amount, ...extra });
const tumbling10: StepOptions['window'] = { type: 'tumbling', size: 10, offset: 0 };
const byUser = { key: 'user', aggregates: { n: ['count'], total: ['sum', 'amount'] } } as const;

const cases: Case[] = [
  {
    name: 'keyed tumbling windows fire when the watermark passes end − 1, by end then key order',
    step: { window: tumbling10, ...byUser },
    rows: [[e('b', 1), 1], [e('a', 2), 3], [e('b', 3), 9], [e('a', 4), 10], [e('b', 5), 12]],
    // Both keys are forgotten when [0,10) is purged; in [10,20) a is seen again before b.
    timeline: ['b [0,10) onTime {"n":2,"total":4}', 'a [0,10) onTime {"n":1,"total":2}', '@end', 'a [10,20) onTime {"n":1,"total":4}', 'b [10,20) onTime {"n":1,"total":5}'],
    counters: { seen: 5, accepted: 5, results: 4, late: 0, exprErrors: 0 },
  },
  {
    name: 'the example of docs/windows.md (tumbling 10 s, outOfOrderness 2 s)',
    step: { window: { type: 'tumbling', size: 10_000, offset: 0 }, key: 'user', aggregates: { n: ['count'] } },
    outOfOrderness: 2000,
    rows: [[{ user: 'u1' }, 3000], [{ user: 'u1' }, 9000], [{ user: 'u1' }, 11_000], [{ user: 'u1' }, 8000], [{ user: 'u1' }, 13_000], [{ user: 'u1' }, 7000]],
    timeline: ['u1 [0,10000) onTime {"n":3}', 'late u1 {"user":"u1"}', '@end', 'u1 [10000,20000) onTime {"n":2}'],
  },
  {
    name: 'not keyed: one global window per period, key null',
    step: { window: tumbling10, key: null, aggregates: { n: ['count'] } },
    rows: [[e('a', 1), 1], [e('b', 1), 2], [e('c', 1), 15]],
    timeline: ['null [0,10) onTime {"n":2}', '@end', 'null [10,20) onTime {"n":1}'],
  },
  {
    name: 'several key fields give an array key',
    step: { window: tumbling10, key: (f) => [f['user'], f['device']], aggregates: { n: ['count'] } },
    rows: [[e('a', 1, { device: 'tv' }), 1], [e('a', 1, { device: 'web' }), 2], [e('a', 1, { device: 'tv' }), 3]],
    timeline: ['@end', '["a","tv"] [0,10) onTime {"n":2}', '["a","web"] [0,10) onTime {"n":1}'],
  },
  {
    name: 'CEL integer keys (bigint) come out as numbers',
    step: { window: tumbling10, key: () => 7n, aggregates: { n: ['count'] } },
    rows: [[e('a', 1), 1]],
    timeline: ['@end', '7 [0,10) onTime {"n":1}'],
  },
  {
    name: 'tumbling offset shifts the windows',
    step: { window: { type: 'tumbling', size: 10, offset: 3 }, key: null, aggregates: { n: ['count'] } },
    rows: [[e('a', 1), 2], [e('a', 1), 3], [e('a', 1), 12], [e('a', 1), 13]],
    timeline: ['null [-7,3) onTime {"n":1}', 'null [3,13) onTime {"n":2}', '@end', 'null [13,23) onTime {"n":1}'],
  },
  {
    name: 'sliding windows with negative timestamps and a slide that does not divide the size',
    step: { window: { type: 'sliding', size: 5, slide: 2, offset: 0 }, key: null, aggregates: { ts: ['count'] } },
    rows: [[e('a', 1), -3], [e('a', 1), 0]],
    timeline: ['null [-6,-1) onTime {"ts":1}', '@end', 'null [-4,1) onTime {"ts":2}', 'null [-2,3) onTime {"ts":1}', 'null [0,5) onTime {"ts":1}'],
  },
  {
    name: 'one watermark advance fires several windows: by end, then key in first-seen order, then start',
    step: { window: { type: 'sliding', size: 20, slide: 10, offset: 0 }, ...byUser },
    rows: [[e('z', 1), 5], [e('a', 1), 6], [e('z', 1), 15], [e('a', 1), 40]],
    timeline: [
      'z [-10,10) onTime {"n":1,"total":1}',
      'a [-10,10) onTime {"n":1,"total":1}',
      'z [0,20) onTime {"n":2,"total":2}',
      'a [0,20) onTime {"n":1,"total":1}',
      'z [10,30) onTime {"n":1,"total":1}',
      '@end',
      'a [30,50) onTime {"n":1,"total":1}',
      'a [40,60) onTime {"n":1,"total":1}',
    ],
  },
  {
    name: 'out-of-order records within the bound are not late',
    step: { window: tumbling10, ...byUser },
    outOfOrderness: 5,
    rows: [[e('a', 1), 12], [e('a', 2), 8], [e('a', 3), 16], [e('a', 4), 9]],
    timeline: ['a [0,10) onTime {"n":1,"total":2}', 'late a {"user":"a","amount":4}', '@end', 'a [10,20) onTime {"n":2,"total":4}'],
    counters: { late: 1, results: 2 },
  },
  {
    name: 'late records are counted but not emitted without lateOutput',
    step: { window: tumbling10, ...byUser, lateOutput: false },
    rows: [[e('a', 1), 15], [e('a', 2), 3]],
    timeline: ['@end', 'a [10,20) onTime {"n":1,"total":1}'],
    counters: { late: 1, results: 1 },
  },
  {
    name: 'allowed lateness: each record into a fired window re-fires it at once, "late", in full',
    step: { window: tumbling10, ...byUser, allowedLateness: 10 },
    rows: [[e('a', 1), 5], [e('a', 2), 12], [e('a', 4), 7], [e('a', 8), 9], [e('a', 16), 21], [e('a', 32), 1]],
    timeline: [
      'a [0,10) onTime {"n":1,"total":1}',
      'a [0,10) late {"n":2,"total":5}',
      'a [0,10) late {"n":3,"total":13}',
      // 21 moves the watermark to 20: [10,20) fires, and [0,10) is purged (20 ≥ 9 + 10), so 1 is late
      'a [10,20) onTime {"n":1,"total":2}',
      'late a {"user":"a","amount":32}',
      '@end',
      'a [20,30) onTime {"n":1,"total":16}',
    ],
    counters: { late: 1, results: 5 },
  },
  {
    name: 'allowed lateness on sliding windows: one late record re-fires every fired window holding it, by end',
    // At 30 (watermark 29) [-5,5) is purged (4 + 25 ≤ 29) but [0,10) is kept (9 + 25 > 29).
    step: { window: { type: 'sliding', size: 10, slide: 5, offset: 0 }, ...byUser, allowedLateness: 25 },
    rows: [[e('a', 1), 3], [e('a', 1), 30], [e('a', 100), 7]],
    timeline: [
      'a [-5,5) onTime {"n":1,"total":1}',
      'a [0,10) onTime {"n":1,"total":1}',
      'a [0,10) late {"n":2,"total":101}',
      'a [5,15) late {"n":1,"total":100}',
      '@end',
      'a [25,35) onTime {"n":1,"total":1}',
      'a [30,40) onTime {"n":1,"total":1}',
    ],
  },
  {
    name: 'a window first opened by an allowed-late record fires at once and then only late',
    step: { window: tumbling10, ...byUser, allowedLateness: 30 },
    rows: [[e('a', 1), 40], [e('a', 2), 15], [e('a', 4), 16]],
    timeline: ['a [10,20) late {"n":1,"total":2}', 'a [10,20) late {"n":2,"total":6}', '@end', 'a [40,50) onTime {"n":1,"total":1}'],
  },
  {
    name: 'sessions merge, and a late-but-allowed record bridges two fired sessions',
    step: { window: { type: 'session', gap: 10 }, ...byUser, allowedLateness: 100 },
    rows: [[e('a', 1), 0], [e('a', 2), 5], [e('a', 4), 30], [e('a', 8), 60], [e('a', 16), 20]],
    timeline: [
      'a [0,15) onTime {"n":2,"total":3}',
      'a [30,40) onTime {"n":1,"total":4}',
      // [20, 30) touches [0, 15)? no (15 < 20); it touches [30, 40): merged [20, 40) re-fires late
      'a [20,40) late {"n":2,"total":20}',
      '@end',
      'a [60,70) onTime {"n":1,"total":8}',
    ],
  },
  {
    name: 'a late record touching two sessions merges all three accumulators',
    step: { window: { type: 'session', gap: 10 }, ...byUser, allowedLateness: 100 },
    rows: [[e('a', 1), 0], [e('a', 2), 20], [e('a', 4), 60], [e('a', 8), 10]],
    timeline: ['a [0,10) onTime {"n":1,"total":1}', 'a [20,30) onTime {"n":1,"total":2}', 'a [0,30) late {"n":3,"total":11}', '@end', 'a [60,70) onTime {"n":1,"total":4}'],
  },
  {
    name: 'filter: records that do not pass are seen but not accepted',
    step: { window: tumbling10, ...byUser, filter: (f) => (f['amount'] as number) > 1 },
    rows: [[e('a', 1), 1], [e('a', 2), 2], [e('a', 3), 3]],
    timeline: ['@end', 'a [0,10) onTime {"n":2,"total":5}'],
    counters: { seen: 3, accepted: 2, results: 1 },
  },
  {
    name: 'select sees aggregates, earlier select fields, key and window; having filters results',
    step: {
      window: tumbling10,
      ...byUser,
      select: {
        mean: (s) => (s('total') as number) / (s('n') as number),
        label: (s) => `${s('key')}@${(s('window') as { start: number }).start}:${s('mean')}`,
        later: (s) => s('after') ?? 'unseen',
        after: () => 1,
      },
      having: (s) => (s('n') as number) > 1,
    },
    rows: [[e('a', 2), 1], [e('a', 4), 2], [e('b', 1), 3]],
    timeline: ['@end', 'a [0,10) onTime {"n":2,"total":6,"mean":3,"label":"a@0:3","later":"unseen","after":1}'],
    counters: { results: 1 },
  },
  {
    name: 'expression errors: filter, key and argument throws and wrong types are counted; select throws give null',
    step: {
      window: { type: 'sliding', size: 20, slide: 10, offset: 0 },
      key: 'user',
      filter: (f) => {
        if (f['amount'] === -1) throw new Error('no such key: oops');
        return true;
      },
      aggregates: { total: ['sum', 'amount'], n: ['count', field('amount')] },
      select: { broken: () => { throw new Error('no such key: nothing'); } },
      having: (s) => (s('total') as number) > 100,
    },
    rows: [
      [e('a', -1), 1], // filter throws: 1 error
      [{ amount: 5 }, 2], // key throws: 1 error
      [e('a', 'x' as unknown as number), 3], // sum rejects a string, once although it reaches 2 windows
      [{ user: 'a' }, 4], // both arguments throw: 2 errors
      [e('a', 7), 5],
    ],
    // [-10,10) and [0,20) each have total 7: select throws twice, having is false for both.
    timeline: ['@end'],
    counters: { seen: 5, accepted: 4, results: 0, exprErrors: 1 + 1 + 1 + 2 + 2 },
  },
  {
    name: 'having that throws suppresses the result and counts an error',
    step: { window: tumbling10, ...byUser, having: (s) => (s('missing') as { x: boolean }).x },
    rows: [[e('a', 1), 1]],
    timeline: ['@end'],
    counters: { results: 0, exprErrors: 1 },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const { timeline, operator } = replay(windowStep(c.step), c.rows, { outOfOrderness: c.outOfOrderness ?? 0 });
    assert.deepEqual(timeline, c.timeline);
    for (const [name, value] of Object.entries(c.counters ?? {})) {
      assert.equal(operator.counters[name as keyof StepCounters], value, `counter ${name}`);
    }
    assert.equal(operator.openState, 0, 'the final watermark purges every window');
  });
}

test('every aggregate through one session merge', () => {
  const step = windowStep({
    window: { type: 'session', gap: 10 },
    key: null,
    aggregates: {
      rows: ['count'],
      amounts: ['count', 'amount'],
      total: ['sum', 'amount'],
      mean: ['avg', 'amount'],
      least: ['min', 'amount'],
      most: ['max', 'user'],
      users: ['count_distinct', 'user'],
      opener: ['first', 'user'],
      closer: ['last', 'user'],
      spread: ['stddev', 'amount'],
      p50: ['percentile', 'amount', 0.5],
    },
  });
  // Two sessions [0,10) and [18,29), bridged by the record at 9 → [0,29).
  const rows: Row[] = [[e('b', 4), 0], [e('a', 8), 18], [{ user: 'c', amount: null }, 19], [e('d', 6), 9]];
  const { records } = replay(step, rows, { outOfOrderness: 100 });
  assert.equal(records.length, 1);
  const r = records[0]!;
  assert.equal(r.kind, 'window');
  if (r.kind !== 'window') return;
  assert.deepEqual([r.start, r.end], [0, 29]);
  const { spread, ...rest } = r.fields;
  assert.deepEqual(rest, { rows: 4, amounts: 3, total: 18, mean: 6, least: 4, most: 'd', users: 4, opener: 'b', closer: 'c', p50: 6 });
  assert.ok(Math.abs((spread as number) - 2) < 1e-12);
});

test('state is only kept for open windows: keys are forgotten once their windows are purged', () => {
  const step = windowStep({ window: tumbling10, ...byUser });
  const rows: Row[] = [];
  for (let i = 0; i < 1000; i++) rows.push([e(`u${i}`, 1), i]);
  rows.push({ open: true });
  const { timeline, operator } = replay(step, rows, { outOfOrderness: 0 });
  // At the last record (ts 999, watermark 998) only the windows [990, 1000) of 10 users are open.
  assert.ok(timeline.includes('open 10'));
  assert.equal(operator.openState, 0);
});

test('budget: a sliding step holds one pane per slide per key, not one accumulator set per window', () => {
  // 15 min / 1 min over 3 keys for 10 hours of in-order records: 15 live windows per key share
  // 15 panes (+1 while the next one opens), whatever the number of records.
  const minute = 60_000;
  const step = windowStep({ window: { type: 'sliding', size: 15 * minute, slide: minute, offset: 0 }, ...byUser });
  const rows: Row[] = [];
  for (let i = 0; i < 6000; i++) {
    rows.push([e(`u${i % 3}`, 1), i * 6000]);
    if (i % 100 === 0) rows.push({ open: true });
  }
  const { timeline, records } = replay(step, rows, { outOfOrderness: 0 });
  const peak = Math.max(...timeline.filter((l) => l.startsWith('open ')).map((l) => Number(l.slice(5))));
  assert.ok(peak <= 3 * 16, `peak ${peak} panes`);
  assert.equal(records.length, 3 * (600 + 14), 'every key fires every window holding its records');
});

test('a record without a usable event time is counted as an error and changes nothing', () => {
  const { timeline, operator } = replay(windowStep({ window: tumbling10, ...byUser }), [[e('a', 1), NaN], [e('a', 2), 3]], { outOfOrderness: 0 });
  assert.deepEqual(timeline, ['@end', 'a [0,10) onTime {"n":1,"total":2}']);
  assert.equal(operator.counters.exprErrors, 1);
});

test('a watermark that does not advance fires nothing', () => {
  const { timeline } = replay(windowStep({ window: tumbling10, ...byUser }), [[e('a', 1), 1], { watermark: 20 }, [e('a', 1), 25], { watermark: 10 }, { watermark: 29 }]);
  assert.deepEqual(timeline, ['@20', 'a [0,10) onTime {"n":1,"total":1}', '@10', '@29', 'a [20,30) onTime {"n":1,"total":1}']);
});

const invalidSteps: Array<{ name: string; step: StepOptions; message: RegExp }> = [
  { name: 'a tumbling offset as large as the size', step: { window: { type: 'tumbling', size: 10, offset: 10 } }, message: /step w: tumbling windows must satisfy abs\(offset\) < size/ },
  { name: 'a zero slide', step: { window: { type: 'sliding', size: 10, slide: 0, offset: 0 } }, message: /abs\(offset\) < slide and size > 0/ },
  { name: 'a negative gap', step: { window: { type: 'session', gap: -5 } }, message: /0 < size/ },
  { name: 'negative allowed lateness', step: { window: tumbling10, allowedLateness: -1 }, message: /allowedLateness cannot be negative/ },
  { name: 'sum without an argument', step: { window: tumbling10, aggregates: { s: ['sum'] } }, message: /aggregate s: sum\(\) needs an argument/ },
  { name: 'a percentile above 1', step: { window: tumbling10, aggregates: { p: ['percentile', 'amount', 95] } }, message: /aggregate p: percentile must be between 0.0 and 1.0/ },
];

for (const c of invalidSteps) {
  test(`an invalid step is refused with a SpecError: ${c.name}`, () => {
    assert.throws(() => new WindowOperator(windowStep(c.step)), (error: unknown) => error instanceof SpecError && c.message.test(error.message));
  });
}
