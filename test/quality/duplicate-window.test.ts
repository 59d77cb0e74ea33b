import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DuplicateWindow } from '../../src/quality/checks/duplicates.js';
import { runRules } from './run-rules.js';

const T0 = Date.UTC(2026, 0, 1);

/**
 * The reference: the duplicate window as first written — a Map from key to first-seen time with
 * deletion on eviction, and a FIFO of (key, time) admissions whose head is evicted once it is a
 * window behind the clock or the map holds more than maxKeys (deleting only while the map still
 * holds that admission's time).
 */
class ReferenceWindow {
  readonly held = new Map<number, number>();
  private readonly fifo: Array<[number, number]> = [];
  private head = 0;
  peak = 0;
  evictedByCap = 0;

  constructor(
    private readonly window: number,
    private readonly maxKeys: number,
  ) {}

  lookup(key: number): number {
    return this.held.get(key) ?? Number.NaN;
  }

  admit(key: number, time: number, clock: number): void {
    this.held.set(key, time);
    this.fifo.push([key, time]);
    while (this.head < this.fifo.length) {
      const overCap = this.held.size > this.maxKeys;
      const [k, t] = this.fifo[this.head]!;
      if (!overCap && t > clock - this.window) break;
      if (this.held.get(k) === t) {
        this.held.delete(k);
        if (overCap) this.evictedByCap++;
      }
      this.head++;
    }
    this.peak = Math.max(this.peak, this.held.size);
  }
}

test('DuplicateWindow decides and counts as a window with deletion (differential: stale slots, rebuilds, wrap-around, the cap, disorder)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: -50, max: 100 })), { maxLength: 4000 }),
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 1, max: 500 }),
      fc.constantFrom(4, 16, 4096),
      (steps, window, maxKeys, slots) => {
        const fast = new DuplicateWindow(window, maxKeys, slots);
        const reference = new ReferenceWindow(window, maxKeys);
        let clock = 0;
        let now = 0;
        for (const [small, step] of steps) {
          // Keys spread over 53 bits but many share low bits, so probing clusters and wraps;
          // times mostly advance, sometimes go back (late records).
          const key = small * 4096 * 4096 + (small % 7);
          now += step;
          if (now > clock) clock = now;
          const seen = reference.lookup(key);
          assert.equal(fast.lookup(key), seen);
          if (!Number.isNaN(seen) && Math.abs(now - seen) < window) continue;
          fast.admit(key, now, clock);
          reference.admit(key, now, clock);
          assert.equal(fast.size, reference.held.size);
        }
        assert.equal(fast.peak, reference.peak);
        assert.equal(fast.evictedByCap, reference.evictedByCap);
        for (const [key, time] of reference.held) assert.equal(fast.lookup(key), time);
      },
    ),
    { numRuns: 300 },
  );
});

test('duplicates: memory stays bounded by the event-time window (keys older than the window are evicted)', async () => {
  // 20,000 distinct keys, one per second of event time; the window holds 100 s of them.
  const records = Array.from({ length: 20_000 }, (_, i) => ({ id: `k${i}`, ts: T0 + i * 1000 }));
  const run = await runRules([{ id: 'd', type: 'duplicates', config: { key_fields: ['id'], window: '100s', timestamp_field: 'ts' } }], records);
  const details = run.report.rules[0]!.details;
  assert.equal(details['peak_keys'], 100, JSON.stringify(details));
  assert.equal(run.report.rules[0]!.failed, 0);
});

test('duplicates: max_keys caps the window and the report counts keys dropped early', async () => {
  const records = [...Array.from({ length: 50 }, (_, i) => ({ id: `k${i}`, ts: T0 + i })), { id: 'k0', ts: T0 + 60 }, { id: 'k49', ts: T0 + 61 }];
  const run = await runRules([{ id: 'd', type: 'duplicates', config: { key_fields: ['id'], window: '1h', timestamp_field: 'ts', max_keys: 10 } }], records);
  const rule = run.report.rules[0]!;
  // k0 was dropped by the cap, so its repeat is missed (and said); k49 is still held.
  // 40 keys are dropped while the 50 arrive and one more when k0 comes back as a new key.
  assert.deepEqual(run.failed['d'], [51]);
  assert.equal(rule.details['evicted_by_cap'], 41);
  assert.equal(rule.details['peak_keys'], 10);
});

test('duplicates: a key seen again after the window passes is a new first occurrence', async () => {
  const records = [{ id: 'a', ts: T0 }, { id: 'a', ts: T0 + 10_000 }, { id: 'a', ts: T0 + 5000 }, { id: 'a', ts: T0 + 10_001 }];
  const run = await runRules([{ id: 'd', type: 'duplicates', config: { key_fields: ['id'], window: '10s', timestamp_field: 'ts' } }], records);
  assert.deepEqual(run.failed['d'], [2, 3]);
});

test('duplicates: composite keys do not collide by concatenation', async () => {
  const records = [{ a: 'ab', b: 'c', timestamp: T0 }, { a: 'a', b: 'bc', timestamp: T0 }, { a: 1, b: 2, timestamp: T0 }, { a: 12, b: '', timestamp: T0 }];
  const run = await runRules([{ id: 'd', type: 'duplicates', config: { key_fields: ['a', 'b'] } }], records);
  assert.deepEqual(run.failed['d'], []);
});
