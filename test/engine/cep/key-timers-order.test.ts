/**
 * KeyTimers (one timer per key, a heap of 32-byte records) against a sorted list: due timers come
 * out in time order, ties in registration order, across moves earlier and later, fractional and
 * far times (the heap, not the near-time buckets), a heap grown past its first capacity, and a
 * snapshot loaded into a new table as a restore does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { KeyTimers } from '../../../src/engine/cep/key-timers.js';
import { KeySlots, NO_SLOT } from '../../../src/engine/cep/key-slots.js';
import { random } from '../../seeded-random.js';
import { namedTimers } from './named-timers.js';

interface Key {
  readonly id: number;
  slot: number;
}

/** A queue over new slots, one per key (as the operator allocates them), in order. */
function timersOf(keys: Key[]): KeyTimers {
  const slots = new KeySlots();
  const timers = new KeyTimers(slots);
  for (const key of keys) {
    key.slot = slots.allocate();
    timers.attach(key.slot);
  }
  return timers;
}

for (const seed of [2, 3, 4, 5, 7]) {
  test(`due timers in time order, ties in registration order, against a sorted list (seed ${seed})`, () => {
    const r = random(seed);
    const count = seed % 2 === 1 ? 3_000 : 600;
    const keys: Key[] = Array.from({ length: count }, (_, id) => ({ id, slot: -1 }));
    let timers = timersOf(keys);
    const expected = new Map<number, { time: number; seq: number }>();
    let seq = 0;
    let now = 0;
    let largest = 0;
    for (let step = 0, steps = seed % 2 === 1 ? 60_000 : 20_000; step < steps; step++) {
      // The heap's entry count (private: the table's own length counts the wheel's timers too).
      largest = Math.max(largest, (timers as unknown as { size: number }).size);
      const x = r();
      if (x < 0.6) {
        const key = keys[Math.floor(r() * count)]!;
        const kind = r();
        const time = kind < 0.4 ? now + 0.5 + Math.floor(r() * 5) : kind < 0.7 ? now + 1e6 + Math.floor(r() * 3) : now + Math.floor(r() * 30);
        const before = expected.get(key.id);
        if (before !== undefined && time >= before.time && r() < 0.5) continue;
        timers.schedule(key.slot, time);
        expected.set(key.id, { time, seq: seq++ });
      } else if (x < 0.62) {
        // As a restore does: every key's timer and registration into a new table.
        const entries = keys.filter((key) => expected.has(key.id)).map((key) => ({ key, time: timers.timeOf(key.slot), registration: timers.registrationOf(key.slot) }));
        const next = timers.nextRegistration;
        timers = timersOf(keys);
        timers.load(entries.map(({ key, time, registration }) => ({ slot: key.slot, time, registration })), next);
      } else {
        now += Math.floor(r() * (r() < 0.01 ? 2e6 : 20));
        const due = [...expected].filter(([, t]) => t.time <= now).sort(([, a], [, b]) => a.time - b.time || a.seq - b.seq).map(([id]) => id);
        const fired: number[] = [];
        for (let slot = timers.popDue(now); slot !== NO_SLOT; slot = timers.popDue(now)) {
          const key = keys.find((k) => k.slot === slot)!;
          fired.push(key.id);
          expected.delete(key.id);
        }
        assert.deepEqual(fired, due, `step ${step}`);
        assert.equal(timers.length, expected.size);
      }
      if (step % 2_000 === 0) {
        for (const key of keys) {
          assert.equal(timers.timeOf(key.slot), expected.get(key.id)?.time ?? Infinity);
          assert.equal(timers.registrationOf(key.slot), expected.get(key.id)?.seq ?? 0);
        }
      }
    }
    if (seed % 2 === 1) assert.ok(largest > 256, `the heap grew past its first capacity (${largest})`);
  });
}

// A key's `within` expiry (far: the heap) moved to a record's time (near: the wheel) leaves its heap
// entry in place, stale; the key's next heap timer takes that entry, and a stale entry that reaches
// the top is dropped. So each of a binge key's records costs no heap removal at a cold index.
test('a timer moved from the heap to the wheel leaves its heap entry for the key\'s next heap timer', () => {
  const slots = new KeySlots();
  const timers = new KeyTimers(slots);
  const heapSize = (): number => (timers as unknown as { size: number }).size;
  // Far times with a fraction: the heap (the wheel holds integer times near its cursor).
  const [a, b] = [slots.allocate(), slots.allocate()];
  timers.attach(a);
  timers.attach(b);
  timers.schedule(a, 7_200_000.5);
  timers.schedule(b, 7_200_001.5);
  assert.equal(heapSize(), 2);
  timers.schedule(a, 10); // a record: the wheel
  assert.equal(heapSize(), 2, 'a\'s heap entry stays');
  assert.equal(timers.length, 2);
  assert.equal(timers.timeOf(a), 10);
  assert.equal(timers.popDue(10), a);
  assert.equal(timers.popDue(10), NO_SLOT);
  assert.equal(timers.length, 1);
  timers.schedule(a, 7_200_002.5); // a's next expiry takes its old entry
  assert.equal(heapSize(), 2);
  assert.equal(timers.registrationOf(a), 3);
  assert.equal(timers.popDue(Infinity), b);
  assert.equal(timers.popDue(Infinity), a);
  assert.equal(heapSize(), 0);
  // A stale entry at the top is dropped when the queue is next asked.
  timers.schedule(a, 7_200_000.5);
  timers.schedule(a, 20);
  timers.schedule(b, 7_300_000.5);
  timers.schedule(b, 30);
  assert.equal(heapSize(), 2);
  assert.equal(timers.popDue(20), a);
  assert.equal(timers.popDue(25), NO_SLOT);
  assert.equal(heapSize(), 0, 'both stale entries went at the top');
  // A stale entry below the top stays; the slot, freed and given to a new key, keeps it: the new
  // key's heap timer takes it.
  timers.schedule(b, 7_100_000.5);
  timers.schedule(a, 7_200_000.5);
  timers.schedule(a, 40);
  assert.equal(timers.popDue(40), a);
  assert.equal(heapSize(), 2, 'b\'s entry, and a\'s stale one below it');
  slots.release(a);
  const c = slots.allocate();
  assert.equal(c, a);
  timers.attach(c);
  assert.equal(timers.timeOf(c), Infinity);
  timers.schedule(c, 7_500_000.5);
  assert.equal(heapSize(), 2, 'c took a\'s entry');
  assert.equal(timers.popDue(Infinity), b);
  assert.equal(timers.popDue(Infinity), c);
  assert.equal(heapSize(), 0);
  assert.equal(timers.earliest, Infinity);
});

// A binge key's `within` expiry (integer epoch milliseconds, 2 h ahead) goes to the far wheel, not
// the heap, where each fire rewrote and sifted the key's entry. Each record moves the timer to the
// near wheel (earlier), leaving the far entry; the next fire sets the expiry again (unchanged: the
// entry is taken again, with a new registration) or a later one (a new entry, the old one stale).
// Ties keep registration order across the far wheel, the near wheel it moves into, and the heap.
test('far timers: expiries in the far wheel keep (time, registration) order with near and heap timers', () => {
  const { timers, names, key } = namedTimers();
  const parts = timers as unknown as { size: number; wheelSize: number; farLive: number; farCount: number };
  const [a, b, c, d, f] = [key('a'), key('b'), key('c'), key('d'), key('f')];
  const t0 = Date.UTC(2026, 0, 1);
  const expiry = t0 + 7_200_000;
  timers.schedule(a, t0);
  assert.equal(timers.popDue(t0), a);
  timers.schedule(a, expiry);
  timers.schedule(b, expiry);
  timers.schedule(c, expiry - 1_000);
  assert.equal(parts.size, 0, 'no heap entry');
  assert.equal(parts.farLive, 3);
  // A record of a: its timer moved earlier, to the near wheel; the far entry stays, stale.
  timers.schedule(a, t0 + 10);
  assert.equal(timers.timeOf(a), t0 + 10);
  assert.deepEqual([parts.farLive, parts.farCount, parts.wheelSize], [2, 3, 1]);
  assert.equal(timers.popDue(t0 + 10), a);
  // a's fire: its expiry unchanged, registered again (after b's); its far entry is taken again, not added.
  timers.schedule(a, expiry);
  assert.ok(timers.registrationOf(a) > timers.registrationOf(b));
  assert.deepEqual([parts.farLive, parts.farCount], [3, 3]);
  // A record of c, then its fire: a later expiry.
  timers.schedule(c, t0 + 20);
  assert.equal(timers.popDue(t0 + 20), c);
  timers.schedule(c, expiry + 1);
  assert.deepEqual([parts.size, parts.farLive, parts.farCount, timers.length], [0, 3, 4, 3]);
  assert.equal(timers.earliest, expiry);
  // Nothing due before the expiry: the far bucket holding it moves into the near wheel (the near
  // wheel was empty), and a timer set at the same time afterwards goes there, behind a and b.
  assert.equal(timers.popDue(expiry - 1), NO_SLOT);
  assert.equal(parts.farLive, 0);
  timers.schedule(d, expiry);
  timers.schedule(f, expiry + 0.5); // not an integer: the heap
  assert.equal(parts.size, 1);
  const fired: string[] = [];
  for (let slot = timers.popDue(Infinity); slot !== NO_SLOT; slot = timers.popDue(Infinity)) fired.push(names[slot]!);
  assert.deepEqual(fired, ['b', 'a', 'd', 'f', 'c']);
  assert.equal(timers.length, 0);
});

// Stale far entries are not kept for the far wheel's 4.7 h: a sweep drops them when they have
// doubled since the last (here each record's fire sets a new expiry, leaving one).
test('far timers: stale far entries are swept', () => {
  const slots = new KeySlots();
  const timers = new KeyTimers(slots);
  const parts = timers as unknown as { farLive: number; farCount: number };
  const keys = Array.from({ length: 100 }, () => slots.allocate());
  for (const slot of keys) timers.attach(slot);
  const t0 = Date.UTC(2026, 0, 1);
  let most = 0;
  for (let i = 0; i < 100_000; i++) {
    const t = t0 + 2 * i;
    const slot = keys[i % 100]!;
    // A record, its fire, the key's expiry 2 h after the record: one stale far entry each.
    timers.schedule(slot, t);
    for (let fired = timers.popDue(t); fired !== NO_SLOT; fired = timers.popDue(t)) timers.schedule(fired, t + 7_200_000);
    most = Math.max(most, parts.farCount);
  }
  assert.equal(parts.farLive, 100);
  assert.ok(most <= 4 * 100 + 4096, `at most ${most} far entries`);
  // The sweeps kept the live entries: each key fires at its last expiry.
  const expected = [...keys].sort((x, y) => timers.timeOf(x) - timers.timeOf(y));
  const fired: number[] = [];
  for (let slot = timers.popDue(Infinity); slot !== NO_SLOT; slot = timers.popDue(Infinity)) fired.push(slot);
  assert.deepEqual(fired, expected);
});

// A key whose expiry goes back to an earlier far time (A, B, A …) has two valid entries at A (its
// far time is A again): the sweep keeps one per key, so they do not pile up (a review found
// 134K entries for one key after 200K such moves).
test('far timers: a sweep keeps one entry per key when its expiry returns to an earlier time', () => {
  const slots = new KeySlots();
  const timers = new KeyTimers(slots);
  const parts = timers as unknown as { farLive: number; farCount: number };
  const [a, b] = [slots.allocate(), slots.allocate()];
  timers.attach(a);
  timers.attach(b);
  const t0 = Date.UTC(2026, 0, 1);
  timers.schedule(a, t0);
  assert.equal(timers.popDue(t0), a);
  // A near timer keeps the near wheel from restarting (and dropping the far wheel) at each move.
  timers.schedule(b, t0 + 1000);
  const [first, second] = [t0 + 7_200_000, t0 + 7_200_001];
  let most = 0;
  for (let i = 0; i < 50_000; i++) {
    timers.schedule(a, i % 2 === 0 ? first : second);
    most = Math.max(most, parts.farCount);
  }
  assert.ok(most <= 2 * 2 + 4096, `at most ${most} far entries`);
  assert.equal(parts.farLive, 1);
  // Still in (time, registration) order: b, then a at its last time.
  assert.deepEqual([timers.popDue(Infinity), timers.popDue(Infinity), timers.popDue(Infinity)], [b, a, NO_SLOT]);
  assert.equal(timers.timeOf(a), Infinity);
});

// Event times past 2^53 (a record's "max" timestamp, 2^63 − 1 as a double) are not wheel times:
// the wheel's scan moves in steps of at most 32, which such a double does not change, and a
// timer at 2^60 hung `earliest` and `popDue`. They go to the heap, in order with the others. Run
// in a child process with a time limit: a hang would stop this file's other tests too.
test('timers past 2^53 come out in order and do not hang the wheel', () => {
  const modules = new URL('../../../src/engine/cep/', import.meta.url).href;
  const script = `
    const { KeyTimers } = await import('${modules}key-timers.js');
    const { KeySlots, NO_SLOT } = await import('${modules}key-slots.js');
    const slots = new KeySlots();
    const timers = new KeyTimers(slots);
    const [a, b, c] = [slots.allocate(), slots.allocate(), slots.allocate()];
    for (const slot of [a, b, c]) timers.attach(slot);
    timers.schedule(a, 2 ** 60);
    const earliest = timers.earliest;
    timers.schedule(b, 9223372036854775807);
    timers.schedule(c, Date.UTC(2026, 0, 1));
    const order = [timers.popDue(Infinity), timers.popDue(Infinity), timers.popDue(Infinity), timers.popDue(Infinity)];
    console.log(JSON.stringify({ earliest, order: order.map((slot) => ({ [a]: 'a', [b]: 'b', [c]: 'c', [NO_SLOT]: 'none' })[slot]) }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(child.signal, null, 'the queue hung (killed after 20 s)');
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), { earliest: 2 ** 60, order: ['c', 'a', 'b', 'none'] });
});
