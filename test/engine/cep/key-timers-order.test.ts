/**
 * KeyTimers (one timer per key, a heap of 32-byte records) against a sorted list: due timers come
 * out in time order, ties in registration order, across moves earlier and later, fractional and
 * far times (the heap, not the near-time buckets), a heap grown past its first capacity, and a
 * snapshot loaded into a new table as a restore does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyTimers } from '../../../src/engine/cep/key-timers.js';
import { random } from '../../seeded-random.js';

interface Key {
  readonly id: number;
  slot: number;
}

for (const seed of [2, 3, 4, 5, 7]) {
  test(`due timers in time order, ties in registration order, against a sorted list (seed ${seed})`, () => {
    const r = random(seed);
    let timers = new KeyTimers<Key>();
    const count = seed % 2 === 1 ? 3_000 : 600;
    const keys: Key[] = Array.from({ length: count }, (_, id) => ({ id, slot: -1 }));
    for (const key of keys) timers.attach(key);
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
        timers.schedule(key, time);
        expected.set(key.id, { time, seq: seq++ });
      } else if (x < 0.62) {
        // As a restore does: every key's timer and registration into a new table.
        const entries = keys.filter((key) => expected.has(key.id)).map((key) => ({ key, time: timers.timeOf(key), registration: timers.registrationOf(key) }));
        const next = timers.nextRegistration;
        timers = new KeyTimers<Key>();
        for (const key of keys) timers.attach(key);
        timers.load(entries, next);
      } else {
        now += Math.floor(r() * (r() < 0.01 ? 2e6 : 20));
        const due = [...expected].filter(([, t]) => t.time <= now).sort(([, a], [, b]) => a.time - b.time || a.seq - b.seq).map(([id]) => id);
        const fired: number[] = [];
        for (let key = timers.popDue(now); key !== null; key = timers.popDue(now)) {
          fired.push(key.id);
          expected.delete(key.id);
        }
        assert.deepEqual(fired, due, `step ${step}`);
        assert.equal(timers.length, expected.size);
      }
      if (step % 2_000 === 0) {
        for (const key of keys) {
          assert.equal(timers.timeOf(key), expected.get(key.id)?.time ?? Infinity);
          assert.equal(timers.registrationOf(key), expected.get(key.id)?.seq ?? 0);
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
  const timers = new KeyTimers<Key>();
  const heapSize = (): number => (timers as unknown as { size: number }).size;
  // Far times with a fraction: the heap (the wheel holds integer times near its cursor).
  const [a, b] = [{ id: 0, slot: -1 }, { id: 1, slot: -1 }];
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
  assert.equal(timers.popDue(10), null);
  assert.equal(timers.length, 1);
  timers.schedule(a, 7_200_002.5); // a's next expiry takes its old entry
  assert.equal(heapSize(), 2);
  assert.equal(timers.registrationOf(a), 3);
  assert.equal(timers.popDue(Infinity), b);
  assert.equal(timers.popDue(Infinity), a);
  assert.equal(heapSize(), 0);
  // A stale entry at the top is dropped when the queue is next asked; detach drops one anywhere.
  timers.schedule(a, 7_200_000.5);
  timers.schedule(a, 20);
  timers.schedule(b, 7_300_000.5);
  timers.schedule(b, 30);
  assert.equal(heapSize(), 2);
  assert.equal(timers.popDue(20), a);
  assert.equal(timers.popDue(25), null);
  assert.equal(heapSize(), 0, 'both stale entries went at the top');
  timers.schedule(a, 7_200_000.5);
  timers.schedule(a, 40);
  assert.equal(timers.popDue(40), b);
  assert.equal(timers.popDue(40), a);
  timers.detach(a);
  assert.equal(heapSize(), 0);
  assert.equal(timers.earliest, Infinity);
});
