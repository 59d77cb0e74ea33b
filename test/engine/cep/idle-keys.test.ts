/**
 * Idle keys (nothing buffered, no partial match) stay in the pattern operator's key table, found by
 * their hint, until 16,384 later keys have gone idle: a key idle between two of its records is
 * found again without a table lookup. Snapshots and liveKeys leave idle keys out, and a key found
 * again is listed as if added anew, so what the operator saves is what it saved when it forgot
 * idle keys at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputRecord } from '../../../src/engine/operator.js';
import { KeyTable } from '../../../src/engine/cep/key-table.js';
import { PatternOperator, type PatternKeySnapshot } from '../../../src/engine/cep/pattern-operator.js';
import type { PatternStep } from '../../../src/engine/cep/pattern-step.js';
import type { PatternSpec, StageSpec } from '../../../src/engine/spec.js';

type Rec = Record<string, unknown>;

function stage(name: string, extra: Partial<StageSpec> = {}): StageSpec {
  return { name, quantifier: { kind: 'single' }, optional: false, greedy: false, consecutive: false, allowCombinations: false, ...extra };
}

/** a, next b, within 10: a key whose `a` is followed by anything else, or by nothing for 10, goes idle. */
function step(): PatternStep {
  const pattern: PatternSpec = { within: 10, skip: { kind: 'skipPastLastEvent' }, stages: [stage('a'), stage('b', { contiguity: 'next' })] };
  return {
    name: 'p',
    pattern,
    emitTimeouts: false,
    lateOutput: false,
    filter: null,
    key: (fields) => fields.user,
    keyField: 'user',
    conditions: new Map([
      ['a', { where: (e: Rec) => e.v === 'a', until: null }],
      ['b', { where: (e: Rec) => e.v === 'b', until: null }],
    ]),
    select: [],
    conditionsReadStages: false,
  };
}

/** Calls of KeyTable.get while `body` runs. */
function countLookups(body: () => void): number {
  const get = KeyTable.prototype.get;
  let lookups = 0;
  KeyTable.prototype.get = function (this: KeyTable<never>, id: unknown) {
    lookups++;
    return get.call(this, id);
  };
  try {
    body();
  } finally {
    KeyTable.prototype.get = get;
  }
  return lookups;
}

/** An operator with key hints; `feed(user, ts, v, hint)` gives it a record (a fresh key string) and moves the watermark to ts − 1. */
function hinted(): { op: PatternOperator; feed: (user: string, ts: number, v: string, hint: number) => void; out: OutputRecord[] } {
  const op = new PatternOperator(step());
  const slots = new Int32Array(1);
  op.useKeyHints(slots, 0, 1 << 15);
  const out: OutputRecord[] = [];
  const sink = { emit: (r: OutputRecord) => out.push(r) };
  const feed = (user: string, ts: number, v: string, hint: number): void => {
    slots[0] = hint;
    const fields: Rec = { user: `${user}!`.slice(0, -1), v, ts };
    op.process(fields, ts, { line: ts, original: () => fields }, sink);
    op.advanceWatermark(ts - 1, sink);
  };
  return { op, feed, out };
}

test('a key that went idle is found again by its hint, without the key table', () => {
  const { op, feed, out } = hinted();
  feed('u1', 1, 'a', 5);
  feed('u1', 2, 'x', 5); // the run dies: u1 is idle once the watermark passes 2
  feed('u2', 3, 'x', 6);
  assert.equal(op.liveKeys, 1, 'u1 idle, u2 waiting');
  // u1 again: found by its hint (it was forgotten, and looked up, before idle keys were kept).
  assert.equal(countLookups(() => feed('u1', 4, 'a', 5)), 0);
  feed('u1', 5, 'b', 5);
  op.advanceWatermark(100, { emit: (r) => out.push(r) });
  assert.deepEqual(out.map((r) => `${r.kind} ${String(r.key)}`), ['match u1']);
  assert.equal(op.liveKeys, 0);
});

test('snapshots leave idle keys out, and list a key found again after the keys live since', () => {
  const { op, feed } = hinted();
  feed('u1', 1, 'a', 1);
  feed('u2', 2, 'a', 2);
  feed('u3', 3, 'a', 3);
  feed('u1', 4, 'x', 1); // u1's run dies: idle
  feed('u4', 5, 'x', 4);
  const keys = (): unknown[] => (op.snapshot().keys as PatternKeySnapshot[]).map((k) => k.key);
  assert.deepEqual(keys(), ['u2', 'u3', 'u4']);
  feed('u1', 6, 'a', 1); // u1 again: listed after u2 and u3, as a key added now (u4 went idle)
  assert.deepEqual(keys(), ['u2', 'u3', 'u1']);
  // The same through a checkpoint's copy, and restored.
  const restored = new PatternOperator(step());
  restored.restore(op.snapshot({ encoded: true }));
  assert.deepEqual((restored.snapshot().keys as PatternKeySnapshot[]).map((k) => k.key), ['u2', 'u3', 'u1']);
  assert.equal(restored.liveKeys, 3);
});

test('past 16,384 later idle keys, an idle key is forgotten (its next record looks it up)', () => {
  const { op, feed } = hinted();
  feed('first', 1, 'x', 1);
  let ts = 2;
  // 16,383 other keys go idle after it: `first` is still kept.
  for (let i = 0; i < 16_383; i++) feed(`k${i}`, ts++, 'x', 2 + i);
  feed('tick', ts++, 'x', 0);
  assert.equal(countLookups(() => feed('first', ts++, 'x', 1)), 0, 'kept');
  // `first` went idle again (last of the ring now); 16,384 more keys go idle: it is forgotten.
  for (let i = 0; i < 16_385; i++) feed(`m${i}`, ts++, 'x', 20_000 + (i % 10_000));
  assert.equal(countLookups(() => feed('first', ts++, 'x', 1)), 1, 'forgotten');
  assert.equal(op.liveKeys, 1);
});
