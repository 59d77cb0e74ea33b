/**
 * Snapshot round trips (fast-check): run a pipeline to a random cut point, snapshot it, encode the
 * snapshot as JSON, restore it into a freshly compiled pipeline and continue. The combined output
 * must equal an uninterrupted run's, record for record, and so must the counters at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePipelineText } from '../../../src/spec/load.js';
import { compileSpec } from '../../../src/spec/compile.js';
import { Pipeline, type PipelineSnapshot } from '../../../src/engine/pipeline.js';
import type { Fields, RecordContext } from '../../../src/engine/operator.js';
import { fromSnapshotJson, toSnapshotJson } from '../../../src/engine/snapshot/snapshot-json.js';
import { DeferredState, EncodedState } from '../../../src/engine/snapshot/binary.js';

interface Ev {
  ts: number;
  k: string;
  v: number;
  name: string;
}

const cases = [
  {
    name: 'tumbling with offset, late output and allowed lateness',
    steps: `
  w:
    keyBy: k
    window: { type: tumbling, size: 30s, offset: 5s }
    allowedLateness: 10s
    lateOutput: true
    aggregate: { n: count(), total: sum(v), names: count_distinct(name), mean: avg(v) }`,
  },
  {
    name: 'sliding (panes) with percentile and max',
    steps: `
  w:
    keyBy: k
    window: { type: sliding, size: 50s, slide: 20s }
    allowedLateness: 20s
    aggregate: { n: count(), top: max(v), p50: "percentile(v, 0.5)", names: count_distinct(name) }`,
  },
  {
    name: 'session windows merging, first/last/min/stddev',
    steps: `
  w:
    keyBy: k
    window: { type: session, gap: 15s }
    allowedLateness: 30s
    lateOutput: true
    aggregate: { n: count(), low: min(v), first: first(name), last: last(name), spread: stddev(v) }`,
  },
  {
    name: 'several steps side by side, one without a key',
    steps: `
  a:
    keyBy: k
    window: { type: tumbling, size: 20s }
    aggregate: { n: count() }
  b:
    window: { type: sliding, size: 1m, slide: 10s }
    aggregate: { n: count(), total: sum(v) }
  c:
    keyBy: k
    window: { type: session, gap: 5s }
    aggregate: { n: count() }`,
  },
  {
    name: 'pattern: binge (times 3, strict contiguity, within, skipPastLastEvent, timeouts, late output)',
    steps: `
  binge:
    keyBy: k
    pattern:
      within: 40s
      skip: skipPastLastEvent
      stages:
        - { name: start, where: "v > 5" }
        - { name: more, contiguity: next, where: "v > 5", times: 3 }
    emitTimeouts: true
    lateOutput: true
    select: { n: size(more) + 1, who: "start[0].name" }`,
  },
  {
    name: 'pattern: followedByAny then notFollowedBy within (pending runs, shared buffer branches)',
    steps: `
  any:
    keyBy: k
    pattern:
      within: 30s
      stages:
        - { name: a, where: "name == 'ann'" }
        - { name: b, contiguity: followedByAny, where: "v > 10" }
        - { name: c, contiguity: notFollowedBy, where: "name == 'bo'" }
    emitTimeouts: true
    select: { first: "a[0].v", second: "b[0].v" }`,
  },
  {
    name: 'pattern: oneOrMore with until, iterative condition, allowCombinations; and a window step beside it',
    steps: `
  rise:
    keyBy: k
    pattern:
      within: 20s
      skip: skipToNext
      stages:
        - { name: low, where: "v < 0" }
        - { name: up, contiguity: followedBy, where: "v > low[0].v", oneOrMore: true, allowCombinations: true, until: "name == 'bo'" }
        - { name: top, contiguity: followedBy, where: "v > 15" }
    emitTimeouts: true
  count:
    keyBy: k
    window: { type: tumbling, size: 20s }
    aggregate: { n: count() }`,
  },
] as const;

const eventArb = {
  k: fc.constantFrom('a', 'b', 'c'),
  v: fc.integer({ min: -5, max: 20 }),
  name: fc.constantFrom('ann', 'Zoë', '名前', 'bo'),
};
/** Times anywhere in 5 minutes (mostly late for patterns), or about one a second with some disorder. */
const scatteredArb = fc.array(fc.record({ ts: fc.integer({ min: 0, max: 300_000 }), ...eventArb }), { minLength: 1, maxLength: 150 });
const orderedArb = fc
  .array(fc.record({ jitter: fc.integer({ min: -3_000, max: 1_000 }), ...eventArb }), { minLength: 20, maxLength: 200, size: 'max' })
  .map((list) => list.map(({ jitter, ...e }, i) => ({ ts: Math.max(0, i * 1_000 + jitter), ...e })));
const eventsArb = fc.oneof(scatteredArb, orderedArb);
/** Patterns need runs of events of one key close in time: mostly the ordered streams. */
const patternEventsArb = fc.oneof({ arbitrary: scatteredArb, weight: 1 }, { arbitrary: orderedArb, weight: 4 });

/** Partial matches (not the start state's run) held in a pattern snapshot: the restore had real work. */
function partialMatchesIn(snapshot: PipelineSnapshot): number {
  let count = 0;
  for (const op of snapshot.operators) {
    // A key in the NFA's form or (a linear pattern) in the linear matcher's.
    const state = op.state as { format?: string; keys?: { nfa?: { partialMatches: { start: number }[] }; linear?: { runs: unknown[] } }[] };
    if (state.format !== 'sw-pattern') continue;
    for (const key of state.keys!) count += key.nfa?.partialMatches.filter((m) => m.start !== -1).length ?? key.linear!.runs.length;
  }
  return count;
}

function build(steps: string, outOfOrderness: number, out: string[]): Pipeline {
  const yaml = `name: snapshot\ntime: { field: ts, outOfOrderness: ${outOfOrderness} }\nsteps:${steps}\n`;
  const compiled = compileSpec(parsePipelineText(yaml, 'snapshot.yaml'));
  return new Pipeline(compiled.operators, compiled.spec.time, { emit: (r) => out.push(JSON.stringify(r)) });
}

function feed(pipeline: Pipeline, events: readonly Ev[], line0: number): void {
  events.forEach((e, i) => {
    const ctx: RecordContext = { line: line0 + i + 1, original: () => ({ ...e }) };
    pipeline.process(e as unknown as Fields, e.ts, ctx);
  });
}

for (const c of cases) {
  test(`snapshot → JSON → restore → continue equals an uninterrupted run: ${c.name}`, () => {
    const isPattern = c.steps.includes('pattern:');
    let cutsHoldingPartialMatches = 0;
    let runsWithMatches = 0;
    fc.assert(
      fc.property(isPattern ? patternEventsArb : eventsArb, fc.nat(), fc.constantFrom(0, 2_000, 20_000), (events, cutSeed, outOfOrderness) => {
        const golden: string[] = [];
        const whole = build(c.steps, outOfOrderness, golden);
        feed(whole, events, 0);
        whole.finish();

        const cut = cutSeed % (events.length + 1);
        const resumed: string[] = [];
        const first = build(c.steps, outOfOrderness, resumed);
        feed(first, events.slice(0, cut), 0);
        const snapshot = first.snapshot();
        if (partialMatchesIn(snapshot) > 0) cutsHoldingPartialMatches++;
        if (golden.some((line) => line.includes('"kind":"match"'))) runsWithMatches++;
        const json = toSnapshotJson(snapshot);
        // The binary form checkpoints take (window and pattern steps' keys) stands for exactly the plain one.
        const encoded = first.snapshot({ encoded: true });
        for (const op of encoded.operators) assert.ok((op.state as { keys: unknown }).keys instanceof EncodedState, `step ${op.step}: keys in binary`);
        assert.equal(toSnapshotJson(encoded), json);
        const second = build(c.steps, outOfOrderness, resumed);
        second.restore(fromSnapshotJson<PipelineSnapshot>(json));
        feed(second, events.slice(cut), cut);
        second.finish();

        assert.deepEqual(resumed, golden);
        assert.deepEqual(second.operators.map((op) => op.counters), whole.operators.map((op) => op.counters));
        assert.equal(second.recordCount, whole.recordCount);
      }),
      { numRuns: isPattern ? 200 : 100 },
    );
    if (isPattern) {
      // The generated streams must exercise what the snapshot carries, not only empty keys.
      assert.ok(cutsHoldingPartialMatches >= 60, `only ${cutsHoldingPartialMatches} of 200 cuts held partial matches`);
      assert.ok(runsWithMatches >= 60, `only ${runsWithMatches} of 200 runs produced matches`);
    }
  });
}

test('a checkpoint copy of pattern state, encoded after the operator went on (and while another copy was taken), is the state it copied', () => {
  const patterns = cases.filter((c) => c.steps.includes('pattern:'));
  fc.assert(
    fc.property(fc.constantFrom(...patterns), patternEventsArb, fc.nat(), (c, events, cutSeed) => {
      // The pattern step's keys (a window step's binary keys are valid until its next snapshot only).
      const patternKeys = (snapshot: PipelineSnapshot): unknown => (snapshot.operators.find((op) => ['binge', 'any', 'rise'].includes(op.step))!.state as { keys: unknown }).keys;
      const pipeline = build(c.steps, 2_000, []);
      const cut = cutSeed % (events.length + 1);
      feed(pipeline, events.slice(0, cut), 0);
      const expected = toSnapshotJson(patternKeys(pipeline.snapshot()));
      const copy = patternKeys(pipeline.snapshot({ encoded: true }));
      assert.ok(copy instanceof DeferredState);
      // Lent to a writer thread: the next copy must leave its buffers alone.
      copy.busy = true;
      // Later records release versions, reuse arena records and value-pool slots.
      feed(pipeline, events.slice(cut), cut);
      const later = toSnapshotJson(patternKeys(pipeline.snapshot()));
      const next = patternKeys(pipeline.snapshot({ encoded: true }));
      assert.equal(toSnapshotJson(copy), expected);
      assert.equal(toSnapshotJson(next), later);
    }),
    { numRuns: 150 },
  );
});

for (const [label, step, parts] of [
  ['an NFA', 'any', ['meta', 'arenas', 'dewey']],
  ['a linear', 'binge', ['meta', 'events', 'runs']],
] as const) {
  test(`${label} pattern copy lent to the writer thread keeps its buffers: the next copy takes others, and the one after the answer reuses them`, () => {
    const c = cases.find((c) => c.steps.includes(`${step}:`))!;
    const patternKeys = (snapshot: PipelineSnapshot): DeferredState & { data: Record<string, ArrayBufferView> } => {
      const keys = (snapshot.operators.find((op) => op.step === step)!.state as { keys: unknown }).keys;
      assert.ok(keys instanceof DeferredState);
      return keys as DeferredState & { data: Record<string, ArrayBufferView> };
    };
    const pipeline = build(c.steps, 2_000, []);
    feed(pipeline, [{ ts: 1000, k: 'a', v: 6, name: 'ann' }, { ts: 1500, k: 'b', v: 7, name: 'bo' }, { ts: 2000, k: 'a', v: 18, name: 'cy' }], 0);
    const copy1 = patternKeys(pipeline.snapshot({ encoded: true }));
    copy1.busy = true;
    const copy2 = patternKeys(pipeline.snapshot({ encoded: true }));
    for (const part of parts) assert.notEqual(copy2.data[part]!.buffer, copy1.data[part]!.buffer, `${part}: a busy copy's buffer is not reused`);
    // What the store's settle() does once the writer thread answered.
    copy1.busy = false;
    const copy3 = patternKeys(pipeline.snapshot({ encoded: true }));
    for (const part of parts) assert.equal(copy3.data[part]!.buffer, copy2.data[part]!.buffer, `${part}: a settled copier reuses its buffers`);
  });
}

test('a snapshot is independent of the operator that made it (later records do not change it)', () => {
  const out: string[] = [];
  const pipeline = build(cases[0].steps, 0, out);
  feed(pipeline, [{ ts: 1000, k: 'a', v: 1, name: 'ann' }], 0);
  const before = toSnapshotJson(pipeline.snapshot());
  const snapshot = pipeline.snapshot();
  feed(pipeline, [{ ts: 2000, k: 'a', v: 5, name: 'bo' }], 1);
  assert.equal(toSnapshotJson(snapshot), before);
});

test('the snapshot codec keeps what plain JSON loses', () => {
  const cases: [string, unknown][] = [
    ['−∞ and +∞', { w: -Infinity, x: Infinity }],
    ['NaN', { n: NaN }],
    ['sets in accumulators', { values: new Set(['a', 1, '\u0000json:[1]']) }],
    ['nested', [{ a: [new Set([1, 2])], b: null }]],
  ];
  for (const [name, value] of cases) assert.deepEqual(fromSnapshotJson(toSnapshotJson(value)), value, name);
  assert.equal(fromSnapshotJson(toSnapshotJson({ big: 12n })) instanceof Object, true);
  assert.deepEqual(fromSnapshotJson(toSnapshotJson({ big: 12n })), { big: 12 });
});

test('restore refuses a snapshot of other steps, with the reason', () => {
  const pipeline = build(cases[0].steps, 0, []);
  const other = build(cases[3].steps, 0, []);
  assert.throws(() => other.restore(pipeline.snapshot()), /the snapshot has 1 steps, the pipeline 3/);
  const sliding = build(cases[1].steps, 0, []);
  assert.throws(() => sliding.restore(pipeline.snapshot()), /the snapshot holds tumbling windows, the step has sliding ones/);
});

/** The codec's first form, a JSON.stringify replacer: the fast walk must give the same text. */
function replacerJson(value: unknown): string {
  return JSON.stringify(value, (_key: string, v: unknown) => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $n: String(v) };
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Set) return { $set: [...v] };
    return v;
  });
}

test('the snapshot codec writes the same text as a JSON.stringify replacer would, sharing untouched subtrees', () => {
  const leaf = fc.oneof(
    fc.double(),
    fc.constantFrom(Infinity, -Infinity, NaN, -0),
    fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('set')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 5 }),
    set: fc.array(tie('value'), { maxLength: 4 }).map((items) => new Set(items)),
  }));
  fc.assert(fc.property(value, (v) => toSnapshotJson(v) === replacerJson(v)), { numRuns: 2000 });
  const clean = { a: [1, 2, { b: 'x' }], c: { d: [3] } };
  const mixed = { clean, w: -Infinity };
  assert.equal(toSnapshotJson(mixed), '{"clean":{"a":[1,2,{"b":"x"}],"c":{"d":[3]}},"w":{"$n":"-Infinity"}}');
  assert.equal(toSnapshotJson(new Date(0)), replacerJson(new Date(0)));
});

test('a key holding a thousand nodes and events: the binary form (indexes by Map past 16) stands for exactly the plain one', () => {
  const out: string[] = [];
  const pipeline = build(cases[5].steps, 0, out);
  // One key, one `a` then a thousand `b`s: followedByAny keeps the `a` run and a pending run per
  // `b` taken (within 30 s), each on its own node.
  const events: Ev[] = [{ ts: 0, k: 'a', v: 0, name: 'ann' }];
  for (let i = 1; i <= 1_000; i++) events.push({ ts: i * 5, k: 'a', v: 11 + (i % 7), name: 'Zoë' });
  feed(pipeline, events, 0);
  const plain = pipeline.snapshot();
  const nfa = (plain.operators[0]!.state as { keys: { nfa: { nodes: unknown[]; events: unknown[] } }[] }).keys[0]!.nfa;
  assert.ok(nfa.nodes.length > 900 && nfa.events.length > 900, `${nfa.nodes.length} nodes, ${nfa.events.length} events`);
  assert.equal(toSnapshotJson(pipeline.snapshot({ encoded: true })), toSnapshotJson(plain));
});
