/**
 * The keyed process operator. Cases named KeyedProcessOperatorTest.* are ported from Flink's
 * flink-streaming-java KeyedProcessOperatorTest (event-time halves), keeping inputs and outputs:
 * Flink's harness emits `StreamRecord(value, timestamp)`; ours `{key, time, fields.out}`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fields, OutputRecord, ProcessResult, RecordContext } from '../../../src/engine/operator.js';
import type { ElementContext, ProcessContext, ProcessFunction } from '../../../src/engine/process.js';
import { ProcessOperator } from '../../../src/engine/process/process-operator.js';
import type { ProcessStep } from '../../../src/engine/process/process-step.js';

type Input = ['wm', number] | ['rec', Fields, number];

function record(line: number, fields: Fields): RecordContext {
  return { line, original: () => ({ ...fields }) };
}

function stepOf(create: () => ProcessFunction, over: Partial<ProcessStep> = {}): ProcessStep {
  return { name: 'p', filter: null, key: (f) => f.value, create, ...over };
}

/** Drives an operator; returns its results as [key, time, fields.out]. */
function drive(operator: ProcessOperator, inputs: readonly Input[]): [unknown, number, unknown][] {
  const emitted: OutputRecord[] = [];
  const out = { emit: (r: OutputRecord) => emitted.push(r) };
  inputs.forEach((input, i) => {
    if (input[0] === 'wm') operator.advanceWatermark(input[1], out);
    else operator.process(input[1], input[2], record(i + 1, input[1]), out);
  });
  return emitted.map((r) => {
    const p = r as ProcessResult;
    assert.equal(p.kind, 'result');
    assert.equal(p.step, operator.step);
    return [p.key, p.time, p.fields.out];
  });
}

/** KeyedProcessOperatorTest.QueryingFlatMapFunction */
const querying = (): ProcessFunction => ({
  processElement(fields, ctx) {
    ctx.emit({ out: `${String(fields.value)}TIME:${ctx.timers.currentWatermark()} TS:${ctx.timestamp}` });
  },
});

/** KeyedProcessOperatorTest.TriggeringFlatMapFunction */
const triggering = (): ProcessFunction => ({
  processElement(fields, ctx) {
    ctx.emit({ out: fields.value });
    ctx.timers.registerEventTimeTimer(ctx.timers.currentWatermark() + 5);
  },
  onTimer(_time, ctx) {
    ctx.emit({ out: 1777 });
  },
});

/** KeyedProcessOperatorTest.TriggeringStatefulFlatMapFunction */
const triggeringStateful = (): ProcessFunction => ({
  processElement(fields, ctx) {
    ctx.emit({ out: `INPUT:${String(fields.value)}` });
    ctx.state.value<unknown>('seen-element').update(fields.value);
    ctx.timers.registerEventTimeTimer(ctx.timers.currentWatermark() + 5);
  },
  onTimer(_time, ctx) {
    ctx.emit({ out: `STATE:${String(ctx.state.value<unknown>('seen-element').value())}` });
  },
});

/** Registers timers at the times a record lists; the first firing of a time registers its follow-ups. */
const scripted = (script: Record<number, number[]> = {}, deletes: Record<number, number[]> = {}): ProcessFunction => {
  const followUps = new Map(Object.entries(script).map(([t, next]) => [Number(t), next]));
  return {
  processElement(fields, ctx) {
    for (const t of fields.timers as number[]) ctx.timers.registerEventTimeTimer(t);
    for (const t of (fields.deletes as number[] | undefined) ?? []) ctx.timers.deleteEventTimeTimer(t);
  },
  onTimer(time, ctx: ProcessContext) {
    ctx.emit({ out: `${String(ctx.key)}@${time} wm=${ctx.timers.currentWatermark()}` });
    for (const t of followUps.get(time) ?? []) ctx.timers.registerEventTimeTimer(t);
    followUps.delete(time);
    for (const t of deletes[time] ?? []) ctx.timers.deleteEventTimeTimer(t);
  },
  };
};

const rec = (value: unknown, ts: number, extra: Fields = {}): Input => ['rec', { value, ...extra }, ts];

const cases: { name: string; fn: () => ProcessFunction; inputs: Input[]; expected: [unknown, number, unknown][] }[] = [
  {
    name: 'KeyedProcessOperatorTest.testTimestampAndWatermarkQuerying',
    fn: querying,
    inputs: [['wm', 17], rec(5, 12), ['wm', 42], rec(6, 13)],
    expected: [
      [5, 12, '5TIME:17 TS:12'],
      [6, 13, '6TIME:42 TS:13'],
    ],
  },
  {
    name: 'KeyedProcessOperatorTest.testEventTimeTimers',
    fn: triggering,
    inputs: [['wm', 0], rec(17, 42), ['wm', 5]],
    expected: [
      [17, 42, 17],
      [17, 5, 1777],
    ],
  },
  {
    name: 'KeyedProcessOperatorTest.testEventTimeTimerWithState (no leakage between keys)',
    fn: triggeringStateful,
    inputs: [['wm', 1], rec(17, 0), ['wm', 2], rec(42, 1), ['wm', 6], ['wm', 7]],
    expected: [
      [17, 0, 'INPUT:17'],
      [42, 1, 'INPUT:42'],
      [17, 6, 'STATE:17'],
      [42, 7, 'STATE:42'],
    ],
  },
  {
    name: 'timers of equal time fire in registration order across keys',
    fn: () => scripted(),
    inputs: [rec('b', 1, { timers: [10] }), rec('a', 2, { timers: [10, 5] }), rec('c', 3, { timers: [10] }), ['wm', 10]],
    expected: [
      ['a', 5, 'a@5 wm=10'],
      ['b', 10, 'b@10 wm=10'],
      ['a', 10, 'a@10 wm=10'],
      ['c', 10, 'c@10 wm=10'],
    ],
  },
  {
    name: 'a timer registered twice fires once; a deleted one never',
    fn: () => scripted(),
    inputs: [rec('a', 1, { timers: [10, 10, 12] }), rec('a', 2, { timers: [10], deletes: [12] }), ['wm', 20]],
    expected: [['a', 10, 'a@10 wm=20']],
  },
  {
    name: 'a timer registered inside onTimer at or below the watermark fires in the same advance',
    fn: () => scripted({ 5: [7, 30], 7: [7] }),
    inputs: [rec('a', 1, { timers: [5] }), ['wm', 10], ['wm', 40]],
    expected: [
      ['a', 5, 'a@5 wm=10'],
      ['a', 7, 'a@7 wm=10'],
      // 7 registered again while 7 fires: a new timer at a time ≤ the watermark, so it fires too.
      ['a', 7, 'a@7 wm=10'],
      ['a', 30, 'a@30 wm=40'],
    ],
  },
  {
    name: 'onTimer may delete a timer of the same advance before it fires',
    fn: () => scripted({}, { 5: [6] }),
    inputs: [rec('a', 1, { timers: [5, 6, 8] }), ['wm', 10]],
    expected: [
      ['a', 5, 'a@5 wm=10'],
      ['a', 8, 'a@8 wm=10'],
    ],
  },
  {
    name: 'a timer already behind the watermark fires at the next advance, not before',
    fn: () => scripted(),
    inputs: [['wm', 100], rec('a', 50, { timers: [60] }), ['wm', 100], ['wm', 101]],
    expected: [['a', 60, 'a@60 wm=101']],
  },
  {
    name: 'the final watermark (+∞) fires everything left',
    fn: () => scripted(),
    inputs: [rec('a', 1, { timers: [1e15] }), rec('b', 1, { timers: [3] }), ['wm', Infinity]],
    expected: [
      ['b', 3, 'b@3 wm=Infinity'],
      ['a', 1e15, 'a@1000000000000000 wm=Infinity'],
    ],
  },
];

for (const tc of cases) {
  test(`process operator: ${tc.name}`, () => {
    assert.deepEqual(drive(new ProcessOperator(stepOf(tc.fn)), tc.inputs), tc.expected);
  });
}

test('process operator: late records are processed (no lateness in a KeyedProcessFunction)', () => {
  const operator = new ProcessOperator(stepOf(querying));
  assert.deepEqual(drive(operator, [['wm', 100], rec(1, 5)]), [[1, 5, '1TIME:100 TS:5']]);
  assert.equal(operator.counters.late, 0);
});

test('process operator: counters and expression errors of filter, key and function', () => {
  const fn = (): ProcessFunction => ({
    processElement(fields, ctx) {
      if (fields.value === 'boom') throw new Error('bad amount');
      ctx.emit({ out: fields.value });
    },
  });
  const operator = new ProcessOperator(
    stepOf(fn, {
      filter: (f) => {
        if (f.value === 'filter-throws') throw new Error('no such field');
        return f.value !== 'filtered';
      },
      key: (f) => {
        if (f.value === 'key-throws') throw new Error('no key');
        return f.value === 'no-key' ? undefined : f.value;
      },
    }),
  );
  const results = drive(operator, [rec('ok', 1), rec('filtered', 2), rec('filter-throws', 3), rec('key-throws', 4), rec('no-key', 5), rec('boom', 6)]);
  assert.deepEqual(results, [['ok', 1, 'ok']]);
  assert.deepEqual(operator.counters, { seen: 6, accepted: 4, results: 1, late: 0, exprErrors: 4 });
  assert.equal(operator.firstError, 'step p, line 3: no such field');
});

test('process operator: original() gives the whole record during processElement', () => {
  const seen: unknown[] = [];
  const fn = (): ProcessFunction => ({
    processElement(_fields, ctx: ElementContext) {
      seen.push(ctx.original());
    },
  });
  drive(new ProcessOperator(stepOf(fn)), [rec('a', 1, { extra: true })]);
  assert.deepEqual(seen, [{ value: 'a', extra: true }]);
});

test('process operator: one function instance per operator', () => {
  let created = 0;
  const operator = new ProcessOperator(stepOf(() => (created++, querying())));
  drive(operator, [rec(1, 1), rec(2, 2)]);
  assert.equal(created, 1);
});

/** A counter per key that emits its count when a 10 ms timer after the key's first record fires. */
const countingWithTimer = (): ProcessFunction => ({
  processElement(_fields, ctx) {
    const count = ctx.state.value<number>('count', { ttl: 1000 });
    const n = (count.value() ?? 0) + 1;
    count.update(n);
    if (n === 1) ctx.timers.registerEventTimeTimer(ctx.timestamp + 10);
  },
  onTimer(time, ctx) {
    ctx.emit({ out: ctx.state.value<number>('count', { ttl: 1000 }).value() }, time);
    ctx.state.value<number>('count', { ttl: 1000 }).clear();
  },
});

test('process operator: snapshot and restore mid-stream equals an uninterrupted run (KeyedProcessOperatorTest.testSnapshotAndRestore)', () => {
  const inputs: Input[] = [rec('a', 1), rec('b', 2), rec('a', 3), ['wm', 5], rec('b', 8), rec('a', 12), ['wm', 12], rec('c', 13), ['wm', Infinity]];
  const whole = drive(new ProcessOperator(stepOf(countingWithTimer)), inputs);
  for (let cut = 0; cut <= inputs.length; cut++) {
    const first = new ProcessOperator(stepOf(countingWithTimer));
    const before = drive(first, inputs.slice(0, cut));
    const second = new ProcessOperator(stepOf(countingWithTimer));
    second.restore(JSON.parse(JSON.stringify(first.snapshot())));
    const after = drive(second, inputs.slice(cut));
    assert.deepEqual([...before, ...after], whole, `cut after ${cut} inputs`);
    assert.equal(second.counters.seen, inputs.filter((i) => i[0] === 'rec').length, `counters carried over a cut after ${cut}`);
  }
  // a's timer (11) fires at watermark 12, after a's third record (12) was counted.
  assert.deepEqual(whole, [
    ['a', 11, 3],
    ['b', 12, 2],
    ['c', 23, 1],
  ]);
});

test('process operator: state written with a TTL is gone once the event-time clock passes it', () => {
  const fn = (): ProcessFunction => ({
    processElement(_fields, ctx) {
      const last = ctx.state.value<number>('last', { ttl: 100 });
      ctx.emit({ out: last.value() ?? null });
      last.update(ctx.timestamp);
    },
  });
  // Expired when stamp + ttl <= clock, as Flink: written at 99, gone at 199, visible at 198.
  const results = drive(new ProcessOperator(stepOf(fn)), [rec('a', 0), rec('a', 99), rec('a', 198), rec('a', 298), rec('b', 500), rec('a', 501)]);
  assert.deepEqual(results, [
    ['a', 0, null],
    ['a', 99, 0],
    ['a', 198, 99],
    ['a', 298, null],
    ['b', 500, null],
    ['a', 501, null],
  ]);
});
