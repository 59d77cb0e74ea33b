/**
 * The TypeScript builder's parts that YAML cannot express (group patterns, within between events),
 * through the whole pipeline: the spec from `toSpec()` is compiled by compilePipeline (CEL
 * conditions of the group's stages included) and run by the pattern operator, with output records
 * as pipeline-spec.md fixes them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePipeline } from '../../../src/engine/compile-pipeline.js';
import type { Operator, OutputRecord } from '../../../src/engine/operator.js';
import { Pattern } from '../../../src/engine/cep/pattern/pattern.js';
import type { PatternSpec } from '../../../src/engine/spec.js';

type Rec = Record<string, unknown>;

function operatorFor(pattern: PatternSpec, select: { name: string; expr: string }[] = []): Operator {
  const compiled = compilePipeline({
    name: 'builder',
    time: { field: 'ts', outOfOrderness: 0 },
    steps: [{ kind: 'pattern', name: 'p', keyBy: { kind: 'fields', paths: ['user'], composite: false }, pattern, emitTimeouts: true, lateOutput: false, select }],
  });
  return compiled.operators[0]!;
}

/** Feeds records (their `ts` is the event time) with the watermark right behind; +∞ at the end. */
function run(op: Operator, records: readonly Rec[]): OutputRecord[] {
  const out: OutputRecord[] = [];
  const sink = { emit: (r: OutputRecord) => out.push(r) };
  records.forEach((record, i) => {
    op.process(record, record.ts as number, { line: i + 1, original: () => record }, sink);
    op.advanceWatermark((record.ts as number) - 1, sink);
  });
  op.advanceWatermark(Infinity, sink);
  return out;
}

const ev = (ts: number, type: string): Rec => ({ user: 'u1', ts, type });
const ids = (events: readonly unknown[] | undefined): number[] => (events ?? []).map((e) => (e as Rec).ts as number);

const cases: { name: string; run: () => void }[] = [
  {
    name: 'group pattern c (a b){2} d from the builder: CEL conditions of the group stages compiled, events under the inner stage names, select sees them',
    run() {
      const pattern = Pattern.begin('start').where("type == 'c'")
        .followedBy(Pattern.begin('middle1').where("type == 'a'").followedBy('middle2').where("type == 'b'"))
        .times(2)
        .followedBy('end').where("type == 'd'")
        .toSpec();
      const out = run(operatorFor(pattern, [{ name: 'pairs', expr: 'size(middle1)' }]), [
        ev(1, 'c'), ev(2, 'a'), ev(3, 'b'), ev(4, 'x'), ev(5, 'a'), ev(6, 'b'), ev(7, 'd'),
      ]);
      assert.equal(out.length, 1);
      const match = out[0] as OutputRecord & { events: Record<string, unknown[]>; fields: Rec };
      assert.equal(match.kind, 'match');
      assert.deepEqual(Object.keys(match.events), ['start', 'middle1', 'middle2', 'end']);
      assert.deepEqual(ids(match.events.middle1), [2, 5]);
      assert.deepEqual(ids(match.events.middle2), [3, 6]);
      assert.deepEqual(match.fields, { pairs: 2 });
    },
  },
  {
    name: "within('5ms', 'previousAndCurrent') on a stage: the partial match times out 5ms after its previous event, emitted as a timeout",
    run() {
      const pattern = Pattern.begin('search').where("type == 'search'")
        .followedBy('click').where("type == 'click'").within('5ms', 'previousAndCurrent')
        .toSpec();
      const out = run(operatorFor(pattern), [ev(10, 'search'), ev(13, 'click'), ev(20, 'search'), ev(30, 'click')]);
      assert.deepEqual(
        out.map((r) => [r.kind, (r as { start: number }).start, (r as { end: number }).end]),
        [['match', 10, 13], ['timeout', 20, 25]],
      );
    },
  },
];

for (const c of cases) test(c.name, c.run);
