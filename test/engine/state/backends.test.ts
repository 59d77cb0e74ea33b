/** The keyed state contract, one table of cases run against every backend (backend-table.ts). */
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StateMisuseError } from '../../../src/engine/state/state-descriptors.js';
import type { KeyedStateBackend } from '../../../src/engine/state/state-backend.js';
import { MemoryStateBackend } from '../../../src/engine/state/memory-backend.js';
import { BACKENDS } from './backend-table.js';

for (const { name: backend, make } of BACKENDS) {
  const test = (title: string, fn: () => void) => nodeTest(`${title} [${backend}]`, fn);

  const at = (backend: KeyedStateBackend, key: unknown) => {
    backend.setCurrentKey(key);
    return backend;
  };

  const isolationCases: { name: string; keys: unknown[] }[] = [
    { name: 'string keys', keys: ['u1', 'u2'] },
    { name: 'a string and the number it spells are two keys', keys: ['1', 1] },
    { name: 'an array key and a string spelling its JSON are two keys', keys: [['a', 1], '["a",1]'] },
    { name: 'the null key (a non-keyed step) is a key too', keys: [null, 'null'] },
  ];

  for (const tc of isolationCases) {
    test(`state is isolated per key: ${tc.name}`, () => {
      const backend = make();
      const value = backend.value<number>('v');
      const list = backend.list<number>('l');
      const map = backend.map<string, number>('m');
      tc.keys.forEach((key, i) => {
        at(backend, key);
        value.update(i);
        list.add(i);
        map.put('k', i);
      });
      tc.keys.forEach((key, i) => {
        at(backend, key);
        assert.equal(value.value(), i);
        assert.deepEqual(list.get(), [i]);
        assert.equal(map.get('k'), i);
      });
      at(backend, 'never-written');
      assert.equal(value.value(), undefined);
      assert.deepEqual(list.get(), []);
      assert.equal(map.isEmpty(), true);
      assert.equal(backend.stats().keys, tc.keys.length);
    });
  }

  test('array keys are equal by content, as Flink compares serialized keys', () => {
    const backend = make();
    const value = backend.value<string>('v');
    at(backend, ['u1', 7]);
    value.update('x');
    at(backend, ['u1', 7]);
    assert.equal(value.value(), 'x');
  });

  const misuseCases: { name: string; act: (b: KeyedStateBackend) => unknown; message: RegExp }[] = [
    { name: 'one name, two kinds', act: (b) => (b.value('s'), b.list('s')), message: /state "s" is a value state/ },
    { name: 'one name, two TTLs', act: (b) => (b.value('s', { ttl: 10 }), b.value('s', { ttl: 20 })), message: /another TTL/ },
    { name: 'a TTL of zero', act: (b) => b.value('s', { ttl: 0 }), message: /ttl must be a positive number/ },
    { name: 'adding undefined to a list', act: (b) => b.list('s').add(undefined), message: /cannot add undefined/ },
    { name: 'putting undefined in a map', act: (b) => b.map('s').put('k', undefined), message: /use remove\(\)/ },
  ];

  for (const tc of misuseCases) {
    test(`state misuse is refused with a reason: ${tc.name}`, () => {
      const backend = make();
      backend.setCurrentKey('k');
      assert.throws(() => tc.act(backend), (e: unknown) => e instanceof StateMisuseError && tc.message.test(e.message));
    });
  }

  test('asking again for a state by name gives the same state', () => {
    const backend = make();
    backend.setCurrentKey('k');
    backend.value<number>('count', { ttl: 5 }).update(3);
    assert.equal(backend.value<number>('count', { ttl: 5 }).value(), 3);
  });

  test('list get() returns a copy: adding while iterating it terminates', () => {
    const backend = make();
    backend.setCurrentKey('k');
    const list = backend.list<number>('l');
    list.update([1, 2]);
    for (const x of list.get()) list.add(x * 10);
    assert.deepEqual(list.get(), [1, 2, 10, 20]);
  });

  test('map entries keep insertion order; object map keys compare by content', () => {
    const backend = make();
    backend.setCurrentKey('k');
    const map = backend.map<unknown, string>('m');
    map.put('b', 'B');
    map.put({ lat: 1 }, 'obj');
    map.put('a', 'A');
    map.put({ lat: 1 }, 'obj2');
    assert.deepEqual([...map.entries()], [['b', 'B'], [{ lat: 1 }, 'obj2'], ['a', 'A']]);
    map.remove('b');
    assert.deepEqual([...map.keys()], [{ lat: 1 }, 'a']);
    assert.equal(map.has({ lat: 1 }), true);
  });

  // Large maps: the SQLite backend keeps a row per entry and loads entries one at a time, so these
  // check that order, replacement, removal, clear and TTL per entry agree with the heap's one-cell map
  // at sizes where a row-per-entry bug (lost place, stale row, partial iteration) would show.
  const largeMapCases: { name: string; entries: number; run: (b: KeyedStateBackend, n: number) => unknown; expected?: unknown }[] = [
    {
      name: 'puts then gets across key switches, in insertion order',
      entries: 20_000,
      run: (b, n) => {
        const m = b.map<number, { n: number }>('m');
        for (let i = 0; i < n; i++) {
          at(b, `k${i % 2}`);
          m.put(i, { n: i });
        }
        at(b, 'k0');
        const sum = [0, 1].map((k) => {
          at(b, `k${k}`);
          let total = 0;
          for (let i = k; i < n; i += 2) total += m.get(i)!.n;
          return total;
        });
        at(b, 'k1');
        const keys = [...m.keys()];
        return [sum, keys.length, keys.slice(0, 3), keys.slice(-3), b.stats()];
      },
    },
    {
      name: 'a replaced entry keeps its place, a removed and re-put one goes last, a removed one is gone',
      entries: 10_000,
      run: (b, n) => {
        const m = b.map<string, number>('m');
        at(b, 'k');
        for (let i = 0; i < n; i++) m.put(`e${i}`, i);
        at(b, 'other');
        m.put('x', 1);
        at(b, 'k');
        m.put('e5', -5);
        m.remove('e7');
        m.put('e7', -7);
        m.remove('e9');
        at(b, 'other');
        m.get('x');
        at(b, 'k');
        const entries = [...m.entries()];
        return [entries.length, entries.slice(0, 10), entries.slice(-2), m.has('e9'), m.get('e5'), m.isEmpty()];
      },
    },
    {
      name: 'clear empties a large map, puts after it start a new order',
      entries: 10_000,
      run: (b, n) => {
        const m = b.map<number, number>('m');
        at(b, 'k');
        for (let i = 0; i < n; i++) m.put(i, i);
        at(b, 'other');
        m.put(0, 0);
        at(b, 'k');
        m.clear();
        const empty = [m.isEmpty(), m.get(5), [...m.keys()].length];
        m.put(7, 70);
        m.put(3, 30);
        at(b, 'other');
        m.get(0);
        at(b, 'k');
        return [empty, [...m.entries()], b.stats()];
      },
    },
    {
      name: 'TTL per entry in a large map: only the expired half goes, by reads and by cleanup',
      entries: 10_000,
      run: (b, n) => {
        const m = b.map<number, number>('m', { ttl: 100 });
        at(b, 'k');
        b.advanceTime(0);
        for (let i = 0; i < n / 2; i++) m.put(i, i);
        b.advanceTime(50);
        for (let i = n / 2; i < n; i++) m.put(i, i);
        at(b, 'other');
        m.put(0, 0);
        b.advanceTime(100);
        at(b, 'k');
        const reads = [m.get(0), m.has(1), m.get(n / 2), m.isEmpty()];
        for (let i = 0; i < 100; i++) b.cleanupIncrementally(n);
        const afterCleanup = b.stats();
        const keys = [...m.keys()];
        b.advanceTime(150);
        return [reads, afterCleanup, keys.length, keys[0], m.isEmpty(), [...m.entries()].length];
      },
    },
    {
      name: 'a map value changed in place after get survives key switches, as on the heap',
      entries: 5_000,
      run: (b, n) => {
        const m = b.map<number, number[]>('m');
        at(b, 'k');
        for (let i = 0; i < n; i++) m.put(i, []);
        for (let round = 0; round < 3; round++) {
          at(b, 'k');
          m.get(round * 7)!.push(round);
          at(b, `other${round}`);
          m.put(round, []);
        }
        at(b, 'k');
        return [m.get(0), m.get(7), m.get(14), m.get(1)];
      },
      expected: [[0], [1], [2], []],
    },
  ];

  for (const tc of largeMapCases) {
    test(`large map state (${tc.entries} entries): ${tc.name}`, () => {
      const observed = JSON.parse(JSON.stringify(tc.run(make(), tc.entries)));
      const expected = JSON.parse(JSON.stringify(tc.run(new MemoryStateBackend(), tc.entries)));
      assert.deepEqual(observed, expected);
      if (tc.expected !== undefined) assert.deepEqual(observed, tc.expected);
    });
  }

  const cleanupCases: { name: string; keys: number; perCall: number; calls: number; left: number }[] = [
    { name: 'a sweep of 2 keys per call cleans 10 keys in 5 calls', keys: 10, perCall: 2, calls: 5, left: 0 },
    { name: 'fewer calls leave the rest for later', keys: 10, perCall: 2, calls: 3, left: 4 },
    { name: 'a call never loops over a small table twice', keys: 1, perCall: 5, calls: 1, left: 0 },
  ];

  for (const tc of cleanupCases) {
    test(`incremental cleanup: ${tc.name}`, () => {
      const backend = make();
      const withTtl = backend.value<number>('ttl', { ttl: 100 });
      backend.advanceTime(0);
      for (let i = 0; i < tc.keys; i++) at(backend, `k${i}`).value<number>('ttl', { ttl: 100 }).update(i);
      at(backend, 'kept');
      backend.value<number>('plain').update(1);
      backend.advanceTime(100);
      for (let i = 0; i < tc.calls; i++) backend.cleanupIncrementally(tc.perCall);
      // "kept" has no TTL state; it stays whatever the sweep does.
      assert.equal(backend.stats().keys, tc.left + 1);
      assert.equal(withTtl.value(), undefined);
    });
  }

  test('the TTL clock only moves forward: an older record does not revive expired state', () => {
    const backend = make();
    backend.setCurrentKey('k');
    const v = backend.value<string>('v', { ttl: 100 });
    backend.advanceTime(0);
    v.update('x');
    backend.advanceTime(150);
    backend.advanceTime(10);
    assert.equal(backend.time, 150);
    assert.equal(v.value(), undefined);
  });

  test('snapshot round trip: every key and kind survives JSON, stamps included', () => {
    const backend = make();
    backend.advanceTime(1000);
    const keys: unknown[] = ['u1', 42, ['a', 1], null];
    keys.forEach((key, i) => {
      at(backend, key);
      backend.value<object>('profile', { ttl: 500 }).update({ n: i, tags: ['x'] });
      backend.list<number>('amounts').update([i, i + 0.5]);
      backend.map<string, number>('byType', { ttl: 500, refreshOnRead: true }).put('payment', i);
    });
    const snapshot = backend.snapshot();
    const restored = make();
    restored.restore(JSON.parse(JSON.stringify(snapshot)));
    assert.deepEqual(restored.snapshot(), JSON.parse(JSON.stringify(snapshot)));
    keys.forEach((key, i) => {
      at(restored, key);
      assert.deepEqual(restored.value('profile', { ttl: 500 }).value(), { n: i, tags: ['x'] });
      assert.deepEqual(restored.list('amounts').get(), [i, i + 0.5]);
      assert.equal(restored.map('byType', { ttl: 500, refreshOnRead: true }).get('payment'), i);
    });
    // Stamps came along: written at 1000 with a 500 TTL, the value expires at 1500.
    restored.advanceTime(1500);
    at(restored, 'u1');
    assert.equal(restored.value('profile', { ttl: 500 }).value(), undefined);
  });

  test('a restore refuses a function that reads a restored state as another kind', () => {
    const backend = make();
    at(backend, 'k').list<number>('history').add(1);
    const restored = make();
    restored.restore(JSON.parse(JSON.stringify(backend.snapshot())));
    assert.throws(() => restored.value('history'), /restored as a list state but the function asks for a value state/);
  });

  test('a restore refuses what is not a keyed state snapshot', () => {
    assert.throws(() => make().restore({ format: 'nope' } as never), /not a keyed state snapshot/);
  });

  test('incremental cleanup removes only the expired entries of a map and keeps its newer ones', () => {
    const backend = make();
    backend.setCurrentKey('k');
    const map = backend.map<string, number>('m', { ttl: 100 });
    backend.advanceTime(0);
    map.put('old', 1);
    backend.advanceTime(50);
    map.put('new', 2);
    backend.advanceTime(120);
    backend.cleanupIncrementally(1);
    assert.equal(backend.stats().entries, 1);
    assert.deepEqual([...map.entries()], [['new', 2]]);
    backend.advanceTime(150);
    backend.cleanupIncrementally(1);
    assert.deepEqual(backend.stats(), { keys: 0, entries: 0 });
  });

  test('a restore refuses list stamps that decrease (they are ascending in every snapshot we write)', () => {
    const snapshot = {
      format: 'sw-keyed-state/1' as const,
      time: 10,
      states: [{ name: 'l', kind: 'list' as const, ttl: null }],
      keys: [{ key: 'k', states: { l: { kind: 'list' as const, values: [1, 2], stamps: [5, 3] } } }],
    };
    assert.throws(() => make().restore(snapshot), /stamps must not decrease/);
  });

  type TtlOp = ['put', string, number] | ['get', string] | ['remove', string] | ['time', number] | ['cleanup'] | ['entries'];

  test('map state with TTL agrees with a naive model on random operations (refresh on read or not)', () => {
    const mapKey = fc.constantFrom('a', 'b', 'c');
    const op: fc.Arbitrary<TtlOp> = fc.oneof(
      fc.tuple(fc.constant('put' as const), mapKey, fc.integer({ min: 0, max: 9 })),
      fc.tuple(fc.constant('get' as const), mapKey),
      fc.tuple(fc.constant('remove' as const), mapKey),
      fc.tuple(fc.constant('time' as const), fc.integer({ min: 0, max: 60 })),
      fc.tuple(fc.constant('cleanup' as const)),
      fc.tuple(fc.constant('entries' as const)),
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 200 }), (refreshOnRead, ops) => {
        const ttl = { ttl: 50, refreshOnRead };
        const backend = make();
        backend.setCurrentKey('k');
        const map = backend.map<string, number>('m', ttl);
        // The model: value and stamp per map key, expiry checked on every read.
        const model = new Map<string, { value: number; stamp: number }>();
        let clock = 0;
        backend.advanceTime(0);
        const alive = (k: string) => {
          const e = model.get(k);
          if (e && e.stamp + ttl.ttl <= clock) model.delete(k);
          return model.get(k);
        };
        for (const o of ops) {
          if (o[0] === 'put') {
            map.put(o[1], o[2]);
            model.set(o[1], { value: o[2], stamp: clock });
          } else if (o[0] === 'get') {
            const e = alive(o[1]);
            if (e && refreshOnRead) e.stamp = clock;
            assert.equal(map.get(o[1]), e?.value);
          } else if (o[0] === 'remove') {
            map.remove(o[1]);
            model.delete(o[1]);
          } else if (o[0] === 'time') {
            clock += o[1];
            backend.advanceTime(clock);
          } else if (o[0] === 'cleanup') {
            backend.cleanupIncrementally(1);
          } else {
            const expected = [...model.keys()].filter((k) => alive(k)).sort();
            if (refreshOnRead) for (const k of expected) model.get(k)!.stamp = clock;
            assert.deepEqual([...map.keys()].sort(), expected);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
}

type Op =
  | ['key', number]
  | ['time', number]
  | ['setValue', number]
  | ['getValue']
  | ['add', number]
  | ['getList']
  | ['replaceList', number[]]
  | ['put', string, number]
  | ['getEntry', string]
  | ['remove', string]
  | ['entries']
  | ['clear', 'v' | 'l' | 'm']
  | ['mutate']
  | ['cleanup', number]
  | ['move'];

const VALUE_TTL = { ttl: 40 };
const LIST_TTL = { ttl: 60, refreshOnRead: true };
const MAP_TTL = { ttl: 50 };

/** Applies one operation and returns what a process function would observe. */
function apply(backend: KeyedStateBackend, op: Op): unknown {
  const value = backend.value<{ n: number; seen: number[] }>('v', VALUE_TTL);
  const list = backend.list<number>('l', LIST_TTL);
  const map = backend.map<string, number>('m', MAP_TTL);
  const plain = backend.value<number>('plain');
  switch (op[0]) {
    case 'key':
      backend.setCurrentKey(op[1] === 4 ? ['composite', 1] : `k${op[1]}`);
      return null;
    case 'time':
      backend.advanceTime(backend.time === Number.MIN_SAFE_INTEGER ? op[1] : backend.time + op[1]);
      return null;
    case 'setValue':
      value.update({ n: op[1], seen: [] });
      plain.update((plain.value() ?? 0) + 1);
      return null;
    case 'getValue':
      return [value.value() ?? null, plain.value() ?? null];
    case 'add':
      list.add(op[1]);
      return null;
    case 'getList':
      return list.get();
    case 'replaceList':
      list.update(op[1]);
      return null;
    case 'put':
      map.put(op[1], op[2]);
      return null;
    case 'getEntry':
      return [map.get(op[1]) ?? null, map.has(op[1])];
    case 'remove':
      map.remove(op[1]);
      return null;
    case 'entries':
      return [[...map.entries()], map.isEmpty()];
    case 'clear':
      (op[1] === 'v' ? value : op[1] === 'l' ? list : map).clear();
      return null;
    case 'mutate': {
      // In place, without update(): the heap backend keeps it, so the SQLite one must too.
      const current = value.value();
      current?.seen.push(backend.time);
      return current ?? null;
    }
    case 'cleanup':
      backend.cleanupIncrementally(op[1]);
      return null;
    case 'move':
      return null;
  }
}

nodeTest('every backend observes the same on random operations, with snapshots moving state across backends', () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.tuple(fc.constant('key' as const), fc.integer({ min: 0, max: 4 })),
    fc.tuple(fc.constant('time' as const), fc.integer({ min: 0, max: 30 })),
    fc.tuple(fc.constant('setValue' as const), fc.integer({ min: 0, max: 9 })),
    fc.tuple(fc.constant('getValue' as const)),
    fc.tuple(fc.constant('add' as const), fc.integer({ min: 0, max: 9 })),
    fc.tuple(fc.constant('getList' as const)),
    fc.tuple(fc.constant('replaceList' as const), fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 })),
    fc.tuple(fc.constant('put' as const), fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 9 })),
    fc.tuple(fc.constant('getEntry' as const), fc.constantFrom('a', 'b', 'c')),
    fc.tuple(fc.constant('remove' as const), fc.constantFrom('a', 'b', 'c')),
    fc.tuple(fc.constant('entries' as const)),
    fc.tuple(fc.constant('clear' as const), fc.constantFrom('v' as const, 'l' as const, 'm' as const)),
    fc.tuple(fc.constant('mutate' as const)),
    fc.tuple(fc.constant('cleanup' as const), fc.integer({ min: 1, max: 300 })),
    fc.tuple(fc.constant('move' as const)),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
      // Each lane starts on one backend; on "move" it snapshots (through JSON) into the next kind.
      const lanes = BACKENDS.map((_, i) => ({ kind: i, backend: BACKENDS[i]!.make() }));
      const seen = lanes.map(() => [] as unknown[]);
      for (const o of ops) {
        lanes.forEach((lane, i) => {
          if (o[0] === 'move') {
            const key = lane.backend.currentKey;
            const json = JSON.parse(JSON.stringify(lane.backend.snapshot()));
            lane.kind = (lane.kind + 1) % BACKENDS.length;
            lane.backend = BACKENDS[lane.kind]!.make();
            lane.backend.restore(json);
            lane.backend.setCurrentKey(key);
          }
          seen[i]!.push(JSON.parse(JSON.stringify(apply(lane.backend, o) ?? null)));
        });
      }
      for (let i = 1; i < lanes.length; i++) assert.deepEqual(seen[i], seen[0], `${BACKENDS[i]!.name} differs from ${BACKENDS[0]!.name}`);
    }),
    { numRuns: 150 },
  );
});
