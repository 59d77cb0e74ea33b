/**
 * Key hints (PatternOperator.useKeyHints) only make finding a key's state cheaper: whatever slot a
 * record's hint names — the key's own, one another key used, a stale one, none — the matches,
 * timeouts, late records and snapshots are those of the operator without hints, in the same order,
 * with keys going idle and coming back, non-string keys, and a snapshot / restore mid-stream.
 * A counting probe on the key table's lookup shows the hint path ran: a record whose hint names
 * its key's live state does not look the key up, so an operator that ignored its hints would
 * fail here, not only one that used them wrongly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OutputRecord } from '../../../src/engine/operator.js';
import { KeyTable } from '../../../src/engine/cep/key-table.js';
import { PatternOperator } from '../../../src/engine/cep/pattern-operator.js';
import type { PatternStep } from '../../../src/engine/cep/pattern-step.js';
import type { PatternSpec, StageSpec } from '../../../src/engine/spec.js';

type Rec = Record<string, unknown>;

const SLOTS = 4;

/** Calls of KeyTable.get (every key table's) while `body` runs. */
function countLookups<T>(body: () => T): { result: T; lookups: number } {
  const get = KeyTable.prototype.get;
  let lookups = 0;
  KeyTable.prototype.get = function (this: KeyTable, ...args: [id: unknown, hash?: number]) {
    lookups++;
    return get.apply(this, args);
  };
  try {
    return { result: body(), lookups };
  } finally {
    KeyTable.prototype.get = get;
  }
}

/** The slots whose records an id was compared with (KeyTable.hasId, every key table's) while `body` runs. */
function slotsComparedBy(body: () => void): number[] {
  const hasId = KeyTable.prototype.hasId;
  const compared: number[] = [];
  KeyTable.prototype.hasId = function (this: KeyTable, slot: number, id: string) {
    compared.push(slot);
    return hasId.call(this, slot, id);
  };
  try {
    body();
  } finally {
    KeyTable.prototype.hasId = hasId;
  }
  return compared;
}

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
    fc.constantFrom<string | number>('a', 'b', 'c', 'd', 'e', 7, '\u0000a', '\u0000\u0000a'),
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
  let lookupsPlain = 0;
  let lookupsHinted = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: patterns.length - 1 }), streams, fc.integer({ min: 0, max: 80 }), (pattern, rows, restoreAt) => {
      const expected = countLookups(() => run(pattern, rows, false, restoreAt));
      if (expected.result.timeline.some((line) => !line.includes('"kind":"late"'))) withResults++;
      const hinted = countLookups(() => run(pattern, rows, true, restoreAt));
      assert.deepEqual(hinted.result, expected.result);
      // A hint never adds a lookup: it is tried first, and the table only when it fails.
      assert.ok(hinted.lookups <= expected.lookups, `${hinted.lookups} lookups with hints, ${expected.lookups} without`);
      lookupsPlain += expected.lookups;
      lookupsHinted += hinted.lookups;
    }),
    { numRuns: 500 },
  );
  // The streams exercise matching, not only late records: most runs produce matches or timeouts.
  assert.ok(withResults > 100, `${withResults} of 500 runs had matches or timeouts`);
  // And the hints were used: some records found their live key by its hint (an operator ignoring
  // its hints makes exactly as many lookups; ~7% fewer here, as keys go idle within a few records).
  assert.ok(lookupsHinted < lookupsPlain, `${lookupsHinted} lookups with hints, ${lookupsPlain} without`);
});

test('a record whose hint names its live key finds it without the key table', () => {
  // One key, live throughout (the watermark never passes its records): only its first record looks it up.
  const step0 = step(0);
  for (const hinted of [false, true]) {
    const operator = new PatternOperator(step0);
    const slots = new Int32Array([2]);
    if (hinted) operator.useKeyHints(slots, 0, SLOTS);
    const out = { emit: (): void => {} };
    const { lookups } = countLookups(() => {
      for (let i = 0; i < 10; i++) {
        const fields: Rec = { user: `u${'1'}`, v: 'a', i };
        operator.process(fields, 100 + i, { line: i + 1, original: () => fields }, out);
      }
    });
    assert.equal(lookups, hinted ? 1 : 10, hinted ? 'with hints' : 'without hints');
    assert.equal(operator.liveKeys, 1);
  }
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

test('a hint slot another key took is told apart without reading that key\'s record', () => {
  // u1 takes hint slot 0; u2 then comes with hint slot 0. The hint slot's hash (u1's) differs from
  // u2's, so the operator goes to the key table without comparing u2 with u1's record (with 20K
  // users in the reader's 16,384 slots, a third of the binge row's records: a cold line each).
  const operator = new PatternOperator(step(0));
  const slots = new Int32Array([0]);
  operator.useKeyHints(slots, 0, SLOTS);
  const out = { emit: (): void => {} };
  const feed = (user: string, i: number): void => {
    const fields: Rec = { user, v: 'a', i };
    operator.process(fields, 100 + i, { line: i + 1, original: () => fields }, out);
  };
  feed('u1', 0);
  const byHint = (): number => (operator as unknown as { byHint: Int32Array }).byHint[0]!;
  const u1 = byHint();
  assert.deepEqual(slotsComparedBy(() => feed('u2', 1)), [], 'u2 was compared with a key\'s record');
  assert.equal(operator.liveKeys, 2);
  const u2 = byHint();
  assert.notEqual(u2, u1);
  // u1 again, hint slot 0 (now u2's): found by the table, the right key; the hint names it again.
  feed('u1', 2);
  assert.equal(operator.liveKeys, 2);
  assert.equal(byHint(), u1);
});

test('a forgotten key\'s hint is not tried on its freed slot when the key returns', () => {
  // u1 (hint slot 0) goes idle and is forgotten; u2 (no hint) takes its freed slot; u1 returns with
  // hint slot 0. Trying the hint would compare u1 with u2's record (a cold line: with 20K users, a
  // key is usually forgotten between two of its records); the hint was taken back instead.
  const operator = new PatternOperator(step(0));
  const hints = new Int32Array(1);
  operator.useKeyHints(hints, 0, SLOTS);
  const out = { emit: (): void => {} };
  const feed = (user: string, hint: number, ts: number): void => {
    hints[0] = hint;
    const fields: Rec = { user, v: 'x', i: ts };
    operator.process(fields, ts, { line: ts, original: () => fields }, out);
  };
  feed('u1', 0, 100);
  operator.advanceWatermark(200, out);
  assert.equal(operator.liveKeys, 0, 'u1 was forgotten');
  feed('u2', -1, 300);
  assert.deepEqual(slotsComparedBy(() => feed('u1', 0, 301)), [], 'u1\'s hint was tried on its freed slot, now u2\'s');
  assert.equal(operator.liveKeys, 2);
});
