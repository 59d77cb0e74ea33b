/**
 * The linear matcher (linear-matcher.ts) against the general NFA: the pattern operator run both ways
 * over generated linear patterns (chains of 1-4 stages, next / followedBy, times(1..3) with
 * consecutive or relaxed inner contiguity, conditions over event kinds, one of which throws, within
 * or not, every skip strategy, emitTimeouts on and off) and generated keyed streams (ties, records
 * out of order within the bound, late records, watermark steps), comparing every output record in
 * order and the counters. Also which specs take which path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { OutputRecord } from '../../../src/engine/operator.js';
import { PatternOperator, type PatternKeySnapshot } from '../../../src/engine/cep/pattern-operator.js';
import type { PatternStep } from '../../../src/engine/cep/pattern-step.js';
import type { Contiguity, PatternSpec, SkipStrategy, StageSpec } from '../../../src/engine/spec.js';
import { fromSnapshotJson, toSnapshotJson } from '../../../src/engine/snapshot/snapshot-json.js';
import { SOURCE_POSITION, sourcePositionOf, type DeferredState } from '../../../src/engine/snapshot/binary.js';

type Rec = Record<string, unknown>;
type Where = (event: Rec) => boolean;

function stage(name: string, extra: Partial<StageSpec> = {}): StageSpec {
  return { name, quantifier: { kind: 'single' }, optional: false, greedy: false, consecutive: false, allowCombinations: false, ...extra };
}

/** `readsStages`: what the pipeline compiler would say of the conditions (absent: taken as true). */
function step(pattern: PatternSpec, where: Record<string, Where | ((e: Rec, stages: (s: string) => readonly Rec[]) => boolean)>, emitTimeouts = false, readsStages: boolean | 'absent' = false): PatternStep {
  return {
    name: 'p',
    pattern,
    ...(readsStages === 'absent' ? {} : { conditionsReadStages: readsStages }),
    emitTimeouts,
    lateOutput: true,
    filter: null,
    key: (fields) => fields.user,
    conditions: new Map(pattern.stages.map((s) => [s.name, { where: where[s.name] ?? null, until: null }])),
    select: [{ name: 'n', evaluate: (scope) => (scope(pattern.stages[0]!.name) as Rec[]).length }],
  };
}

interface Row {
  readonly record: Rec;
  readonly ts: number;
  /** Move the watermark this far past the usual bound after the record (a watermark step). */
  readonly jump: number;
}

/** Feeds rows as the pipeline does (watermark = max time − bound − 1, plus steps) into `out`; returns the max time. */
function feed(op: PatternOperator, rows: readonly Row[], bound: number, out: OutputRecord[], max = -Infinity): number {
  const sink = { emit: (r: OutputRecord) => out.push(r) };
  rows.forEach(({ record, ts, jump }, i) => {
    op.process(record, ts, { line: i + 1, original: () => record }, sink);
    max = Math.max(max, ts);
    op.advanceWatermark(max - bound - 1 + jump, sink);
  });
  return max;
}

/** All rows, then the final watermark; returns the output and counters. */
function run(op: PatternOperator, rows: readonly Row[], bound: number): { out: OutputRecord[]; counters: unknown } {
  const out: OutputRecord[] = [];
  feed(op, rows, bound, out);
  op.advanceWatermark(Infinity, { emit: (r: OutputRecord) => out.push(r) });
  return { out, counters: { ...op.counters } };
}

/**
 * rows[0..cut) into `from`, a snapshot (plain, through JSON; its binary form must read the same),
 * restored into `to`, then the rest: the output and counters of the whole run.
 */
function runResumed(from: PatternOperator, to: PatternOperator, rows: readonly Row[], bound: number, cut: number): { out: OutputRecord[]; counters: unknown } {
  const out: OutputRecord[] = [];
  const max = feed(from, rows.slice(0, cut), bound, out);
  const json = toSnapshotJson(from.snapshot());
  assert.equal(toSnapshotJson(from.snapshot({ encoded: true })), json);
  to.restore(fromSnapshotJson(json));
  feed(to, rows.slice(cut), bound, out, max);
  to.advanceWatermark(Infinity, { emit: (r: OutputRecord) => out.push(r) });
  return { out, counters: { ...to.counters } };
}

const KINDS = ['a', 'b', 'c'] as const;

interface Shape {
  readonly stages: readonly { contiguity: Contiguity; times: number; consecutive: boolean; kinds: readonly string[] }[];
  readonly within: number | undefined;
  readonly skip: number;
  readonly skipStage: number;
  readonly emitTimeouts: boolean;
}

const shapes: fc.Arbitrary<Shape> = fc.record({
  stages: fc.array(
    fc.record({
      contiguity: fc.constantFrom<Contiguity>('next', 'followedBy'),
      times: fc.oneof({ weight: 2, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }),
      consecutive: fc.boolean(),
      kinds: fc.subarray([...KINDS, 'x'], { minLength: 2 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  within: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
  skip: fc.integer({ min: 0, max: 4 }),
  skipStage: fc.nat(),
  emitTimeouts: fc.boolean(),
});

function patternOf(shape: Shape): { pattern: PatternSpec; where: Record<string, Where> } {
  const where: Record<string, Where> = {};
  const stages = shape.stages.map((s, i) => {
    // Kind 'x' in a stage's list: its condition throws on events of kind 'x' (an expression error).
    where[`s${i}`] = (e) => {
      if (e.kind === 'x' && s.kinds.includes('x')) throw new Error('no such field');
      return s.kinds.includes(e.kind as string);
    };
    return stage(`s${i}`, {
      ...(i === 0 ? {} : { contiguity: s.contiguity }),
      ...(s.times === 1 ? {} : { quantifier: { kind: 'times' as const, from: s.times, to: s.times }, consecutive: s.consecutive }),
    });
  });
  const named = `s${shape.skipStage % stages.length}`;
  const skips: SkipStrategy[] = [{ kind: 'noSkip' }, { kind: 'skipToNext' }, { kind: 'skipPastLastEvent' }, { kind: 'skipToFirst', stage: named }, { kind: 'skipToLast', stage: named }];
  return { pattern: { ...(shape.within === undefined ? {} : { within: shape.within }), skip: skips[shape.skip]!, stages }, where };
}

const streams: fc.Arbitrary<{ rows: Row[]; bound: number }> = fc
  .record({
    bound: fc.integer({ min: 0, max: 4 }),
    start: fc.constantFrom(-3, -1, 0, 5),
    rows: fc.array(
      fc.record({
        user: fc.constantFrom('u1', 'u2', 'u3'),
        kind: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...KINDS) }, { weight: 1, arbitrary: fc.constant('x') }),
        gap: fc.integer({ min: 0, max: 3 }),
        back: fc.integer({ min: 0, max: 6 }),
        jump: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }) }),
      }),
      { maxLength: 60 },
    ),
  })
  .map(({ bound, start, rows }) => {
    let t = start;
    return {
      bound,
      // `back` moves a record behind the latest time: within the bound it is reordered, beyond it late.
      rows: rows.map(({ user, kind, gap, back, jump }, id): Row => ({ record: { user, kind, id }, ts: (t += gap) - back, jump })),
    };
  });

test('linear matcher: the same output records, in order, and counters as the general NFA on generated patterns and streams', () => {
  let errors = 0;
  const kinds = new Map<string, number>();
  fc.assert(
    fc.property(shapes, streams, (shape, { rows, bound }) => {
      const { pattern, where } = patternOf(shape);
      const linear = new PatternOperator(step(pattern, where, shape.emitTimeouts));
      const general = new PatternOperator(step(pattern, where, shape.emitTimeouts), { matcher: 'nfa' });
      // The fast path really runs.
      assert.equal(linear.matcherKind, 'linear');
      assert.equal(general.matcherKind, 'nfa');
      const expected = run(general, rows, bound);
      const actual = run(linear, rows, bound);
      assert.deepEqual(actual.out, expected.out);
      assert.deepEqual(actual.counters, expected.counters);
      errors += (expected.counters as { exprErrors: number }).exprErrors;
      for (const r of expected.out) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    }),
    { numRuns: 4000, seed: 20261207 },
  );
  // The generated cases produce every kind of output and expression errors, not only empty results.
  for (const kind of ['late', 'match', 'timeout']) assert.ok((kinds.get(kind) ?? 0) > 1000, `only ${kinds.get(kind) ?? 0} records of kind ${kind}`);
  assert.ok(errors > 100, `only ${errors} expression errors`);
});

test('linear matcher: eligibility, decided on the compiled pattern', () => {
  const yes: Where = (e) => e.kind === 'a';
  type AnyWhere = (e: Rec, stages: (s: string) => readonly Rec[]) => boolean;
  const cases: { name: string; stages: StageSpec[]; linear: boolean; where?: Record<string, AnyWhere> }[] = [
    { name: 'begin alone', stages: [stage('a')], linear: true },
    { name: 'binge: next times(3)', stages: [stage('a'), stage('b', { contiguity: 'next', quantifier: { kind: 'times', from: 3, to: 3 } })], linear: true },
    { name: 'followedBy, times consecutive', stages: [stage('a'), stage('b', { contiguity: 'followedBy', quantifier: { kind: 'times', from: 2, to: 2 }, consecutive: true })], linear: true },
    { name: 'times(n) on the first stage', stages: [stage('a', { quantifier: { kind: 'times', from: 3, to: 3 } }), stage('b', { contiguity: 'next' })], linear: true },
    { name: 'greedy times(n, n) compiles as times(n)', stages: [stage('a'), stage('b', { contiguity: 'next', quantifier: { kind: 'times', from: 2, to: 2 }, greedy: true })], linear: true },
    { name: 'followedByAny', stages: [stage('a'), stage('b', { contiguity: 'followedByAny' })], linear: false },
    { name: 'times(2, 3)', stages: [stage('a'), stage('b', { contiguity: 'next', quantifier: { kind: 'times', from: 2, to: 3 } })], linear: false },
    { name: 'oneOrMore', stages: [stage('a'), stage('b', { contiguity: 'next', quantifier: { kind: 'looping', atLeast: 1 } })], linear: false },
    { name: 'timesOrMore', stages: [stage('a'), stage('b', { contiguity: 'next', quantifier: { kind: 'looping', atLeast: 2 } })], linear: false },
    { name: 'optional', stages: [stage('a'), stage('b', { contiguity: 'next', optional: true }), stage('c', { contiguity: 'next' })], linear: false },
    { name: 'allowCombinations', stages: [stage('a'), stage('b', { contiguity: 'next', quantifier: { kind: 'times', from: 2, to: 2 }, allowCombinations: true })], linear: false },
    { name: 'notNext', stages: [stage('a'), stage('n', { contiguity: 'notNext' }), stage('c', { contiguity: 'next' })], linear: false },
    { name: 'notFollowedBy', stages: [stage('a'), stage('n', { contiguity: 'notFollowedBy' }), stage('c', { contiguity: 'followedBy' })], linear: false },
    { name: 'until', stages: [stage('a'), stage('b', { contiguity: 'followedBy', quantifier: { kind: 'looping', atLeast: 1 }, until: 'x' })], linear: false },
    { name: 'iterative condition (reads the partial match)', stages: [stage('a'), stage('b', { contiguity: 'next' })], linear: false, where: { b: (e, stages) => stages('a').length > 0 && e.kind === 'b' } },
  ];
  for (const c of cases) {
    const pattern: PatternSpec = { within: 10, skip: { kind: 'noSkip' }, stages: c.stages };
    const where = c.where ?? Object.fromEntries(c.stages.map((s) => [s.name, yes]));
    const op = new PatternOperator(step(pattern, where, false, c.where !== undefined));
    assert.equal(op.matcherKind, c.linear ? 'linear' : 'nfa', c.name);
    assert.equal(new PatternOperator(step(pattern, where), { matcher: 'nfa' }).matcherKind, 'nfa', c.name);
  }
  // Only the pipeline compiler's (or the caller's) word that no condition reads the partial match
  // makes it linear: a function's arity cannot tell (rest or default parameters, `arguments`).
  const pattern: PatternSpec = { skip: { kind: 'noSkip' }, stages: [stage('a'), stage('b', { contiguity: 'next' })] };
  assert.equal(new PatternOperator(step(pattern, { a: yes, b: yes }, false, 'absent')).matcherKind, 'nfa');
  assert.equal(new PatternOperator(step(pattern, { a: (...args: [Rec, (s: string) => readonly Rec[]]) => args[1]('a').length >= 0 && yes(args[0]), b: yes }, false, 'absent')).matcherKind, 'nfa');
  assert.equal(new PatternOperator(step(pattern, { a: yes, b: yes }, false, true)).matcherKind, 'nfa');
  assert.equal(new PatternOperator(step(pattern, { a: (e, _s) => yes(e), b: yes }, false, false)).matcherKind, 'linear');
});

test('linear matcher: a trace observer attached before the first record switches the operator to the general NFA', () => {
  const pattern: PatternSpec = { skip: { kind: 'noSkip' }, stages: [stage('a'), stage('b', { contiguity: 'next' })] };
  const op = new PatternOperator(step(pattern, { a: (e: Rec) => e.kind === 'a', b: (e: Rec) => e.kind === 'b' }));
  assert.equal(op.matcherKind, 'linear');
  op.observe({});
  assert.equal(op.matcherKind, 'nfa');
  const late = new PatternOperator(step(pattern, { a: (e: Rec) => e.kind === 'a', b: (e: Rec) => e.kind === 'b' }));
  late.process({ user: 'u', kind: 'a' }, 1, { line: 1, original: () => ({}) }, { emit: () => undefined });
  assert.throws(() => late.observe({}), /observe\(\) before the first record/);
  // Keys that went idle before the observer came are kept for reuse as linear keys (no NFA state):
  // the general NFA must not get them.
  const where = { a: (e: Rec) => e.kind === 'a', b: (e: Rec) => e.kind === 'b' };
  const rows: Row[] = ['a', 'b', 'a', 'x', 'a', 'b'].map((kind, i) => ({ record: { user: `k${i % 3}`, kind }, ts: i + 1, jump: 0 }));
  const timed: PatternSpec = { ...pattern, within: 10 };
  const idle = new PatternOperator(step(timed, where));
  feed(idle, rows, 0, []);
  idle.advanceWatermark(50, { emit: () => undefined });
  assert.equal(idle.liveKeys, 0);
  idle.observe({});
  assert.equal(idle.matcherKind, 'nfa');
  const later = rows.map((r) => ({ ...r, ts: r.ts + 100 }));
  const expected = run(new PatternOperator(step(timed, where), { matcher: 'nfa' }), later, 0).out;
  assert.ok(expected.some((r) => r.kind === 'match'));
  assert.deepEqual(run(idle, later, 0).out, expected);
});

test('linear matcher: snapshots mid-stream restore into a linear or a general operator, and a general one\'s into a linear one, with the uninterrupted output', () => {
  let holding = 0;
  fc.assert(
    fc.property(shapes, streams, fc.nat(), fc.boolean(), fc.boolean(), (shape, { rows, bound }, cutSeed, fromLinear, toLinear) => {
      const { pattern, where } = patternOf(shape);
      const make = (linear: boolean): PatternOperator => new PatternOperator(step(pattern, where, shape.emitTimeouts), linear ? {} : { matcher: 'nfa' });
      const expected = run(make(false), rows, bound);
      const cut = cutSeed % (rows.length + 1);
      const from = make(fromLinear);
      const to = make(toLinear);
      const resumed = runResumed(from, to, rows, bound, cut);
      assert.deepEqual(resumed.out, expected.out);
      assert.deepEqual(resumed.counters, expected.counters);
      // A linear operator stays linear after its snapshot and after a restore.
      assert.equal(from.matcherKind, fromLinear ? 'linear' : 'nfa');
      assert.equal(to.matcherKind, toLinear ? 'linear' : 'nfa');
      // A linear operator's snapshot holds its keys in the linear form, a general one's in the NFA's.
      const keys = from.snapshot().keys as PatternKeySnapshot[];
      assert.ok(keys.every((k) => (fromLinear ? k.linear !== undefined && k.nfa === undefined : k.nfa !== undefined && k.linear === undefined)));
      if (keys.some((k) => (k.nfa !== undefined ? k.nfa.partialMatches.length > 1 : k.linear!.runs.length + k.linear!.waiting.length > 0))) holding++;
    }),
    { numRuns: 1500, seed: 20261208 },
  );
  assert.ok(holding > 300, `only ${holding} snapshots held partial matches`);
});

test('linear matcher: keys hold no Dewey version (no NFA state), live, idle or after snapshots', async () => {
  const Dewey = await import('../../../src/engine/cep/nfa/dewey-number.js');
  const pattern: PatternSpec = { within: 1_000_000, skip: { kind: 'skipPastLastEvent' }, stages: [stage('a'), stage('b', { contiguity: 'next', quantifier: { kind: 'times', from: 2, to: 2 } })] };
  const op = new PatternOperator(step(pattern, { a: (e: Rec) => e.kind === 'a', b: (e: Rec) => e.kind === 'b' }, true));
  assert.equal(op.matcherKind, 'linear');
  const before = Dewey.liveVersions();
  const out: OutputRecord[] = [];
  // 5,000 keys, each a run alive until the last watermark times it out: then far more keys go idle
  // at once than the operator keeps for reuse (1,024), and the others are disposed of.
  const rows: Row[] = Array.from({ length: 5_000 }, (_, i) => ({ record: { user: `k${i}`, kind: 'a', id: i }, ts: i, jump: 0 }));
  feed(op, rows.slice(0, 2_500), 0, out);
  assert.equal(Dewey.liveVersions(), before, '2,500 live keys of a linear operator hold no version');
  op.snapshot();
  op.snapshot({ encoded: true });
  assert.equal(Dewey.liveVersions(), before, 'a snapshot of a linear operator keeps no version');
  feed(op, rows.slice(2_500), 0, out, 2_499);
  op.advanceWatermark(Infinity, { emit: (r) => out.push(r) });
  assert.equal(out.filter((r) => r.kind === 'timeout').length, 5_000);
  // The idle keys kept for reuse hold none either (a key state extending NfaState held its start run's).
  assert.equal(Dewey.liveVersions(), before);
});

test('linear matcher: a snapshot holds each event of a key once, however many runs took it, and restores both ways', () => {
  // 40 `a`s start 40 runs; each `b` is taken by all of them (followedBy, times(3)): after two, 40
  // runs of 3 events over 42 distinct events.
  const pattern: PatternSpec = {
    skip: { kind: 'noSkip' },
    stages: [stage('a'), stage('b', { contiguity: 'followedBy', quantifier: { kind: 'times', from: 3, to: 3 } })],
  };
  const where = { a: (e: Rec) => e.kind === 'a', b: (e: Rec) => e.kind === 'b' };
  const rows: Row[] = [];
  for (let i = 0; i < 40; i++) rows.push({ record: { user: 'u', kind: 'a', id: i }, ts: i, jump: 0 });
  for (let i = 0; i < 3; i++) rows.push({ record: { user: 'u', kind: 'b', id: 40 + i }, ts: 40 + i, jump: 0 });
  const make = (linear: boolean): PatternOperator => new PatternOperator(step(pattern, where), linear ? {} : { matcher: 'nfa' });
  const op = make(true);
  feed(op, rows.slice(0, 42), 0, []);
  op.advanceWatermark(1_000, { emit: () => undefined });
  const [key] = op.snapshot().keys as PatternKeySnapshot[];
  assert.equal(key!.linear!.events.length, 42);
  assert.equal(key!.linear!.runs.length, 40);
  assert.deepEqual(
    key!.linear!.runs.map((run) => run.length),
    Array.from({ length: 40 }, () => 3),
  );
  // Every run refers to the two shared `b`s by the same indexes.
  assert.equal(new Set(key!.linear!.runs.map((run) => run.slice(1).join())).size, 1);
  const expected = run(make(false), rows, 0);
  assert.equal(expected.out.filter((r) => r.kind === 'match').length, 40);
  for (const [fromLinear, toLinear] of [
    [true, true],
    [true, false],
    [false, true],
  ]) {
    const resumed = runResumed(make(fromLinear!), make(toLinear!), rows, 0, 42);
    assert.deepEqual(resumed.out, expected.out, `${fromLinear} → ${toLinear}`);
  }
});

test('linear matcher: the positions kept beside the records from the first copy on (a checkpoint copy reads them, not the records) agree with the records, through out-of-order arrival, pruning, skips, timeouts and restores', () => {
  let held = 0;
  let known = 0;
  let restored = 0;
  fc.assert(
    fc.property(shapes, streams, fc.nat(), (shape, { rows, bound }, cutSeed) => {
      const { pattern, where } = patternOf(shape);
      const make = (): PatternOperator => new PatternOperator(step(pattern, where, shape.emitTimeouts));
      // Records as a checkpointed replay reads them: each carries its line's position; some (from a .gz recording, a segment) carry none.
      const positioned = rows.map((row) => {
        const record = { ...row.record };
        if ((record.id as number) % 5 !== 4) (record as Record<symbol, unknown>)[SOURCE_POSITION] = 1000 + (record.id as number) * 3;
        return { ...row, record };
      });
      // The copy's positions, each the one its record carries (NaN for none); `taken` says every record
      // held was taken since the first copy, else one taken before (NaN: the store reads the record) may be NaN.
      const check = (op: PatternOperator, taken: boolean): void => {
        const copy = op.snapshot({ encoded: true }).keys as unknown as DeferredState;
        assert.ok(copy.positions !== null);
        assert.equal(copy.positions.length, copy.held.length);
        copy.held.forEach((record, i) => {
          const position = copy.positions![i]!;
          assert.ok(Object.is(position, sourcePositionOf(record)) || (!taken && Number.isNaN(position)), `held record ${i}: position ${position}, the record's ${sourcePositionOf(record)}`);
          if (!Number.isNaN(position)) known++;
        });
        held += copy.held.length;
      };
      const cut = cutSeed % (positioned.length + 1);
      const from = make();
      // Nothing taken yet: positions are kept from here on.
      check(from, true);
      const out: OutputRecord[] = [];
      let max = -Infinity;
      for (let i = 0; i < cut; i += 4) {
        max = feed(from, positioned.slice(i, Math.min(cut, i + 4)), bound, out, max);
        check(from, true);
      }
      // Restored from the plain snapshot (records as they were, with their positions, as a resume reads them from the recording).
      const to = make();
      to.restore(from.snapshot());
      check(to, false);
      restored++;
      for (let i = cut; i < positioned.length; i += 4) {
        max = feed(to, positioned.slice(i, i + 4), bound, out, max);
        check(to, false);
      }
    }),
    { numRuns: 600, seed: 20261209 },
  );
  assert.ok(held > 2000, `only ${held} held records checked`);
  assert.ok(known > held / 2, `only ${known} of ${held} held records' positions known`);
  assert.ok(restored > 100);
});
