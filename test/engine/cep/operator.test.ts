/**
 * The keyed pattern operator (Flink's CepOperator semantics): buffering until the watermark,
 * event-time order per key, late records, `within` timeouts, notFollowedBy at the end (FLINK-26941),
 * output records exactly as pipeline-spec.md fixes them, counters. Time is virtual: each case is a
 * table of (record, timestamp) rows; the driver moves the watermark as the pipeline does
 * (max event time − outOfOrderness − 1 after each record, +∞ at the end).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutputRecord } from '../../../src/engine/operator.js';
import { PatternOperator } from '../../../src/engine/cep/pattern-operator.js';
import type { PatternStep } from '../../../src/engine/cep/pattern-step.js';
import type { PatternSpec, StageSpec } from '../../../src/engine/spec.js';

type Rec = Record<string, unknown>;
type Where = (event: Rec, stages: (stage: string) => readonly Rec[]) => boolean;

function stage(name: string, extra: Partial<StageSpec> = {}): StageSpec {
  return { name, quantifier: { kind: 'single' }, optional: false, greedy: false, consecutive: false, allowCombinations: false, ...extra };
}

function step(
  pattern: PatternSpec,
  where: Record<string, Where>,
  options: Partial<Pick<PatternStep, 'emitTimeouts' | 'lateOutput' | 'filter' | 'select'>> & { until?: Record<string, Where> } = {},
): PatternStep {
  return {
    name: 'p',
    pattern,
    emitTimeouts: options.emitTimeouts ?? false,
    lateOutput: options.lateOutput ?? false,
    filter: options.filter ?? null,
    key: (fields) => fields.user ?? null,
    conditions: new Map(pattern.stages.map((s) => [s.name, { where: where[s.name] ?? null, until: options.until?.[s.name] ?? null }])),
    select: options.select ?? [],
  };
}

/** Feeds rows through the operator as the pipeline driver does; returns the output records. */
function run(op: PatternOperator, rows: readonly (readonly [Rec, number])[], outOfOrderness = 0): OutputRecord[] {
  const out: OutputRecord[] = [];
  const sink = { emit: (r: OutputRecord) => out.push(r) };
  let max = -Infinity;
  rows.forEach(([record, ts], i) => {
    op.process(record, ts, { line: i + 1, original: () => record }, sink);
    max = Math.max(max, ts);
    op.advanceWatermark(max - outOfOrderness - 1, sink);
  });
  op.advanceWatermark(Infinity, sink);
  return out;
}

const watched: Where = (e) => e.eventType === 'content.watched';
const w = (user: string, id: number): Rec => ({ user, eventType: 'content.watched', id });
const other = (user: string, id: number): Rec => ({ user, eventType: 'search', id });

const binge: PatternSpec = {
  within: 7_200_000,
  skip: { kind: 'skipPastLastEvent' },
  stages: [stage('start'), stage('more', { contiguity: 'next', quantifier: { kind: 'times', from: 3, to: 3 } })],
};

interface Case {
  readonly name: string;
  readonly run: () => void;
}

const cases: Case[] = [
  {
    name: 'keys: a string key starting with NUL and the list key whose JSON text follows that NUL are two keys, not one',
    run() {
      // A list key is held by its JSON text after a NUL; a string key "\u0000[1]" had that same identity.
      const pair: PatternSpec = { skip: { kind: 'noSkip' }, stages: [stage('a'), stage('b', { contiguity: 'next' })] };
      const rows: [Rec, number][] = [
        [{ user: [1], eventType: 'content.watched', id: 1 }, 1000],
        [{ user: '\u0000[1]', eventType: 'content.watched', id: 2 }, 2000],
        [{ user: '\u0000\u0000[1]', eventType: 'content.watched', id: 3 }, 3000],
        [{ user: [1], eventType: 'content.watched', id: 4 }, 4000],
      ];
      const out = run(new PatternOperator(step(pair, { a: watched, b: watched })), rows);
      // Only the list key's two records match each other (one key of the three would pair 1-2, 2-3 and 3-4).
      assert.deepEqual(out, [{ step: 'p', kind: 'match', key: [1], start: 1000, end: 4000, events: { a: [rows[0]![0]], b: [rows[3]![0]] }, fields: {} }]);
    },
  },
  {
    name: 'binge: watched, next watched times(3), within 2h, keyed by user — one match per user, output record as pipeline-spec.md',
    run() {
      const op = new PatternOperator(step(binge, { start: watched, more: watched }, {
        select: [{ name: 'userId', evaluate: (scope) => ((scope('start') as Rec[])[0]!).user }, { name: 'watched', evaluate: (scope) => (scope('more') as Rec[]).length + 1 }],
      }));
      const rows: [Rec, number][] = [
        [w('u1', 1), 1000], [w('u2', 1), 1500], [w('u1', 2), 2000], [w('u1', 3), 3000], [other('u2', 2), 3500], [w('u1', 4), 4000], [w('u1', 5), 5000],
        [w('u2', 3), 6000], [w('u2', 4), 7000],
      ];
      const out = run(op, rows);
      assert.deepEqual(out, [
        { step: 'p', kind: 'match', key: 'u1', start: 1000, end: 4000, events: { start: [w('u1', 1)], more: [w('u1', 2), w('u1', 3), w('u1', 4)] }, fields: { userId: 'u1', watched: 4 } },
      ]);
      assert.deepEqual(op.counters, { seen: 9, accepted: 9, results: 1, late: 0, exprErrors: 0 });
    },
  },
  {
    name: 'out-of-order records within the bound are matched in event-time order; equal timestamps keep arrival order',
    run() {
      const pattern: PatternSpec = { skip: { kind: 'noSkip' }, stages: [stage('a'), stage('b', { contiguity: 'next' })] };
      const op = new PatternOperator(step(pattern, { a: (e) => e.kind === 'a', b: (e) => e.kind === 'b' }));
      const a = { user: 'u', kind: 'a' };
      const b1 = { user: 'u', kind: 'b', n: 1 };
      const b2 = { user: 'u', kind: 'b', n: 2 };
      // Arrival: b1@20, a@10, b2@20 — event time: a@10, b1@20, b2@20.
      const out = run(op, [[b1, 20], [a, 10], [b2, 20]], 50);
      assert.deepEqual(out.map((r) => r.kind === 'match' && r.events), [{ a: [a], b: [b1] }]);
    },
  },
  {
    name: 'a record at or before the watermark is late: counted, emitted as kind "late" with lateOutput, never matched',
    run() {
      const pattern: PatternSpec = { skip: { kind: 'noSkip' }, stages: [stage('a')] };
      const op = new PatternOperator(step(pattern, { a: () => true }, { lateOutput: true }));
      // After n1@100 the watermark is 99: n2@99 is late, n3@100 is not (and waits in the buffer with n1).
      const out = run(op, [[{ user: 'u', n: 1 }, 100], [{ user: 'u', n: 2 }, 99], [{ user: 'u', n: 3 }, 100]]);
      assert.deepEqual(out, [
        { step: 'p', kind: 'late', key: 'u', event: { user: 'u', n: 2 } },
        { step: 'p', kind: 'match', key: 'u', start: 100, end: 100, events: { a: [{ user: 'u', n: 1 }] }, fields: {} },
        { step: 'p', kind: 'match', key: 'u', start: 100, end: 100, events: { a: [{ user: 'u', n: 3 }] }, fields: {} },
      ]);
      assert.equal(op.counters.late, 1);
      assert.equal(op.counters.results, 2);
    },
  },
  {
    name: 'within: partial matches time out when the watermark passes start + within; emitTimeouts gives kind "timeout" with end = start + within',
    run() {
      const pattern: PatternSpec = { within: 10, skip: { kind: 'noSkip' }, stages: [stage('a'), stage('b', { contiguity: 'followedBy' })] };
      const op = new PatternOperator(step(pattern, { a: (e) => e.kind === 'a', b: (e) => e.kind === 'b' }, { emitTimeouts: true }));
      const a = { user: 'u', kind: 'a' };
      const b = { user: 'u', kind: 'b' };
      const out = run(op, [[a, 1], [{ user: 'u', kind: 'x' }, 5], [b, 11], [a, 20], [b, 25]]);
      assert.deepEqual(out, [
        { step: 'p', kind: 'timeout', key: 'u', start: 1, end: 11, events: { a: [a] }, fields: {} },
        { step: 'p', kind: 'match', key: 'u', start: 20, end: 25, events: { a: [a], b: [b] }, fields: {} },
      ]);
    },
  },
  {
    name: 'FLINK-26941: notFollowedBy as the last stage with within completes when within expires without the negated event',
    run() {
      const pattern: PatternSpec = { within: 30, skip: { kind: 'noSkip' }, stages: [stage('order'), stage('noPayment', { contiguity: 'notFollowedBy' })] };
      const op = new PatternOperator(step(pattern, { order: (e) => e.kind === 'order', noPayment: (e) => e.kind === 'payment' }));
      const o1 = { user: 'u1', kind: 'order' };
      const o2 = { user: 'u2', kind: 'order' };
      const out = run(op, [[o1, 0], [o2, 5], [{ user: 'u2', kind: 'payment' }, 20], [{ user: 'u3', kind: 'tick' }, 100]]);
      assert.deepEqual(out, [{ step: 'p', kind: 'match', key: 'u1', start: 0, end: 0, events: { order: [o1] }, fields: {} }]);
    },
  },
  {
    name: 'the step filter and failing conditions: filtered records are not accepted; a throwing condition counts an expression error and is false',
    run() {
      const pattern: PatternSpec = { skip: { kind: 'noSkip' }, stages: [stage('a')] };
      const op = new PatternOperator(step(pattern, { a: (e) => (e.price as { value: number }).value > 1 }, { filter: (f) => f.keep === true }));
      const out = run(op, [[{ user: 'u', keep: true, price: { value: 5 } }, 1], [{ user: 'u', keep: false }, 2], [{ user: 'u', keep: true }, 3]]);
      assert.equal(out.length, 1);
      assert.deepEqual(op.counters, { seen: 3, accepted: 2, results: 1, late: 0, exprErrors: 1 });
    },
  },
  {
    name: 'iterative conditions see the partial match: price above the average of the stage so far',
    run() {
      const pattern: PatternSpec = {
        skip: { kind: 'skipPastLastEvent' },
        stages: [stage('rising', { quantifier: { kind: 'looping', atLeast: 1 }, consecutive: true }), stage('peak', { contiguity: 'next' })],
      };
      const avgAbove: Where = (e, stages) => {
        const so = stages('rising');
        return so.length === 0 || (e.price as number) > so.reduce((s, x) => s + (x.price as number), 0) / so.length;
      };
      const op = new PatternOperator(step(pattern, { rising: avgAbove, peak: (e, stages) => (e.price as number) > 3 * (stages('rising')[0]!.price as number) }));
      const p = (price: number): Rec => ({ user: 'u', price });
      const out = run(op, [[p(1), 1], [p(2), 2], [p(4), 3]]);
      assert.deepEqual(out.map((r) => r.kind === 'match' && r.events), [{ rising: [p(1), p(2)], peak: [p(4)] }]);
    },
  },
  {
    name: 'composite keys are arrays; keys are independent and forgotten when idle',
    run() {
      const pattern: PatternSpec = { skip: { kind: 'noSkip' }, stages: [stage('a'), stage('b', { contiguity: 'next' })] };
      const def = { ...step(pattern, { a: (e) => e.kind === 'a', b: (e) => e.kind === 'b' }), key: (f: Rec) => [f.user, f.device] };
      const op = new PatternOperator(def);
      const out = run(op, [[{ user: 'u', device: 1, kind: 'a' }, 1], [{ user: 'u', device: 2, kind: 'a' }, 2], [{ user: 'u', device: 1, kind: 'b' }, 3]]);
      assert.deepEqual(out.map((r) => r.key), [['u', 1]]);
      assert.equal(op.liveKeys, 1); // u/2 still holds its partial match (no within)
    },
  },
  {
    name: 'a malformed pattern is a SpecError naming the step and the fix',
    run() {
      const pattern: PatternSpec = { skip: { kind: 'noSkip' }, stages: [stage('a'), stage('b', { contiguity: 'notFollowedBy' })] };
      assert.throws(() => new PatternOperator(step(pattern, {})), { name: 'SpecError', message: /steps\.p\.pattern\.stages\[1\] \(b\): notFollowedBy as the last stage needs pattern\.within/ });
    },
  },
];

for (const c of cases) test(c.name, c.run);

test('a match of records the operator holds whole outputs them without reading them again (nothing was retained)', async () => {
  const { RAW_TEXT } = await import('../../../src/engine/retained-record.js');
  // Records that count reads of the retained-record mark: the output of an operator that never
  // retained a record (RecordContext.retain) must not look for it, on the linear matcher and on the NFA.
  for (const matcher of ['auto', 'nfa'] as const) {
    let marks = 0;
    const counted = (record: Rec): Rec =>
      new Proxy(record, {
        get: (target, property) => {
          if (property === RAW_TEXT) marks++;
          return target[property as string];
        },
      });
    const rows = [1, 2, 3, 4].map((id) => [counted(w('u1', id)), id * 1000] as const);
    const out = run(new PatternOperator(step(binge, { start: watched, more: watched }), { matcher }), rows);
    assert.equal(out.length, 1, matcher);
    const events = (out[0] as { events: Record<string, Rec[]> }).events;
    // The output's events are the records given (the proxies), in order.
    assert.deepEqual([...events.start!, ...events.more!], rows.map(([record]) => record), matcher);
    assert.equal(marks, 0, `${matcher}: the output read ${marks} held records for the retained mark`);
  }
});
