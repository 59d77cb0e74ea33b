/**
 * Window keys spilled out of the heap (docs/state.md, "Spilling window state"): with a key budget
 * of one or two keys every key switch evicts a key to the spill and takes another back, and the
 * output, the counters and the snapshots must be the heap's, byte for byte.
 *   1. This folder's window tests (Flink's WindowOperatorTest cases, the scenarios, the naive
 *      reference differential) run again with SW_WINDOW_SPILL_BUDGET=1 and =2: their expected
 *      timelines hold unchanged.
 *   2. fast-check: pipelines of every window type, heap vs spill, with a checkpoint taken at a
 *      random cut (holding spilled keys) and resumed with and without the spill.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parsePipelineText } from '../../../src/spec/load.js';
import { compileSpec } from '../../../src/spec/compile.js';
import { Pipeline, type PipelineSnapshot } from '../../../src/engine/pipeline.js';
import type { Fields, RecordContext } from '../../../src/engine/operator.js';
import { fromSnapshotJson, toSnapshotJson } from '../../../src/engine/snapshot/snapshot-json.js';
import { EncodedKeySpill, type KeySpillFactory } from '../../../src/engine/state/key-spill.js';
import { WindowOperator } from '../../../src/engine/window/window-operator.js';

const here = dirname(fileURLToPath(import.meta.url));

for (const budget of [1, 2]) {
  test(`the window tests pass unchanged with every key beyond ${budget} spilled`, () => {
    const files = readdirSync(here)
      .filter((f) => f.endsWith('.test.js') && f !== 'spill.test.js')
      .map((f) => join(here, f));
    assert.ok(files.length >= 3, `window tests found: ${files.join(', ')}`);
    const run = spawnSync(process.execPath, ['--test', ...files], { env: { ...withoutTestContext(process.env), SW_WINDOW_SPILL_BUDGET: String(budget) }, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout.split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 30).join('\n'));
    assert.match(run.stdout, /# fail 0/);
  });
}

const cases = [
  `
  w:
    keyBy: k
    window: { type: tumbling, size: 30s, offset: 5s }
    allowedLateness: 10s
    lateOutput: true
    aggregate: { n: count(), total: sum(v), names: count_distinct(name), mean: avg(v), last: last(name) }`,
  `
  w:
    keyBy: k
    window: { type: sliding, size: 50s, slide: 20s }
    allowedLateness: 20s
    lateOutput: true
    aggregate: { n: count(), top: max(v), p50: "percentile(v, 0.5)", names: count_distinct(name) }`,
  `
  w:
    keyBy: k
    window: { type: session, gap: 15s }
    allowedLateness: 30s
    lateOutput: true
    aggregate: { n: count(), low: min(v), first: first(name), last: last(name), spread: stddev(v) }`,
  `
  a:
    keyBy: "[k, v % 2]"
    window: { type: tumbling, size: 20s }
    aggregate: { n: count() }
  b:
    window: { type: sliding, size: 1m, slide: 10s }
    aggregate: { n: count(), total: sum(v) }`,
];

interface Ev {
  ts: number;
  k: string;
  v: number;
  name: string;
}

const eventArb = { k: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), v: fc.integer({ min: -5, max: 20 }), name: fc.constantFrom('ann', 'Zoë', 'bo') };
const scatteredArb = fc.array(fc.record({ ts: fc.integer({ min: 0, max: 300_000 }), ...eventArb }), { minLength: 1, maxLength: 150 });
const orderedArb = fc
  .array(fc.record({ jitter: fc.integer({ min: -3_000, max: 1_000 }), ...eventArb }), { minLength: 20, maxLength: 200 })
  .map((list) => list.map(({ jitter, ...e }, i) => ({ ts: Math.max(0, i * 1_000 + jitter), ...e })));

function build(steps: string, outOfOrderness: number, out: string[], keySpill?: KeySpillFactory): Pipeline {
  const yaml = `name: spill\ntime: { field: ts, outOfOrderness: ${outOfOrderness} }\nsteps:${steps}\n`;
  const compiled = compileSpec(parsePipelineText(yaml, 'spill.yaml'), keySpill ? { keySpill } : {});
  return new Pipeline(compiled.operators, compiled.spec.time, { emit: (r) => out.push(JSON.stringify(r)) });
}

function feed(pipeline: Pipeline, events: readonly Ev[], line0: number): void {
  events.forEach((e, i) => {
    const ctx: RecordContext = { line: line0 + i + 1, original: () => ({ ...e }) };
    pipeline.process(e as unknown as Fields, e.ts, ctx);
  });
}

for (const [n, steps] of cases.entries()) {
  test(`heap and a 1–2 key budget give identical output, counters and checkpoints (case ${n + 1})`, () => {
    let spilledAtCut = 0;
    fc.assert(
      fc.property(fc.oneof(scatteredArb, orderedArb), fc.nat(), fc.constantFrom(0, 2_000, 20_000), fc.constantFrom(1, 2), fc.boolean(), (events, cutSeed, outOfOrderness, budget, resumeSpilled) => {
        const spills: EncodedKeySpill[] = [];
        const spilling: KeySpillFactory = () => {
          const spill = new EncodedKeySpill();
          spills.push(spill);
          return { spill, budget };
        };
        const golden: string[] = [];
        const heap = build(steps, outOfOrderness, golden);
        const cut = cutSeed % (events.length + 1);
        feed(heap, events.slice(0, cut), 0);
        const heapSnapshot = toSnapshotJson(heap.snapshot());
        feed(heap, events.slice(cut), cut);
        heap.finish();

        const output: string[] = [];
        const first = build(steps, outOfOrderness, output, spilling);
        feed(first, events.slice(0, cut), 0);
        const snapshot = toSnapshotJson(first.snapshot());
        spilledAtCut += spills.reduce((sum, s) => sum + s.size, 0);
        assert.equal(snapshot, heapSnapshot, 'a checkpoint holding spilled keys is the heap checkpoint');
        const whole = build(steps, outOfOrderness, [], spilling);
        const second = build(steps, outOfOrderness, output, resumeSpilled ? spilling : undefined);
        second.restore(fromSnapshotJson<PipelineSnapshot>(snapshot));
        feed(second, events.slice(cut), cut);
        second.finish();
        assert.deepEqual(output, golden);
        assert.deepEqual(second.operators.map((op) => op.counters), heap.operators.map((op) => op.counters));
        void whole;
      }),
      { numRuns: 150 },
    );
    assert.ok(spilledAtCut > 100, `checkpoints held only ${spilledAtCut} spilled keys in all`);
  });
}

test('keys beyond the budget leave the heap; idle keys go first; open state counts both', () => {
  const yaml = `name: s\ntime: { field: ts, outOfOrderness: 0 }\nsteps:\n  w:\n    keyBy: k\n    window: { type: session, gap: 1h }\n    aggregate: { n: count() }\n`;
  const spill = new EncodedKeySpill();
  const compiled = compileSpec(parsePipelineText(yaml, 's.yaml'), { keySpill: () => ({ spill, budget: 10 }) });
  const out: string[] = [];
  const pipeline = new Pipeline(compiled.operators, compiled.spec.time, { emit: (r) => out.push(JSON.stringify(r)) });
  const operator = compiled.operators[0] as WindowOperator;
  feed(pipeline, Array.from({ length: 1000 }, (_, i) => ({ ts: i, k: `k${i}`, v: 1, name: 'x' })), 0);
  assert.deepEqual(operator.keyCounts, { heap: 10, spilled: 990, idle: 0 });
  assert.equal(operator.openState, 1000);
  assert.equal(spill.size, 990);
  // k999 arrived last and k0 is spilled: k0 comes back, one idle key leaves.
  feed(pipeline, [{ ts: 1000, k: 'k0', v: 1, name: 'x' }], 1000);
  assert.deepEqual(operator.keyCounts, { heap: 10, spilled: 990, idle: 0 });
  pipeline.finish();
  assert.equal(out.length, 1000);
  assert.deepEqual(operator.keyCounts, { heap: 0, spilled: 0, idle: 0 });
  assert.equal(JSON.parse(out.find((l) => l.includes('"k0"'))!).fields.n, 2);
});

// Many more spilled keys than the budget, all due at one watermark advance: each is taken back,
// fired and written back (or dropped) on its own, so the heap never holds more than the budget
// plus the one key being fired (docs/state.md), and the output is the heap run's byte for byte.
const KEYS = 3_000;
const BUDGET = 20;
const firingCases: { name: string; window: string; events: () => Ev[]; watermarks: number[] }[] = [
  {
    name: 'tumbling 1 min, one open window per key, one watermark past its end',
    window: '{ type: tumbling, size: 1m }',
    events: () => Array.from({ length: KEYS }, (_, i) => ({ ts: (i * 7) % 50_000, k: `k${(i * 31) % KEYS}`, v: i % 5, name: 'x' })),
    watermarks: [60_000, Infinity],
  },
  {
    name: 'tumbling 10 s, several open windows per key, fired by the final watermark',
    window: '{ type: tumbling, size: 10s }',
    events: () => Array.from({ length: KEYS * 3 }, (_, i) => ({ ts: ((i * 7919) % 40_000) + 0, k: `k${i % KEYS}`, v: i % 7, name: 'x' })),
    watermarks: [Infinity],
  },
  {
    name: 'sessions of every key closing at one watermark, after a first watermark that fires none',
    window: '{ type: session, gap: 30s }',
    events: () => Array.from({ length: KEYS * 2 }, (_, i) => ({ ts: (i * 13) % 20_000, k: `k${(i * 17) % KEYS}`, v: i % 3, name: 'x' })),
    watermarks: [25_000, 200_000],
  },
  {
    name: 'sliding 30 s / 10 s, several windows per key due at once',
    window: '{ type: sliding, size: 30s, slide: 10s }',
    events: () => Array.from({ length: KEYS * 2 }, (_, i) => ({ ts: (i * 11) % 25_000, k: `k${(i * 7) % KEYS}`, v: i % 9, name: 'x' })),
    watermarks: [40_000, Infinity],
  },
];

for (const tc of firingCases) {
  test(`${KEYS} keys due at one firing with a ${BUDGET}-key budget stay within the budget: ${tc.name}`, () => {
    const yaml = `name: s\ntime: { field: ts, outOfOrderness: 1000000 }\nsteps:\n  w:\n    keyBy: k\n    window: ${tc.window}\n    aggregate: { n: count(), total: sum(v) }\n`;
    const run = (spill: EncodedKeySpill | null) => {
      const compiled = compileSpec(parsePipelineText(yaml, 's.yaml'), spill ? { keySpill: () => ({ spill, budget: BUDGET }) } : {});
      const operator = compiled.operators[0] as WindowOperator;
      const lines: string[] = [];
      let peakHeapKeys = 0;
      const out = {
        emit: (r: unknown) => {
          lines.push(JSON.stringify(r));
          peakHeapKeys = Math.max(peakHeapKeys, operator.keyCounts.heap);
        },
      };
      tc.events().forEach((e, i) => operator.process(e as unknown as Fields, e.ts, { line: i + 1, original: () => ({ ...e }) }, out));
      const spilledBefore = operator.keyCounts.spilled;
      for (const watermark of tc.watermarks) operator.advanceWatermark(watermark, out);
      return { lines, peakHeapKeys, spilledBefore, after: operator.keyCounts };
    };
    const heap = run(null);
    const spilled = run(new EncodedKeySpill());
    assert.ok(spilled.spilledBefore >= KEYS - BUDGET, `${spilled.spilledBefore} keys spilled before the firing`);
    assert.ok(heap.lines.length >= KEYS, `${heap.lines.length} results`);
    assert.deepEqual(spilled.lines, heap.lines);
    assert.ok(spilled.peakHeapKeys <= BUDGET + 1, `${spilled.peakHeapKeys} keys on the heap during a firing (budget ${BUDGET})`);
    // The same keys are left open (on the heap or spilled), the heap part within the budget.
    assert.equal(spilled.after.heap + spilled.after.spilled, heap.after.heap);
    assert.ok(spilled.after.heap <= BUDGET);
  });
}

/** A child `node --test` inside a test run would report to the parent's runner, not its stdout. */
function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _context, ...rest } = env;
  return rest;
}
