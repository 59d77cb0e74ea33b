/** The pattern operator's key table against a Map: same lookups, sizes and insertion order under churn. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasId, KeyTable, stringHash, type TableEntry } from '../../../src/engine/cep/key-table.js';
import { random } from '../../seeded-random.js';

interface Entry extends TableEntry {
  n: number;
}

/** A new entry for `id` (its table fields set by `add`). */
function entryOf(id: unknown, n: number): Entry {
  return { id, order: 0, hash: 0, idLength: -1, idUnits01: 0, idUnits23: 0, idUnits45: 0, idUnits67: 0, n };
}

/** Looks `id` up in both; adds it when missing, else deletes it when `drop`. */
function touch(table: KeyTable<Entry>, map: Map<unknown, Entry>, id: unknown, step: number, drop: boolean): void {
  const got = table.get(id);
  assert.equal(got, map.get(id), `get ${String(id)} at step ${step}`);
  if (got === undefined) {
    const entry = entryOf(id, step);
    table.add(entry);
    map.set(id, entry);
  } else if (drop) {
    table.delete(got);
    map.delete(id);
  }
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
    touch(table, map, id, step, next() < 0.7);
    assert.equal(table.size, map.size);
    if (step % 25_000 === 0) {
      assert.deepEqual(table.values(), [...map.values()], `insertion order at step ${step}`);
      // forEach: every entry once, in any order.
      const visited: Entry[] = [];
      table.forEach((entry) => visited.push(entry));
      assert.deepEqual(visited.sort((a, b) => a.order - b.order), [...map.values()], `forEach at step ${step}`);
    }
  }
  assert.deepEqual(table.values(), [...map.values()]);
  for (const id of ids) assert.equal(table.get(id), map.get(id));
});

test('KeyTable lists string keys in insertion order after deletions moved them (backward shift) and the table grew', () => {
  const next = random(11);
  const table = new KeyTable<Entry>();
  const map = new Map<unknown, Entry>();
  for (let step = 0; step < 60_000; step++) {
    const id = `k${Math.floor(next() * (step < 30_000 ? 3000 : 300))}`;
    touch(table, map, id, step, next() < 0.5);
    if (step % 5_000 === 4_999) assert.deepEqual(table.values().map((e) => e.id), [...map.keys()], `step ${step}`);
  }
  assert.ok(map.size > 100, `${map.size} keys left`);
});

test('stringHash spreads ids that differ in one character', () => {
  const low = new Set(Array.from({ length: 4096 }, (_, i) => stringHash(`u${i}`) & 4095));
  assert.ok(low.size > 2400, `only ${low.size} of 4096 buckets used`);
});

test('KeyTable tells apart keys that differ only in their last unit, of any length, high and surrogate units included', () => {
  const table = new KeyTable<Entry>();
  const map = new Map<unknown, Entry>();
  const ids: string[] = [];
  for (const length of [1, 2, 11, 12, 13, 20]) {
    for (const last of ['a', 'b', '\u00e9', '\uffff', '\ud83d', '\u8000']) ids.push('k'.repeat(length - 1) + last);
    ids.push('\ud83d\ude00'.repeat(Math.ceil(length / 2)).slice(0, length));
  }
  ids.push('');
  const next = random(3);
  for (let step = 0; step < 20_000; step++) {
    const id = [...ids[Math.floor(next() * ids.length)]!].join('');
    touch(table, map, id, step, next() < 0.4);
  }
  for (const id of ids) assert.equal(table.get(id), map.get(id), JSON.stringify(id));
  assert.deepEqual(table.values(), [...map.values()]);
});

test('KeyTable tells apart keys of the same length and hash (short and long)', () => {
  // Found by search: pairs of equal length and equal stringHash (the same probe run and stored hash): only comparing the keys tells them apart.
  for (const [a, b] of [
    ['k06ah2a5', 'k0w9gl1q'],
    ['long-key-1479599-abcdef', 'long-key-1662382-abcdef'],
  ] as const) {
    assert.equal(stringHash(a), stringHash(b));
    assert.equal(a.length, b.length);
    const table = new KeyTable<Entry>();
    const first = entryOf(a, 1);
    table.add(first);
    assert.equal(table.get([...b].join('')), undefined, `${b} is not ${a}`);
    const second = entryOf(b, 2);
    table.add(second);
    assert.equal(table.get([...a].join('')), first);
    assert.equal(table.get([...b].join('')), second);
    table.delete(first);
    assert.equal(table.get(a), undefined);
    assert.equal(table.get(b), second);
  }
});

test('KeyTable: a deletion between a missing get and the add of that id does not leave the id unreachable', () => {
  // Three ids with the same home slot in the smallest table (1,024 slots): a and b fill the probe
  // run, so get(c) ends on the slot after them; deleting a shifts b back, and c must then go where
  // a probe from its home stops, not where the earlier get stopped.
  const byHome = new Map<number, string[]>();
  let same: string[] | undefined;
  for (let i = 0; same === undefined; i++) {
    const id = `k${i}`;
    const home = stringHash(id) & 1023;
    const ids = byHome.get(home) ?? [];
    ids.push(id);
    byHome.set(home, ids);
    if (ids.length === 3) same = ids;
  }
  const [a, b, c] = same;
  const table = new KeyTable<Entry>();
  const entry = entryOf;
  const ea = entry(a!, 1);
  const eb = entry(b!, 2);
  const ec = entry(c!, 3);
  table.add(ea);
  table.add(eb);
  assert.equal(table.get(c), undefined);
  table.delete(ea);
  table.add(ec);
  assert.equal(table.get([...c!].join('')), ec);
  assert.equal(table.get([...b!].join('')), eb);
  assert.equal(table.get([...a!].join('')), undefined);
  table.delete(eb);
  assert.equal(table.get([...c!].join('')), ec);
  assert.equal(table.size, 1);
});

test('KeyTable: another id added between a missing get and the add of that id keeps both reachable', () => {
  // Two ids with the same home slot: get(c) misses and ends on the home slot; a is then added there
  // (pattern-operator restore adds without a get first); add(c) must not write over a.
  const byHome = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; pair === undefined; i++) {
    const id = `r${i}`;
    const home = stringHash(id) & 1023;
    const other = byHome.get(home);
    if (other !== undefined) pair = [other, id];
    else byHome.set(home, id);
  }
  const [a, c] = pair;
  const table = new KeyTable<Entry>();
  const ea = entryOf(a, 1);
  const ec = entryOf(c, 2);
  assert.equal(table.get(c), undefined);
  table.add(ea);
  table.add(ec);
  assert.equal(table.size, 2);
  assert.equal(table.get([...a].join('')), ea);
  assert.equal(table.get([...c].join('')), ec);
  assert.deepEqual([...table.values()].map((e) => e.id), [a, c]);
});

test('KeyTable finds a short id by the units kept in its entry, without reading the id; a long or high-unit id by the id', () => {
  // An entry whose id counts its reads: a hit on a short id must not read it (hasId compares the inline units).
  const counted = (id: string): { entry: Entry; reads: () => number } => {
    let reads = 0;
    const entry = entryOf(undefined, 0);
    Object.defineProperty(entry, 'id', {
      get: () => {
        reads++;
        return id;
      },
    });
    return { entry, reads: () => reads };
  };
  for (const [id, inline] of [
    ['u12345', true],
    ['', true],
    ['k06ah2a5', true],
    ['\u7fff\u0001', true],
    ['k06ah2a5x', false],
    ['\u8000', false],
    ['\ud83d\ude00', false],
  ] as const) {
    const table = new KeyTable<Entry>();
    const { entry, reads } = counted(id);
    table.add(entry);
    const before = reads();
    assert.equal(table.get([...id].join('')), entry, JSON.stringify(id));
    assert.equal(reads() - before, inline ? 0 : 1, `${JSON.stringify(id)}: id reads on a hit`);
    assert.equal(hasId(entry, [...id].join('')), true);
    // Same length, one unit different (first, last), and one unit longer: not the id.
    if (id.length > 0) {
      assert.equal(hasId(entry, String.fromCharCode(id.charCodeAt(0) ^ 1) + id.slice(1)), false, `${JSON.stringify(id)} first unit`);
      assert.equal(hasId(entry, id.slice(0, -1) + String.fromCharCode(id.charCodeAt(id.length - 1) ^ 0x4000)), false, `${JSON.stringify(id)} last unit`);
    }
    assert.equal(hasId(entry, `${id}a`), false);
  }
});

test('key table: an entry reused for a non-string id keeps none of the units of the string id it had', () => {
  const table = new KeyTable<Entry>();
  const entry = entryOf('ab', 0);
  table.add(entry);
  assert.equal(hasId(entry, 'ab'), true);
  table.delete(entry);
  entry.id = 7;
  table.add(entry);
  assert.equal(table.get(7), entry);
  assert.equal(hasId(entry, 'ab'), false);
  table.delete(entry);
  entry.id = 'c';
  table.add(entry);
  assert.equal(table.get('c'), entry);
  assert.equal(table.get('ab'), undefined);
});
