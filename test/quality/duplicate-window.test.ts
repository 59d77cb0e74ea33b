import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FirstSeenTable } from '../../src/quality/checks/duplicates.js';
import { runRules } from './run-rules.js';

const T0 = Date.UTC(2026, 0, 1);

test('FirstSeenTable agrees with a Map on random set/get/delete sequences (differential, incl. growth and wrap-around)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('set', 'get', 'delete'), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 1e6 })), { maxLength: 3000 }),
      (ops) => {
        const table = new FirstSeenTable();
        const reference = new Map<number, number>();
        for (const [op, small, time] of ops) {
          // Keys spread over 53 bits but many share low bits, so probing clusters and wraps.
          const key = small * 4096 * 4096 + (small % 7);
          if (op === 'set') {
            table.set(key, time);
            reference.set(key, time);
          } else if (op === 'delete') {
            table.delete(key);
            reference.delete(key);
          }
          const expected = reference.get(key);
          assert.equal(table.get(key), expected === undefined ? Number.NaN : expected);
          assert.equal(table.size, reference.size);
        }
        for (const [key, time] of reference) assert.equal(table.get(key), time);
      },
    ),
    { numRuns: 200 },
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
