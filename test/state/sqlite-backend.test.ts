/**
 * What only the SQLite backend has: the bounded cache (eviction, write-back of touched cells,
 * loads), more keys than the cache holds, the sweep of expired rows in the file, and the file's
 * life (emptied when opened, a foreign database refused, a temporary one removed on close).
 * The state contract itself runs against both backends in test/engine/state/.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStateBackend } from '../../src/engine/state/memory-backend.js';
import { SqliteStateStore, kidOf, keyIdOfKid, type SqliteStateBackend } from '../../src/state/sqlite-backend.js';
import { openRunState } from '../../src/state/state-flags.js';
import { keyIdOf } from '../../src/engine/state/state-key.js';
import { UsageError } from '../../src/errors.js';
import { ProcessOperator } from '../../src/engine/process/process-operator.js';
import { StateStorageError } from '../../src/engine/state/state-backend.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-sqlite-state-'));
const stores: SqliteStateStore[] = [];
after(() => {
  for (const store of stores) store.close();
});

function backend(cacheKeys: number): { store: SqliteStateStore; state: SqliteStateBackend } {
  const store = SqliteStateStore.open(':memory:');
  stores.push(store);
  return { store, state: store.backend('step', { cacheKeys }) };
}

/** The map entry rows in the file for a key, as (name, entry key id text, value JSON) in insertion order. */
function storedEntries(store: SqliteStateStore, key: unknown): [string, string, unknown][] {
  return (
    store.db.prepare('SELECT name, ekid, value FROM "map:step" WHERE kid = ? ORDER BY name, seq').all(kidOf(keyIdOf(key))) as { name: string; ekid: string; value: string }[]
  ).map((r) => [r.name, r.ekid, JSON.parse(r.value)]);
}

/** The value and list rows in the file for a key, as (name, cell JSON) pairs. */
function stored(store: SqliteStateStore, key: unknown): [string, unknown][] {
  return (store.db.prepare('SELECT name, cell FROM "state:step" WHERE kid = ? ORDER BY name').all(kidOf(keyIdOf(key))) as { name: string; cell: string }[]).map(
    (r) => [r.name, JSON.parse(r.cell)],
  );
}

const sizes: { keys: number; cache: number }[] = [
  { keys: 1_000, cache: 10 },
  { keys: 5_000, cache: 1 },
  { keys: 300, cache: 300 },
];

for (const { keys, cache } of sizes) {
  test(`${keys} keys through a ${cache}-key cache: every key reads back what it wrote, the cache stays bounded`, () => {
    const { state } = backend(cache);
    const value = state.value<number>('v');
    const list = state.list<string>('l');
    const map = state.map<string, number>('m');
    for (let round = 0; round < 2; round++) {
      for (let k = 0; k < keys; k++) {
        state.setCurrentKey(k % 7 === 0 ? [`user`, k] : `user${k}`);
        value.update((value.value() ?? 0) + k);
        list.add(`r${round}`);
        map.put(`m${k % 3}`, round);
        assert.ok(state.cachedKeys <= cache, `cache holds ${state.cachedKeys} keys`);
      }
    }
    for (let k = keys - 1; k >= 0; k--) {
      state.setCurrentKey(k % 7 === 0 ? [`user`, k] : `user${k}`);
      assert.equal(value.value(), 2 * k);
      assert.deepEqual(list.get(), ['r0', 'r1']);
      assert.deepEqual([...map.entries()], [[`m${k % 3}`, 1]]);
    }
    assert.deepEqual(state.stats(), { keys, entries: keys * 4 });
    if (cache < keys) {
      // Three passes over the keys (two writing, one reading backwards): all but the cache's last keys load again each pass.
      assert.ok(state.counters.loads >= 3 * keys - cache, `${state.counters.loads} loads`);
      assert.equal(state.counters.evictions, state.counters.loads - state.cachedKeys);
    } else {
      assert.deepEqual([state.counters.loads, state.counters.evictions], [keys, 0]);
    }
  });
}

test('write-back: a cell reaches the file when its key is evicted, not before; an evicted key loads from it', () => {
  const { store, state } = backend(1);
  state.setCurrentKey('a');
  state.value<number>('v').update(1);
  assert.deepEqual(stored(store, 'a'), [], 'cached: not written yet');
  state.setCurrentKey('b');
  state.value<number>('v').update(2);
  assert.deepEqual(stored(store, 'a'), [['v', { kind: 'value', value: 1, stamp: Number.MIN_SAFE_INTEGER }]], 'evicted by b: written');
  state.setCurrentKey('a');
  assert.equal(state.value<number>('v').value(), 1);
  assert.equal(state.counters.loads, 3);
});

test('a key that is made current but whose state is not touched costs no load and no write', () => {
  const { state } = backend(1);
  state.setCurrentKey('a');
  state.value<number>('v').update(1);
  for (let i = 0; i < 100; i++) state.setCurrentKey(`idle${i}`);
  state.setCurrentKey('a');
  assert.equal(state.value<number>('v').value(), 1);
  assert.deepEqual(state.counters, { hits: 1, loads: 1, evictions: 0, writes: 0 });
});

test('a removed cell is deleted from the file on write-back, and a key with no cell left has no row', () => {
  const { store, state } = backend(1);
  state.setCurrentKey('a');
  state.value<number>('v').update(1);
  state.map<string, number>('m').put('x', 1);
  state.setCurrentKey('b');
  state.value<number>('v').value();
  assert.equal(stored(store, 'a').length, 1);
  assert.deepEqual(storedEntries(store, 'a'), [['m', 'sx', 1]]);
  state.setCurrentKey('a');
  state.value<number>('v').clear();
  state.map<string, number>('m').remove('x');
  state.setCurrentKey('b');
  state.value<number>('v').value();
  assert.deepEqual(stored(store, 'a'), []);
  assert.deepEqual(storedEntries(store, 'a'), []);
  assert.deepEqual(state.stats(), { keys: 0, entries: 0 });
});

test('an object read from state and changed in place survives eviction, as on the heap', () => {
  const { state } = backend(1);
  const profile = state.value<{ visits: number[] }>('profile');
  state.setCurrentKey('a');
  profile.update({ visits: [] });
  for (let i = 0; i < 3; i++) {
    state.setCurrentKey('a');
    profile.value()!.visits.push(i);
    state.setCurrentKey(`other${i}`);
    profile.update({ visits: [] });
  }
  state.setCurrentKey('a');
  assert.deepEqual(profile.value(), { visits: [0, 1, 2] });
});

test('values JSON cannot carry survive the file: NaN, ±Infinity and sets', () => {
  const { state } = backend(1);
  const v = state.value<unknown>('v');
  state.setCurrentKey('a');
  v.update({ nan: NaN, inf: -Infinity, tags: new Set(['x', 'y']) });
  state.setCurrentKey('b');
  v.update(0);
  state.setCurrentKey('a');
  assert.deepEqual(v.value(), { nan: NaN, inf: -Infinity, tags: new Set(['x', 'y']) });
});

test('incremental cleanup deletes expired rows of keys that are not cached, without loading them', () => {
  const { store, state } = backend(4);
  const value = state.value<number>('v', { ttl: 100 });
  const list = state.list<number>('l', { ttl: 100 });
  state.advanceTime(0);
  for (let k = 0; k < 500; k++) {
    state.setCurrentKey(`k${k}`);
    value.update(k);
    list.add(k);
  }
  state.advanceTime(50);
  state.setCurrentKey('k0');
  list.add(-1); // k0's list: one element from 0, one from 50
  for (let k = 496; k < 500; k++) {
    state.setCurrentKey(`k${k}`);
    value.value();
  }
  state.advanceTime(100);
  const loads = state.counters.loads;
  for (let i = 0; i < 10; i++) state.cleanupIncrementally(100);
  assert.equal(state.counters.loads, loads, 'the sweep reads rows, it does not load keys into the cache');
  // Every value and list element from time 0 is gone; k0 keeps the element from 50 in its list.
  assert.deepEqual(state.stats(), { keys: 1, entries: 1 });
  assert.deepEqual(stored(store, 'k0'), [['l', { kind: 'list', values: [-1], stamps: [50] }]]);
});

test('a loaded key drops its expired cells (cleanup on read) and the file follows on write-back', () => {
  const { store, state } = backend(1);
  state.advanceTime(0);
  state.setCurrentKey('a');
  state.value<number>('v', { ttl: 10 }).update(1);
  state.value<number>('keep').update(2);
  state.setCurrentKey('b');
  state.value<number>('keep').update(3);
  state.advanceTime(10);
  state.setCurrentKey('a');
  assert.equal(state.value<number>('keep').value(), 2);
  state.setCurrentKey('b');
  state.value<number>('keep').value();
  assert.deepEqual(stored(store, 'a'), [['keep', { kind: 'value', value: 2, stamp: 0 }]]);
});

test('state moves from the heap to SQLite and back through a snapshot, unchanged', () => {
  const heap = new MemoryStateBackend();
  heap.advanceTime(1000);
  const keys: unknown[] = ['u1', 42, ['a', 1], null, true, '\u0000x'];
  keys.forEach((key, i) => {
    heap.setCurrentKey(key);
    heap.value<object>('profile', { ttl: 500 }).update({ n: i });
    heap.list<number>('amounts').update([i, i + 0.5]);
    heap.map<unknown, number>('byPlace', { ttl: 500 }).put({ lat: i }, i);
  });
  const { state } = backend(2);
  state.restore(JSON.parse(JSON.stringify(heap.snapshot())));
  const back = new MemoryStateBackend();
  back.restore(JSON.parse(JSON.stringify(state.snapshot())));
  const byKey = (s: ReturnType<MemoryStateBackend['snapshot']>) => ({ ...s, keys: [...s.keys].sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key))) });
  assert.deepEqual(byKey(back.snapshot()), byKey(JSON.parse(JSON.stringify(heap.snapshot()))));
});

const kidCases: unknown[] = ['', 's', '1', 1, 0, -0, 1.5, NaN, Infinity, true, false, null, undefined, 12n, ['a', 1], { lat: 1 }];
test('key ids round-trip through their table text, and distinct ids get distinct texts', () => {
  const texts = new Set<string>();
  for (const key of kidCases) {
    const id = keyIdOf(key);
    const kid = kidOf(id);
    assert.ok(Object.is(keyIdOfKid(kid), id) || (id === 0 && keyIdOfKid(kid) === 0), `${String(key)} → ${kid}`);
    texts.add(kid);
  }
  assert.equal(texts.size, kidCases.length - 1, '-0 and 0 are one key');
});

test('the file: kept when named (holding the final state), emptied when reopened, removed when temporary', () => {
  const path = join(tmp, 'kept.db');
  let run = openRunState({ stateBackend: 'sqlite', stateDb: path });
  const state = run.stateBackend!('fraud');
  state.setCurrentKey('u1');
  state.value<number>('v').update(7);
  run.close();
  const db = new Database(path, { readonly: true });
  assert.deepEqual(db.prepare('SELECT kid, name FROM "state:fraud"').all(), [{ kid: 'su1', name: 'v' }]);
  db.close();
  run = openRunState({ stateBackend: 'sqlite', stateDb: path });
  const again = run.stateBackend!('fraud');
  again.setCurrentKey('u1');
  assert.equal(again.value<number>('v').value(), undefined, 'a new run starts empty');
  run.close();

  const temporary = SqliteStateStore.open();
  assert.ok(existsSync(temporary.path));
  temporary.backend('x');
  temporary.close();
  assert.equal(existsSync(dirname(temporary.path)), false);
});

const refusals: { name: string; flags: Parameters<typeof openRunState>[0]; message: RegExp }[] = [
  { name: 'an unknown backend', flags: { stateBackend: 'rocksdb' }, message: /--state-backend rocksdb: not a state backend; use memory or sqlite/ },
  { name: '--state-db without sqlite', flags: { stateDb: 'x.db' }, message: /--state-db needs --state-backend sqlite/ },
  { name: 'a cache of no keys', flags: { stateBackend: 'sqlite', stateCache: '0' }, message: /--state-cache 0: give a whole number/ },
  { name: 'a database of someone else', flags: { stateBackend: 'sqlite', stateDb: join(tmp, 'foreign.db') }, message: /tables of its own \(orders\)/ },
  { name: 'a file that is not SQLite', flags: { stateBackend: 'sqlite', stateDb: join(tmp, 'text.db') }, message: /cannot open it as SQLite/ },
];

test('refusals name the flag and the fix (usage errors, exit 2)', () => {
  const foreign = new Database(join(tmp, 'foreign.db'));
  foreign.exec('CREATE TABLE orders (id INTEGER)');
  foreign.close();
  writeFileSync(join(tmp, 'text.db'), 'not a database, just some text that is long enough to have a header\n'.repeat(20));
  for (const tc of refusals) {
    assert.throws(() => openRunState(tc.flags), (e: unknown) => e instanceof UsageError && tc.message.test(e.message), tc.name);
  }
});

test('a failing state file ends the run with the file and the reason, not a counted function error', () => {
  const { store, state } = backend(1);
  const operator = new ProcessOperator(
    {
      name: 'count',
      filter: null,
      key: (f) => f.user,
      create: () => ({
        processElement(_fields, ctx) {
          const count = ctx.state.value<number>('count');
          count.update((count.value() ?? 0) + 1);
        },
      }),
    },
    state,
  );
  const out = { emit: () => {} };
  const record = { line: 1, original: () => ({}) };
  operator.process({ user: 'a' }, 0, record, out);
  store.db.pragma('query_only = ON');
  // Loading b evicts a, whose write-back the read-only file refuses.
  assert.throws(
    () => operator.process({ user: 'b' }, 1, record, out),
    (e: unknown) => e instanceof StateStorageError && /^state file :memory:: .*readonly.*; free space there or give --state-db another place$/.test(e.message),
  );
  assert.equal(operator.counters.exprErrors, 0);
  store.db.pragma('query_only = OFF');
});
