/**
 * PendingRecords: the pattern operator's pool of records waiting for the watermark, one linked
 * list per key in (time, arrival) order, and KeyTimers over key slots: the orders the operator's
 * output depends on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingRecords, type PendingList } from '../../../src/engine/cep/pending-records.js';
import { KeyTimers, type TimedKey } from '../../../src/engine/cep/key-timers.js';

type Rec = Record<string, unknown>;

interface Case {
  readonly name: string;
  /** Arrivals: [key, time]; the record is {key, n} with n its arrival number. */
  readonly arrivals: readonly (readonly [string, number])[];
  /** Per key, the arrival numbers in the order the key's list yields them. */
  readonly expected: Readonly<Record<string, readonly number[]>>;
}

const cases: Case[] = [
  { name: 'in-order arrivals are appended', arrivals: [['a', 1], ['a', 2], ['a', 3]], expected: { a: [0, 1, 2] } },
  { name: 'an earlier record goes before the later ones (out of order within the bound)', arrivals: [['a', 5], ['a', 3], ['a', 4], ['a', 1]], expected: { a: [3, 1, 2, 0] } },
  { name: 'equal times keep arrival order, also when inserted in the middle', arrivals: [['a', 5], ['a', 2], ['a', 5], ['a', 2], ['a', 9]], expected: { a: [1, 3, 0, 2, 4] } },
  { name: 'keys have separate lists in one pool', arrivals: [['a', 2], ['b', 1], ['a', 1], ['b', 3], ['c', 7]], expected: { a: [2, 0], b: [1, 3], c: [4] } },
];

for (const c of cases) {
  test(`PendingRecords: ${c.name}`, () => {
    const pool = new PendingRecords();
    const lists = new Map<string, PendingList>();
    c.arrivals.forEach(([key, time], n) => {
      let list = lists.get(key);
      if (list === undefined) lists.set(key, (list = { first: -1, last: -1 }));
      pool.add(list, time, { key, n });
    });
    for (const [key, order] of Object.entries(c.expected)) {
      const list = lists.get(key)!;
      const { times, records } = pool.list(list);
      assert.deepEqual(records.map((r) => r.n), order, `snapshot list of ${key}`);
      assert.deepEqual(times, order.map((n) => c.arrivals[n]![1]));
      const shifted: number[] = [];
      while (pool.firstTime(list) !== Infinity) shifted.push(pool.shift(list).n as number);
      assert.deepEqual(shifted, order, `shift order of ${key}`);
      assert.deepEqual(list, { first: -1, last: -1 });
    }
  });
}

test('PendingRecords: freed entries are reused (the pool does not grow with the records that passed through it)', () => {
  const pool = new PendingRecords();
  const list: PendingList = { first: -1, last: -1 };
  const record: Rec = {};
  for (let i = 0; i < 100_000; i++) {
    pool.add(list, i, record);
    pool.add(list, i, record);
    pool.shift(list);
    pool.shift(list);
  }
  // Two entries were ever live at once: the records array (one slot per entry) holds two.
  assert.equal((pool as unknown as { records: Rec[] }).records.length, 2);
});

test('KeyTimers over slots: (time, registration) order; a timer moved earlier gets a new registration; freed slots are reused', () => {
  const timers = new KeyTimers<TimedKey & { name: string }>();
  const key = (name: string) => ({ name, timer: Infinity, slot: -1 });
  const [a, b, c, d] = [key('a'), key('b'), key('c'), key('d')];
  for (const k of [a, b, c, d]) timers.attach(k);
  timers.schedule(a, 10);
  timers.schedule(b, 5);
  timers.schedule(c, 10);
  timers.schedule(d, 20);
  timers.schedule(d, 10); // moved earlier: registered after a and c
  const fired: string[] = [];
  while (timers.length > 0) fired.push(timers.pop().name);
  assert.deepEqual(fired, ['b', 'a', 'c', 'd']);
  assert.equal(timers.isQueued(a), false);
  timers.detach(b);
  const e = key('e');
  timers.attach(e);
  assert.equal(e.slot, 1); // b's slot
  timers.schedule(e, 1);
  assert.throws(() => timers.detach(e), /still has a timer/);
});
