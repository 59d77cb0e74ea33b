/** The "seeing why" core: PatternTrace records, per record of one key, condition results and partial-match changes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutputRecord } from '../../../src/engine/operator.js';
import { PatternOperator } from '../../../src/engine/cep/pattern-operator.js';
import { formatTrace, PatternTrace } from '../../../src/engine/cep/pattern-trace.js';
import type { PatternSpec, StageSpec } from '../../../src/engine/spec.js';

type Rec = Record<string, unknown>;
const stage = (name: string, extra: Partial<StageSpec> = {}): StageSpec => ({
  name, quantifier: { kind: 'single' }, optional: false, greedy: false, consecutive: false, allowCombinations: false, ...extra,
});

test('trace: a strict `next` broken by another event shows the failed condition and the dropped partial match; the other key is not traced', () => {
  const pattern: PatternSpec = { within: 100, skip: { kind: 'noSkip' }, stages: [stage('a'), stage('b', { contiguity: 'next' })] };
  const kindIs = (k: string) => (e: Rec) => e.kind === k;
  const op = new PatternOperator({
    name: 'p', pattern, emitTimeouts: true, lateOutput: false, filter: null, key: (f) => f.user,
    conditions: new Map([['a', { where: kindIs('a'), until: null }], ['b', { where: kindIs('b'), until: null }]]), select: [],
  });
  const trace = new PatternTrace('u1');
  op.observe(trace);
  const out: OutputRecord[] = [];
  const sink = { emit: (r: OutputRecord) => out.push(r) };
  const rows: [Rec, number][] = [[{ user: 'u1', kind: 'a' }, 1], [{ user: 'u2', kind: 'a' }, 2], [{ user: 'u1', kind: 'x' }, 3], [{ user: 'u1', kind: 'a' }, 4], [{ user: 'u1', kind: 'b' }, 5]];
  rows.forEach(([r, ts], i) => {
    op.process(r, ts, { line: i + 1, original: () => r }, sink);
    op.advanceWatermark(ts - 1, sink);
  });
  op.advanceWatermark(Infinity, sink);
  const records = trace.meaningful.filter((e) => e.kind === 'record');
  assert.deepEqual(records.map((e) => e.kind === 'record' && e.timestamp), [1, 3, 4, 5]);
  const second = records[1]!;
  assert.ok(second.kind === 'record');
  assert.deepEqual(second.conditions, [{ stage: 'b', kind: 'where', passed: false }, { stage: 'a', kind: 'where', passed: false }]);
  assert.deepEqual(second.changes.map((c) => [c.kind, c.state, c.start]), [['dropped', 'b', 1]]);
  const last = records[3]!;
  assert.ok(last.kind === 'record');
  assert.deepEqual(last.changes.map((c) => c.kind), ['completed']);
  assert.equal(last.alive.length, 0);
  assert.match(formatTrace(trace.meaningful), /- dropped {4}at b, started 1970-01-01T00:00:00\.001Z, a×1/);
  // u2's partial match times out at the end; it is not u1's business.
  assert.deepEqual(out.map((r) => [r.kind, r.key]), [['match', 'u1'], ['timeout', 'u2']]);
});
