/** The pattern operator's key table against a Map: same lookups, sizes and insertion order under churn. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INLINE_UNITS, KeyTable, stringHash } from '../../../src/engine/cep/key-table.js';
import { NONE, PendingRecords } from '../../../src/engine/cep/pending-records.js';
import { writeAsciiKeyHead, writeKeyHead } from '../../../src/engine/cep/pattern-snapshot-binary.js';
import { SnapshotWriter } from '../../../src/engine/snapshot/binary.js';
import { KeySlots, NO_SLOT } from '../../../src/engine/cep/key-slots.js';
import { random } from '../../seeded-random.js';

/** A key table over its slots, as the operator has one. */
class Keys {
  readonly slots = new KeySlots();
  readonly table = new KeyTable(this.slots);

  /** A new slot for `id`, added. */
  add(id: unknown): number {
    const slot = this.slots.allocate();
    this.table.add(slot, id, id);
    return slot;
  }

  /** Deletes the key at `slot` and frees the slot. */
  delete(slot: number): void {
    this.table.delete(slot);
    this.slots.release(slot);
  }
}

/** Looks `id` up in both; adds it when missing, else deletes it when `drop`. */
function touch(keys: Keys, map: Map<unknown, number>, id: unknown, step: number, drop: boolean): void {
  const got = keys.table.get(id);
  assert.equal(got, map.get(id) ?? NO_SLOT, `get ${String(id)} at step ${step}`);
  if (got === NO_SLOT) map.set(id, keys.add(id));
  else if (drop) {
    keys.delete(got);
    map.delete(id);
  }
}

test('KeyTable matches a Map under insert / delete churn, growth and mixed key types', () => {
  const next = random(7);
  const keys = new Keys();
  const { table } = keys;
  const map = new Map<unknown, number>();
  // String ids (most colliding in their low bits when few), numbers, -0 / 0 and NaN, booleans, null.
  const ids: unknown[] = [...Array.from({ length: 5000 }, (_, i) => `u${i}`), 1, 2.5, 0, -0, NaN, true, false, null, '', '\u00e9', 'x'.repeat(100)];
  for (let step = 0; step < 200_000; step++) {
    // A fresh string each time (as a reader gives), not the same object.
    let id = ids[Math.floor(next() * (step < 100_000 ? 800 : ids.length))];
    if (typeof id === 'string') id = [...id].join('');
    touch(keys, map, id, step, next() < 0.7);
    assert.equal(table.size, map.size);
    if (step % 25_000 === 0) {
      assert.deepEqual(table.values(), [...map.values()], `insertion order at step ${step}`);
      // forEach: every entry once, in any order.
      const visited: number[] = [];
      table.forEach((slot) => visited.push(slot));
      assert.deepEqual(visited.sort((a, b) => table.orderOf(a) - table.orderOf(b)), [...map.values()], `forEach at step ${step}`);
    }
  }
  assert.deepEqual(table.values(), [...map.values()]);
  for (const id of ids) assert.equal(table.get(id), map.get(id) ?? NO_SLOT);
});

test('KeyTable lists string keys in insertion order after deletions moved them (backward shift) and the table grew', () => {
  const next = random(11);
  const keys = new Keys();
  const { table } = keys;
  const map = new Map<unknown, number>();
  for (let step = 0; step < 60_000; step++) {
    const id = `k${Math.floor(next() * (step < 30_000 ? 3000 : 300))}`;
    touch(keys, map, id, step, next() < 0.5);
    if (step % 5_000 === 4_999) assert.deepEqual(table.values(), [...map.values()], `step ${step}`);
  }
  assert.ok(map.size > 100, `${map.size} keys left`);
});

test('stringHash spreads ids that differ in one character', () => {
  const low = new Set(Array.from({ length: 4096 }, (_, i) => stringHash(`u${i}`) & 4095));
  assert.ok(low.size > 2400, `only ${low.size} of 4096 buckets used`);
});

test('KeyTable tells apart keys that differ only in their last unit, of any length, high and surrogate units included', () => {
  const keys = new Keys();
  const { table } = keys;
  const map = new Map<unknown, number>();
  const ids: string[] = [];
  for (const length of [1, 2, 11, 12, 13, 20]) {
    for (const last of ['a', 'b', '\u00e9', '\uffff', '\ud83d', '\u8000']) ids.push('k'.repeat(length - 1) + last);
    ids.push('\ud83d\ude00'.repeat(Math.ceil(length / 2)).slice(0, length));
  }
  ids.push('');
  const next = random(3);
  for (let step = 0; step < 20_000; step++) {
    const id = [...ids[Math.floor(next() * ids.length)]!].join('');
    touch(keys, map, id, step, next() < 0.4);
  }
  for (const id of ids) assert.equal(table.get(id), map.get(id) ?? NO_SLOT, JSON.stringify(id));
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
    const keys = new Keys();
    const { table } = keys;
    const first = keys.add(a);
    assert.equal(table.get([...b].join('')), NO_SLOT, `${b} is not ${a}`);
    const second = keys.add(b);
    assert.equal(table.get([...a].join('')), first);
    assert.equal(table.get([...b].join('')), second);
    keys.delete(first);
    assert.equal(table.get(a), NO_SLOT);
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
  const keys = new Keys();
  const { table } = keys;
  const ea = keys.add(a!);
  const eb = keys.add(b!);
  assert.equal(table.get(c), NO_SLOT);
  keys.delete(ea);
  const ec = keys.add(c!);
  assert.equal(table.get([...c!].join('')), ec);
  assert.equal(table.get([...b!].join('')), eb);
  assert.equal(table.get([...a!].join('')), NO_SLOT);
  keys.delete(eb);
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
  const keys = new Keys();
  const { table } = keys;
  assert.equal(table.get(c), NO_SLOT);
  const ea = keys.add(a);
  const ec = keys.add(c);
  assert.equal(table.size, 2);
  assert.equal(table.get([...a].join('')), ea);
  assert.equal(table.get([...c].join('')), ec);
  assert.deepEqual(table.values(), [ea, ec]);
});

test('KeyTable keeps a short ASCII id in its slot\'s record (a hit reads no id string); a long or non-ASCII one aside', () => {
  for (const [id, inline] of [
    ['u12345', true],
    ['', true],
    ['k06ah2a5', true],
    ['\u007f\u0001', true],
    ['k06ah2a5x', false],
    ['\u0080', false],
    ['\u7fff', false],
    ['\ud83d\ude00', false],
  ] as const) {
    const keys = new Keys();
    const { table } = keys;
    const slot = keys.add(id);
    // Inline: the id is not kept aside at all, so a hit cannot read it.
    assert.equal(keys.slots.ids[slot], inline ? undefined : id, JSON.stringify(id));
    assert.equal(table.get([...id].join('')), slot, JSON.stringify(id));
    assert.equal(table.hasId(slot, [...id].join('')), true);
    // Same length, one unit different (first, last), and one unit longer: not the id.
    if (id.length > 0) {
      assert.equal(table.hasId(slot, String.fromCharCode(id.charCodeAt(0) ^ 1) + id.slice(1)), false, `${JSON.stringify(id)} first unit`);
      assert.equal(table.hasId(slot, id.slice(0, -1) + String.fromCharCode(id.charCodeAt(id.length - 1) ^ 0x40)), false, `${JSON.stringify(id)} last unit`);
      assert.equal(table.hasId(slot, id.slice(0, -1) + String.fromCharCode(id.charCodeAt(id.length - 1) ^ 0x4000)), false, `${JSON.stringify(id)} last unit, high`);
    }
    assert.equal(table.hasId(slot, `${id}a`), false);
    assert.equal(table.hasId(slot, `${id}\u0000`), false, 'one NUL unit longer');
  }
});

test('key table: a freed slot matches no id, and a slot reused for a non-string id keeps none of the units of the string id it had', () => {
  const keys = new Keys();
  const { table } = keys;
  const slot = keys.add('ab');
  assert.equal(table.hasId(slot, 'ab'), true);
  keys.delete(slot);
  // A key hint may still name the slot: it must not find 'ab' there, nor the empty id.
  assert.equal(table.hasId(slot, 'ab'), false);
  assert.equal(table.hasId(slot, ''), false);
  assert.equal(keys.add(7), slot);
  assert.equal(table.get(7), slot);
  assert.equal(table.hasId(slot, 'ab'), false);
  keys.delete(slot);
  assert.equal(table.get(7), NO_SLOT);
  assert.equal(keys.add('c'), slot);
  assert.equal(table.get('c'), slot);
  assert.equal(table.get('ab'), NO_SLOT);
});

test('key table: a key is given back as it was added: decoded from its inline id when it is that id, else kept aside', () => {
  const keys = new Keys();
  const { slots, table } = keys;
  const cases: [id: unknown, key: unknown][] = [
    ['u12345', 'u12345'],
    ['', ''],
    ['k06ah2a5', 'k06ah2a5'],
    ['\u007f\u0001x', '\u007f\u0001x'],
    ['long-key-1479599-abcdef', 'long-key-1479599-abcdef'],
    ['\u00e9', '\u00e9'],
    // A NUL-led key's identity has one more NUL (keyIdOf): the key is not its id.
    ['\u0000\u0000a', '\u0000a'],
    // A list key's identity string.
    ['\u0000["a",1]', ['a', 1]],
    [7, 7],
  ];
  const added = cases.map(([id, key]) => {
    const slot = slots.allocate();
    table.add(slot, id, key);
    return slot;
  });
  cases.forEach(([id, key], i) => {
    assert.deepEqual(table.keyOf(added[i]!), key, JSON.stringify(id));
    // Only keys that are not their own inline id are kept aside.
    const inline = typeof key === 'string' && key === id && id.length <= 8 && /^[\u0000-\u007f]*$/.test(id);
    assert.equal(slots.keys[added[i]!] === undefined, inline, `${JSON.stringify(id)} kept aside`);
  });
  // A slot reused by a key of another kind gives that key back, not a decoding of the old id.
  keys.delete(added[0]!);
  const reused = slots.allocate();
  assert.equal(reused, added[0]);
  table.add(reused, 9, 9);
  assert.equal(table.keyOf(reused), 9);
});

test('key table: insertion numbers past the int32 range number the live keys again, in their order', () => {
  const keys = new Keys();
  const { table } = keys;
  const internal = table as unknown as { nextOrder: number };
  const first = ['a', 'b', 'c'].map((id) => keys.add(id));
  internal.nextOrder = 0x7fffffff - 1;
  const later = ['d', 'e', 'f'].map((id) => keys.add(id));
  keys.delete(first[1]!);
  assert.deepEqual(table.values(), [first[0], first[2], ...later]);
  // 'd' and 'e' took the last two int32 numbers; 'f' renumbered the keys before it.
  assert.ok(internal.nextOrder < 10, `next order ${internal.nextOrder}`);
  const g = keys.add('g');
  assert.deepEqual(table.values(), [first[0], first[2], ...later, g]);
  const orders = table.values().map((slot) => table.orderOf(slot));
  assert.deepEqual(orders, [...orders].sort((x, y) => x - y));
  assert.ok(orders.every((order) => order >= 0 && order < 10), `orders ${orders.join(' ')}`);
});

test('key table: a forgotten key lets go of the key and id kept beside its record, whatever key takes the slot next', () => {
  const keys = new Keys();
  const { table, slots } = keys;
  // A list key (kept beside the record, its id too), a long id, a key that is not its own id.
  const list = ['a', 1];
  for (const [key, id] of [[list, JSON.stringify(list)], ['a long key of many units', 'a long key of many units'], ['\u0000x', '\u0000\u0000x']] as const) {
    const slot = slots.allocate();
    table.add(slot, id, key);
    assert.equal(table.keyOf(slot), key);
    table.delete(slot);
    slots.release(slot);
    assert.equal(slots.keys[slot], undefined, `key ${JSON.stringify(key)}`);
    assert.equal(slots.ids[slot], undefined, `id of ${JSON.stringify(key)}`);
    // The next key is a short id that is its own key: add writes neither array.
    const next = slots.allocate();
    assert.equal(next, slot);
    table.add(next, 'u1', 'u1');
    assert.equal(table.keyOf(next), 'u1');
    table.delete(next);
    slots.release(next);
  }
});

test('inlineKeyUnits: a key that is its short id gives its units (the head written from them is the bytes writeKeyHead writes from the key); any other gives -1', () => {
  const keys = new Keys();
  const pending = new PendingRecords(keys.slots);
  const units = new Uint8Array(INLINE_UNITS);
  const ids: unknown[] = ['', 'u', 'u1234', 'abcdefgh', 'abcdefghi', '\u0000x', 'zoë', 'a\u007f', 7, true, ['list', 1]];
  const next = random(13);
  // Mostly ASCII (a unit of 0x80 or more, one in ten, makes an id not inline).
  for (let i = 0; i < 200; i++) ids.push(Array.from({ length: Math.floor(next() * 11) }, () => String.fromCharCode(Math.floor(next() * (next() < 0.9 ? 0x80 : 0x200)))).join(''));
  let inline = 0;
  for (const id of new Set(ids)) {
    const slot = keys.add(id);
    const n = keys.table.inlineKeyUnits(slot, units);
    const key = keys.table.keyOf(slot);
    if (n < 0) {
      assert.ok(typeof id !== 'string' || id.length > INLINE_UNITS || [...id].some((c) => c.charCodeAt(0) >= 0x80) || id.startsWith('\u0000'), `${JSON.stringify(id)} is not given as units`);
      continue;
    }
    inline++;
    assert.equal(String.fromCharCode(...units.subarray(0, n)), key);
    const expected = new SnapshotWriter();
    writeKeyHead(expected, key, 1500, 3, pending, NONE);
    const actual = new SnapshotWriter();
    writeAsciiKeyHead(actual, units, n, 1500, 3, pending, NONE);
    assert.deepEqual(actual.view(), expected.view(), JSON.stringify(id));
  }
  assert.ok(inline > 50, `only ${inline} keys inline`);
});
