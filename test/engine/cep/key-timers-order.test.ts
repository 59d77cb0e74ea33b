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
