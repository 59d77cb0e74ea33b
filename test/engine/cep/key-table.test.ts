/** The pattern operator's key table against a Map: same lookups, sizes and insertion order under churn. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyTable, stringHash } from '../../../src/engine/cep/key-table.js';

interface Entry {
  id: unknown;
  order: number;
  hash: number;
  n: number;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('KeyTable matches a Map under insert / delete churn, growth and mixed key types', () => {
  const next = random(7);
  const table = new KeyTable<Entry>();
  const map = new Map<unknown, Entry>();
  // String ids (most colliding in their low bits when few), numbers, -0 / 0 and NaN, booleans, null.
  const ids: unknown[] = [...Array.from({ length: 5000 }, (_, i) => `u${i}`), 1, 2.5, 0, -0, NaN, true, false, null, '', '\u00e9', 'x'.repeat(100)];
  for (let step = 0; step < 200_000; step++) {
    // A fresh string each time (as a reader gives), not the same object.
    let id = ids[Math.floor(next() * (step < 100_000 ? 800 : ids.length))];
    if (typeof id === 'string') id = [...id].join('');
    const got = table.get(id);
    assert.equal(got, map.get(id), `get ${String(id)} at step ${step}`);
    if (got === undefined) {
      const entry: Entry = { id, order: 0, hash: 0, n: step };
      table.add(entry);
      map.set(id, entry);
    } else if (next() < 0.7) {
      table.delete(got);
      map.delete(id);
    }
    assert.equal(table.size, map.size);
  }
  assert.deepEqual(table.values(), [...map.values()]);
  for (const id of ids) assert.equal(table.get(id), map.get(id));
});

test('stringHash spreads ids that differ in one character', () => {
  const low = new Set(Array.from({ length: 4096 }, (_, i) => stringHash(`u${i}`) & 4095));
  assert.ok(low.size > 2400, `only ${low.size} of 4096 buckets used`);
});
