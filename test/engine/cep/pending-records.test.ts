/**
 * PendingRecords: the pattern operator's pool of records waiting for the watermark, one linked
 * list per key in (time, arrival) order, and KeyTimers over key slots: the orders the operator's
 * output depends on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NONE, PendingRecords, type PendingList } from '../../../src/engine/cep/pending-records.js';
import { KeyTimers } from '../../../src/engine/cep/key-timers.js';
import { FIRST, KeySlots, LAST, NO_SLOT, SLOT_INTS } from '../../../src/engine/cep/key-slots.js';
import { random } from '../../seeded-random.js';
import { namedTimers } from './named-timers.js';

type Rec = Record<string, unknown>;

/** A key's list as the snapshot copiers read it: its first entry, from its slot's record. */
function listOf(slots: KeySlots, slot: number): PendingList {
  return { first: slots.ints[slot * SLOT_INTS + FIRST]! };
}

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
    const slots = new KeySlots();
    const pool = new PendingRecords(slots);
    const lists = new Map<string, number>();
    c.arrivals.forEach(([key, time], n) => {
      let slot = lists.get(key);
      if (slot === undefined) lists.set(key, (slot = slots.allocate()));
      pool.add(slot, time, { key, n });
    });
    for (const [key, order] of Object.entries(c.expected)) {
      const slot = lists.get(key)!;
      const list = listOf(slots, slot);
      const { times, records } = pool.list(list);
      assert.deepEqual(records.map((r) => r.n), order, `snapshot list of ${key}`);
      assert.deepEqual(times, order.map((n) => c.arrivals[n]![1]));
      // The in-place walk a binary snapshot uses gives the same entries.
      const walked: { time: number; n: unknown }[] = [];
      for (let at = list.first; at !== NONE; at = pool.after(at)) walked.push({ time: pool.timeAt(at), n: pool.recordAt(at).n });
      assert.equal(pool.count(list.first), order.length);
      assert.deepEqual(walked, order.map((n) => ({ time: c.arrivals[n]![1], n })), `in-place walk of ${key}`);
      const shifted: number[] = [];
      while (pool.firstTime(slot) !== Infinity) shifted.push(pool.shift(slot).n as number);
      assert.deepEqual(shifted, order, `shift order of ${key}`);
      assert.deepEqual([slots.ints[slot * SLOT_INTS + FIRST], slots.ints[slot * SLOT_INTS + LAST]], [NONE, NONE]);
    }
  });
}

test('PendingRecords: freed entries are reused (the pool does not grow with the records that passed through it)', () => {
  const slots = new KeySlots();
  const pool = new PendingRecords(slots);
  const slot = slots.allocate();
  const record: Rec = {};
  for (let i = 0; i < 100_000; i++) {
    pool.add(slot, i, record);
    pool.add(slot, i, record);
    pool.shift(slot);
    pool.shift(slot);
  }
  // Two entries were ever live at once: the records array (one slot per entry) holds two.
  assert.equal((pool as unknown as { records: Rec[] }).records.length, 2);
});

test('KeyTimers over slots: (time, registration) order; a timer moved earlier gets a new registration; freed slots are reused', () => {
  const { slots, timers, names, key } = namedTimers();
  const [a, b, c, d] = [key('a'), key('b'), key('c'), key('d')];
  timers.schedule(a, 10);
  timers.schedule(b, 5);
  timers.schedule(c, 10);
  timers.schedule(d, 20);
  timers.schedule(d, 10); // moved earlier: registered after a and c
  const fired: string[] = [];
  while (timers.length > 0) fired.push(names[timers.pop()]!);
  assert.deepEqual(fired, ['b', 'a', 'c', 'd']);
  assert.equal(timers.isQueued(a), false);
  slots.release(b);
  const e = key('e');
  assert.equal(e, 1); // b's slot
  assert.equal(timers.isQueued(e), false);
  timers.schedule(e, 1);
  assert.equal(timers.pop(), e);
});

// The queue has a timing wheel for integer times near its cursor, a far wheel of 8,192 ms buckets
// past it (4.7 h) and a heap for the rest; a reference (a list sorted by (time, registration)) must
// agree on every pop (`pop` and `popDue`), whatever mix of near, far (past the near wheel's 16,384
// buckets, or past the far wheel), non-integer, negative, moved-earlier and equal times, and gaps
// that leave the near wheel empty while far timers wait.
const steady = (r: () => number): number => Math.floor(r() * 40);
// Binge-like: each key keeps an expiry (far) for a while, set again after records (near) fire.
const expiries = new Map<number, number>();
for (const [name, seed, timeOf, advance] of [
  ['near integer times, many ties', 1, (now: number, r: () => number) => now + Math.floor(r() * 50), steady],
  ['epoch milliseconds with far expiries (2 h) and fractions', 2, (now: number, r: () => number) => {
    const x = r();
    return x < 0.2 ? now + 7_200_000 : x < 0.3 ? now + r() * 100 : now + Math.floor(r() * 5000);
  }, steady],
  ['sparse times (gaps past the wheel) and negatives', 3, (now: number, r: () => number) => (r() < 0.5 ? now + Math.floor(r() * 100_000) - 50_000 : now + Math.floor(r() * 20)), steady],
  ['far expiries coming due (the far wheel moved in), equal far times', 4, (now: number, r: () => number) => {
    const x = r();
    return x < 0.5 ? now + 10_000 + 1_000 * Math.floor(r() * 40) : x < 0.6 ? now + r() * 100 : now + Math.floor(r() * 300);
  }, steady],
  ['gaps that empty the near wheel while far timers wait; past the far wheel', 5, (now: number, r: () => number) => {
    const x = r();
    return x < 0.4 ? now + 1_000 * Math.floor(r() * 3_000) : x < 0.5 ? now + 20_000_000 + Math.floor(r() * 10) : now + Math.floor(r() * 200);
  }, (r: () => number) => (r() < 0.03 ? Math.floor(r() * 2_000_000) : Math.floor(r() * 40))],
  ['a key\'s far expiry set again after its records, equal expiries across keys', 6, (now: number, r: () => number, id: number) => {
    let expiry = expiries.get(id);
    if (expiry === undefined || expiry <= now || r() < 0.1) expiries.set(id, (expiry = now + 20_000 + 500 * Math.floor(r() * 20)));
    return r() < 0.5 ? expiry : now + Math.floor(r() * 300);
  }, steady],
] as const) {
  test(`KeyTimers agrees with a sorted reference: ${name}`, () => {
    const r = random(seed);
    const slots = new KeySlots();
    const timers = new KeyTimers(slots);
    const keys = Array.from({ length: 300 }, (_, id) => ({ id, slot: slots.allocate() }));
    for (const k of keys) timers.attach(k.slot);
    const reference = new Map<number, { time: number; seq: number }>();
    let seq = 0;
    let now = seed === 2 ? Date.UTC(2026, 0, 1) : 0;
    const parts = timers as unknown as { size: number; wheelSize: number; farLive: number; farCount: number };
    let farTakenAgain = 0;
    let inHeap = 0;
    let inWheel = 0;
    let inFar = 0;
    let farMovedIn = 0;
    for (let step = 0; step < 20_000; step++) {
      inHeap = Math.max(inHeap, parts.size);
      inWheel = Math.max(inWheel, parts.wheelSize);
      inFar = Math.max(inFar, parts.farLive);
      if (r() < 0.55) {
        // Schedule: a new timer, or an earlier one for a queued key (the operator only moves timers earlier).
        const key = keys[Math.floor(r() * keys.length)]!;
        const time = timeOf(now, r, key.id);
        const queued = reference.get(key.id);
        if (queued !== undefined && time >= queued.time) continue;
        const [farEntries, farLive] = [parts.farCount, parts.farLive];
        timers.schedule(key.slot, time);
        // Set in the far wheel (one more live far timer) without a new entry: its old one taken again.
        if (parts.farLive > farLive && parts.farCount === farEntries) farTakenAgain++;
        reference.set(key.id, { time, seq: seq++ });
      } else {
        // Advance: pop everything due at `now`, as the operator's advanceWatermark does.
        now += advance(r);
        const farBefore = parts.farLive;
        const expected = [...reference].filter(([, t]) => t.time <= now).sort(([, a], [, b]) => a.time - b.time || a.seq - b.seq);
        const fired: number[] = [];
        // Slots were allocated in order: slot i is keys[i].
        const take = (slot: number): void => {
          fired.push(keys[slot]!.id);
          reference.delete(keys[slot]!.id);
        };
        // Both ways of popping on alternate steps: `earliest` then pop (popDue without a bound), and popDue(now) (the operator's).
        if (step % 2 === 0) while (timers.length > 0 && timers.earliest <= now) take(timers.pop());
        else for (let slot = timers.popDue(now); slot !== NO_SLOT; slot = timers.popDue(now)) take(slot);
        assert.deepEqual(fired, expected.map(([id]) => id), `step ${step}`);
        const earliest = Math.min(...[...reference.values()].map((t) => t.time));
        assert.equal(timers.earliest, earliest);
        assert.equal(timers.length, reference.size);
        if (parts.farLive < farBefore) farMovedIn++;
      }
      if (step % 1000 === 0) {
        for (const k of keys) {
          assert.equal(timers.registrationOf(k.slot), reference.get(k.id)?.seq ?? 0);
          assert.equal(timers.timeOf(k.slot), reference.get(k.id)?.time ?? Infinity, `timeOf ${k.id} at step ${step}`);
        }
      }
    }
    // The parts held many timers at some point: the test compared their paths, not one.
    assert.ok(inWheel > 5, `wheel ${inWheel}`);
    if (seed === 3 || seed === 5) assert.ok(inHeap > 8, `heap ${inHeap}`);
    if (seed === 2 || seed >= 4) assert.ok(inFar > 20, `far wheel ${inFar}`);
    if (seed === 6) assert.ok(farTakenAgain > 100, `far entries taken again: ${farTakenAgain}`);
    if (seed >= 4) assert.ok(farMovedIn > 10, `far timers moved in at ${farMovedIn} advances`);
  });
}
