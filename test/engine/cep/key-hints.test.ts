/**
 * Key hints (PatternOperator.useKeyHints) only make finding a key's state cheaper: whatever slot a
 * record's hint names — the key's own, one another key used, a stale one, none — the matches,
 * timeouts, late records and snapshots are those of the operator without hints, in the same order,
 * with keys going idle and coming back, non-string keys, and a snapshot / restore mid-stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OutputRecord } from '../../../src/engine/operator.js';
import { PatternOperator } from '../../../src/engine/cep/pattern-operator.js';
import type { PatternStep } from '../../../src/engine/cep/pattern-step.js';
import type { PatternSpec, StageSpec } from '../../../src/engine/spec.js';

type Rec = Record<string, unknown>;

const SLOTS = 4;

function stage(name: string, extra: Partial<StageSpec> = {}): StageSpec {
  return { name, quantifier: { kind: 'single' }, optional: false, greedy: false, consecutive: false, allowCombinations: false, ...extra };
}

const is =
  (v: string) =>
  (e: Rec): boolean =>
    e.v === v;

/** Binge-like (next, times, skip past last event) and followedByAny with a trailing notFollowedBy. */
const patterns: { spec: PatternSpec; where: Record<string, (e: Rec) => boolean> }[] = [
  {
    spec: { within: 12, skip: { kind: 'skipPastLastEvent' }, stages: [stage('start'), stage('more', { contiguity: 'next', quantifier: { kind: 'times', from: 2, to: 2 } })] },
    where: { start: is('a'), more: is('a') },
  },
  {
    spec: { within: 9, skip: { kind: 'noSkip' }, stages: [stage('first'), stage('then', { contiguity: 'followedByAny' }), stage('not', { contiguity: 'notFollowedBy' })] },
    where: { first: is('a'), then: is('b'), not: is('c') },
  },
];

function step(index: number): PatternStep {
  const { spec, where } = patterns[index]!;
  return {
    name: 'p',
    pattern: spec,
    emitTimeouts: true,
    lateOutput: true,
    filter: null,
    key: (fields) => fields.user,
    keyField: 'user',
    conditions: new Map(spec.stages.map((s) => [s.name, { where: where[s.name] ?? null, until: null }])),
    select: [],
  };
}

type Row = readonly [user: string | number, tsStep: number, v: string, hint: 'own' | number];

/** user, ts step (out of order at times), value, hint: 'own' is the key's own slot (as an intern table gives), else that slot or −1. */
const streams = fc.array(
  fc.tuple(
    fc.constantFrom<string | number>('a', 'b', 'c', 'd', 'e', 7),
    fc.integer({ min: -4, max: 9 }),
    fc.constantFrom('a', 'b', 'c', 'x'),
    fc.oneof(fc.constant('own' as const), fc.integer({ min: -1, max: SLOTS - 1 })),
  ),
  { maxLength: 80 },
);

function run(pattern: number, rows: readonly Row[], hinted: boolean, restoreAt: number): { timeline: string[]; snapshot: string } {
  let operator = new PatternOperator(step(pattern));
  const slots = new Int32Array(1).fill(-1);
  if (hinted) operator.useKeyHints(slots, 0, SLOTS);
  const timeline: string[] = [];
  const out = { emit: (record: OutputRecord) => timeline.push(JSON.stringify(record)) };
  let snapshot = '';
  let clock = 0;
  let maxTs = -Infinity;
  rows.forEach(([user, tsStep, v, hint], i) => {
    if (i === restoreAt) {
      const saved = operator.snapshot();
      snapshot = JSON.stringify(saved);
      operator = new PatternOperator(step(pattern));
      if (hinted) operator.useKeyHints(slots, 0, SLOTS);
      operator.restore(saved);
    }
    clock += 2;
    const ts = clock + tsStep;
    // String keys are fresh strings, equal but not the same object, as records read apart give them.
    const fields: Rec = { user: typeof user === 'string' ? `${user}!`.slice(0, -1) : user, v, i };
    slots[0] = hint === 'own' ? (typeof user === 'string' ? user.charCodeAt(0) % SLOTS : -1) : hint;
    operator.process(fields, ts, { line: i + 1, original: () => fields }, out);
    maxTs = Math.max(maxTs, ts);
    operator.advanceWatermark(maxTs - 3, out);
  });
  operator.advanceWatermark(Infinity, out);
  return { timeline, snapshot };
}

test('matches, timeouts, late records and snapshots do not depend on the key hints, right, shared, stale or missing', () => {
  let withResults = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: patterns.length - 1 }), streams, fc.integer({ min: 0, max: 80 }), (pattern, rows, restoreAt) => {
      const expected = run(pattern, rows, false, restoreAt);
      if (expected.timeline.some((line) => !line.includes('"kind":"late"'))) withResults++;
      assert.deepEqual(run(pattern, rows, true, restoreAt), expected);
    }),
    { numRuns: 500 },
  );
  // The streams exercise matching, not only late records: most runs produce matches or timeouts.
  assert.ok(withResults > 100, `${withResults} of 500 runs had matches or timeouts`);
});

test('a hint slot taken over by another key, and a key found by a second slot, find the right states', () => {
  // u1 and u2 share slot 0; u1 then comes with slot 1 (the table finds it, slot 1 now names it),
  // and slot 0 again names u2: each record lands in its own key's partial match.
  const rows: Row[] = [
    ['u1', 0, 'a', 0],
    ['u2', 0, 'a', 0],
    ['u1', 0, 'a', 1],
    ['u2', 0, 'a', 0],
    ['u1', 0, 'a', 0],
    ['u2', 0, 'a', 1],
  ];
  const plain = run(0, rows, false, -1);
  assert.deepEqual(
    plain.timeline.map((line) => JSON.parse(line) as { kind: string; key: string; events: Record<string, { i: number }[]> }).map((r) => `${r.kind} ${r.key} ${[...r.events.start!, ...r.events.more!].map((e) => e.i).join(',')}`),
    ['match u1 0,2,4', 'match u2 1,3,5'],
  );
  assert.deepEqual(run(0, rows, true, -1), plain);
});
