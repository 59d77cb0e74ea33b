/**
 * Properties of the whole engine (fast-check): results do not depend on how the input is cut
 * into chunks, and with outOfOrderness ≥ the input's largest disorder a shuffled input gives the
 * same results as the sorted one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePipelineText } from '../../src/spec/load.js';
import { compileSpec } from '../../src/spec/compile.js';
import { Replay } from '../../src/replay/replay.js';
import { blocksFromChunks } from '../../src/replay/lines.js';

const pipeline = (outOfOrderness: number) => `
name: properties
time: { field: ts, outOfOrderness: ${outOfOrderness} }
steps:
  tumbling:
    keyBy: k
    window: { type: tumbling, size: 30s, offset: 5s }
    aggregate: { n: count(), total: sum(v), names: count_distinct(name) }
  sliding:
    keyBy: k
    window: { type: sliding, size: 50s, slide: 20s }
    aggregate: { n: count(), top: max(v), p50: "percentile(v, 0.5)" }
  sessions:
    keyBy: [k, g]
    window: { type: session, gap: 15s }
    aggregate: { n: count(), low: min(v), first: first(name), last: last(name) }
  global:
    window: { type: tumbling, size: 1m }
    aggregate: { n: count(), spread: stddev(v) }
  pattern:
    keyBy: k
    pattern:
      within: 1m
      stages:
        - { name: a, where: "v < 10" }
        - { name: b, contiguity: followedBy, where: "v >= 10", times: [1, 2] }
    select: { total: "a[0].v + sum(b.map(e, e.v))" }
`;

interface Ev {
  ts: number;
  k: string;
  g: number;
  v: number;
  name: string;
}

const eventArb = fc.record({
  k: fc.constantFrom('a', 'b', 'c'),
  g: fc.integer({ min: 0, max: 1 }),
  v: fc.integer({ min: 0, max: 20 }),
  name: fc.constantFrom('ann', 'Zoë', '名前', 'x\ny', '😀'),
});

/** Events with unique timestamps (ties would make first/last depend on arrival order, by design). */
const eventsArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 400_000 }), { minLength: 1, maxLength: 120 })
  .chain((times) => fc.tuple(fc.constant(times), fc.array(eventArb, { minLength: times.length, maxLength: times.length })))
  .map(([times, bodies]) => times.map((ts, i): Ev => ({ ts, ...bodies[i]! })));

function toJsonl(events: readonly Ev[]): Buffer {
  return Buffer.from(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

async function* chunked(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y)) {
    if (cut > at) yield bytes.subarray(at, cut);
    at = Math.max(at, cut);
  }
  if (at < bytes.length) yield bytes.subarray(at);
}

async function run(bytes: Buffer, cuts: readonly number[], outOfOrderness: number): Promise<string[]> {
  const compiled = compileSpec(parsePipelineText(pipeline(outOfOrderness), 'properties.yaml'));
  const replay = new Replay({
    recording: 'memory.jsonl',
    compiled,
    speed: Infinity,
    deadLetterPath: null,
    source: blocksFromChunks(chunked(bytes, cuts)),
  });
  const out: string[] = [];
  replay.onOutput((r) => out.push(JSON.stringify(r)));
  const summary = await replay.run();
  assert.equal(summary.deadLetters, 0);
  return out;
}

function roundFloats(line: string): string {
  return JSON.stringify(JSON.parse(line), (_key, value: unknown) =>
    typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(12)) : value,
  );
}

function disorder(events: readonly Ev[]): number {
  let max = -Infinity;
  let worst = 0;
  for (const e of events) {
    if (e.ts > max) max = e.ts;
    else worst = Math.max(worst, max - e.ts);
  }
  return worst;
}

test('results do not depend on how the input is chunked (cuts anywhere, even inside UTF-8 characters)', async () => {
  await fc.assert(
    fc.asyncProperty(eventsArb, fc.array(fc.nat(), { maxLength: 40 }), fc.integer({ min: 0, max: 20_000 }), async (events, cuts, ooo) => {
      const bytes = toJsonl(events);
      const whole = await run(bytes, [], ooo);
      assert.ok(whole.length > 0);
      assert.deepEqual(await run(bytes, cuts, ooo), whole);
      assert.deepEqual(await run(bytes, Array.from({ length: bytes.length }, (_, i) => i), ooo), whole);
    }),
    { numRuns: 60 },
  );
});

test('with outOfOrderness ≥ the largest disorder, a shuffled input gives the same results as the sorted one', async () => {
  await fc.assert(
    fc.asyncProperty(eventsArb.chain((events) => fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length }))), async ([events, shuffled]) => {
      const sorted = [...events].sort((x, y) => x.ts - y.ts);
      const ooo = disorder(shuffled);
      const fromSorted = await run(toJsonl(sorted), [], ooo);
      const fromShuffled = await run(toJsonl(shuffled), [], ooo);
      assert.ok(!fromShuffled.some((r) => r.includes('"kind":"late"')), 'no record may be late');
      // Floating-point sums depend on the order of addition (as in Flink): compare at 12 digits.
      assert.deepEqual(fromShuffled.map(roundFloats).sort(), fromSorted.map(roundFloats).sort());
    }),
    { numRuns: 80 },
  );
});
