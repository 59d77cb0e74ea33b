/**
 * The linear pattern step's checkpoint copy (linear-snapshot-copy.ts) on its own, with keys and
 * runs made by hand: what the copier keeps from one copy to the next (its key list, its size
 * hints) must neither change a later copy nor keep a key alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearKeysCopier } from '../../../src/engine/cep/linear-snapshot-copy.js';
import type { LinearMatcher } from '../../../src/engine/cep/nfa/linear-matcher.js';
import { NONE, PendingRecords } from '../../../src/engine/cep/pending-records.js';
import { KeySlots } from '../../../src/engine/cep/key-slots.js';
import { aliveAfterGc } from '../../garbage-collection.js';

/** A key with runs given as lists of event numbers (event n: time 1000 + n, arrival n). */
interface FakeKey {
  key: string;
  timer: number;
  order: number;
  first: number;
  last: number;
  linearBlock: number;
  linearCapacity: number;
  linearCount: number;
  linearWaiting: { values: unknown[]; times: number[]; seqs: number[] }[];
  runs: number[][];
}

function fakeKey(name: string, order: number, runs: number[][]): FakeKey {
  return { key: name, timer: Infinity, order, first: NONE, last: NONE, linearBlock: 0, linearCapacity: runs.length, linearCount: runs.length, linearWaiting: [], runs };
}

const event = (n: number): { n: number } => ({ n });

/** The matcher's row reads, over the fake keys' run lists. */
const matcher = {
  seq: 100,
  runTaken: (key: FakeKey, i: number) => key.runs[i]!.length,
  runValue: (key: FakeKey, i: number, j: number) => event(key.runs[i]![j]!),
  runTime: (key: FakeKey, i: number, j: number) => 1000 + key.runs[i]![j]!,
  runSeq: (key: FakeKey, i: number, j: number) => key.runs[i]![j]!,
} as unknown as LinearMatcher<unknown>;

function copyOf(copier: LinearKeysCopier, keys: readonly FakeKey[]) {
  return copier.copy<FakeKey & { slot: number; hash: number }>((visit) => keys.forEach((k) => visit(k as FakeKey & { slot: number; hash: number })), keys.length, () => 0, new PendingRecords(new KeySlots()), matcher);
}

/** The plain form's runs per key, as event numbers (the records are the events). */
function runsOf(plain: unknown): Record<string, number[][]> {
  const keys = plain as { key: string; linear: { events: { value: { n: number } }[]; runs: number[][] } }[];
  return Object.fromEntries(keys.map((k) => [k.key, k.linear.runs.map((run) => run.map((i) => k.linear.events[i]!.value.n))]));
}

test('a smaller copy after a larger one (fewer keys, records and runs than the last copy sized for) reads back exactly', () => {
  const copier = new LinearKeysCopier((held) => held);
  const large = Array.from({ length: 300 }, (_, k) => fakeKey(`u${k}`, k, k % 3 === 0 ? [[k, k + 1, k + 2], [k + 1, k + 2]] : [[k, k + 1]]));
  const small = [fakeKey('a', 0, [[1, 2]]), fakeKey('b', 1, [[5]])];
  const first = copyOf(copier, large);
  assert.equal(first.held.length, 300 * 2 + 100 * 1);
  assert.deepEqual(runsOf(first.plain()), Object.fromEntries(large.map((k) => [k.key, k.runs])));
  const second = copyOf(copier, small);
  assert.equal(second.held.length, 3);
  assert.deepEqual(runsOf(second.plain()), { a: [[1, 2]], b: [[5]] });
  assert.equal(second.data.keys, 2);
});

test('the copier keeps no key past its copy: a key the operator lets go is garbage', async () => {
  const copier = new LinearKeysCopier((held) => held);
  let keys: FakeKey[] | null = Array.from({ length: 50 }, (_, k) => fakeKey(`u${k}`, k, [[k]]));
  const refs = keys.map((k) => new WeakRef(k));
  let copy: ReturnType<typeof copyOf> | null = copyOf(copier, keys);
  assert.equal(copy.data.keys, 50);
  keys = null;
  copy = null;
  assert.equal(await aliveAfterGc(refs), 0);
});

/** A copy of 40 keys whose walk throws at the 31st; returns weak references to the keys (nothing else holds them). */
function failedCopy(copier: LinearKeysCopier): WeakRef<FakeKey>[] {
  const keys = Array.from({ length: 40 }, (_, k) => fakeKey(`u${k}`, k, [[k, k + 1]]));
  assert.throws(
    () =>
      copier.copy<FakeKey & { slot: number; hash: number }>(
        (visit) =>
          keys.forEach((k, i) => {
            if (i === 30) throw new Error('key table changed under the walk');
            visit(k as FakeKey & { slot: number; hash: number });
          }),
        keys.length, () => 0, new PendingRecords(new KeySlots()), matcher,
      ),
    /key table changed/,
  );
  return keys.map((k) => new WeakRef(k));
}

test('a copy whose key walk fails partway keeps none of the keys it gathered, and the next copy reads back exactly', async () => {
  const copier = new LinearKeysCopier((held) => held);
  assert.equal(await aliveAfterGc(failedCopy(copier)), 0, 'keys gathered before the failure');
  const next = copyOf(copier, [fakeKey('a', 0, [[1, 2]])]);
  assert.deepEqual(runsOf(next.plain()), { a: [[1, 2]] });
});
