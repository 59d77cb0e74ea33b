/**
 * State TTL, ported from Flink's TtlStateTestBase (flink-runtime, state/ttl): the same times, TTL
 * (100) and expectations, run against every state kind as Flink runs its test contexts
 * (TtlValueStateTestContext, TtlFixedLenElemListStateTestContext, TtlMapStateAllEntriesTestContext,
 * TtlMapStatePerElementTestContext). Flink's time provider is our event-time TTL clock; each
 * `takeAndRestoreSnapshot` is a JSON round trip into a fresh backend, as in Flink. Every case runs
 * against every backend (backend-table.ts).
 * Not ported: ReturnExpiredIfNotCleanedUp (we only have NeverReturnExpired), merging namespaces
 * (no namespaces in process functions), and the heap rehash details of incremental cleanup.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyedStateBackend } from '../../../src/engine/state/state-backend.js';
import { BACKENDS, type BackendKind } from './backend-table.js';
import type { StateTtl } from '../../../src/engine/process.js';

const TTL = 100;

interface Harness {
  update(value: unknown): void;
  get(): unknown;
}

interface TtlContext {
  readonly name: string;
  readonly bind: (backend: KeyedStateBackend, ttl: StateTtl) => Harness;
  readonly empty: unknown;
  readonly updateEmpty: unknown;
  readonly updateUnexpired: unknown;
  readonly updateExpired: unknown;
  readonly getUpdateEmpty: unknown;
  readonly getUnexpired: unknown;
  readonly getUpdateExpired: unknown;
}

const sortedEntries = (entries: Iterable<[unknown, unknown]>) => [...entries].sort((a, b) => Number(a[0]) - Number(b[0]));
const mapOf = (...entries: [number, string | null][]) => entries;

const contexts: TtlContext[] = [
  {
    name: 'TtlValueStateTestContext',
    bind: (backend, ttl) => {
      const state = backend.value<string>('test', ttl);
      return { update: (v) => state.update(v as string), get: () => state.value() };
    },
    empty: undefined,
    updateEmpty: 'test value 1',
    updateUnexpired: 'test value 2',
    updateExpired: 'test value 3',
    getUpdateEmpty: 'test value 1',
    getUnexpired: 'test value 2',
    getUpdateExpired: 'test value 3',
  },
  {
    // Flink's list update is addAll: every element carries its own expiry.
    name: 'TtlFixedLenElemListStateTestContext',
    bind: (backend, ttl) => {
      const state = backend.list<number>('test', ttl);
      return { update: (v) => (v as number[]).forEach((x) => state.add(x)), get: () => [...state.get()] };
    },
    empty: [],
    updateEmpty: [5, 7, 10],
    updateUnexpired: [8, 9, 11],
    updateExpired: [1, 4],
    getUpdateEmpty: [5, 7, 10],
    getUnexpired: [8, 9, 11],
    getUpdateExpired: [1, 4],
  },
  {
    name: 'TtlMapStateAllEntriesTestContext',
    bind: (backend, ttl) => {
      const state = backend.map<number, string | null>('test', ttl);
      return {
        update: (v) => (v as [number, string | null][]).forEach(([k, x]) => state.put(k, x)),
        get: () => sortedEntries(state.entries()),
      };
    },
    empty: [],
    updateEmpty: mapOf([3, '3'], [5, '5'], [23, null], [10, '10']),
    updateUnexpired: mapOf([12, '12'], [24, null], [7, '7']),
    updateExpired: mapOf([15, '15'], [25, null], [4, '4']),
    getUpdateEmpty: sortedEntries(mapOf([3, '3'], [5, '5'], [23, null], [10, '10'])),
    getUnexpired: sortedEntries(mapOf([12, '12'], [24, null], [7, '7'])),
    getUpdateExpired: sortedEntries(mapOf([15, '15'], [25, null], [4, '4'])),
  },
  {
    name: 'TtlMapStatePerElementTestContext',
    bind: (backend, ttl) => {
      const state = backend.map<number, string>('test', ttl);
      return { update: (v) => state.put(1, v as string), get: () => state.get(1) };
    },
    empty: undefined,
    updateEmpty: 'test value1',
    updateUnexpired: 'test value2',
    updateExpired: 'test value3',
    getUpdateEmpty: 'test value1',
    getUnexpired: 'test value2',
    getUpdateExpired: 'test value3',
  },
];

/** One run of a Flink TTL test: a backend, the current key, and snapshot/restore in between. */
class Run {
  backend: KeyedStateBackend;
  state: Harness;

  constructor(
    readonly kind: BackendKind,
    private readonly ctx: TtlContext,
    private readonly ttl: StateTtl,
  ) {
    this.backend = kind.make();
    this.backend.setCurrentKey('defaultKey');
    this.state = ctx.bind(this.backend, ttl);
  }

  set time(t: number) {
    this.backend.advanceTime(t);
  }

  key(k: string): void {
    this.backend.setCurrentKey(k);
  }

  takeAndRestoreSnapshot(): void {
    const key = this.backend.currentKey;
    const json = JSON.parse(JSON.stringify(this.backend.snapshot()));
    this.backend = this.kind.make();
    this.backend.restore(json);
    this.backend.setCurrentKey(key);
    this.state = this.ctx.bind(this.backend, this.ttl);
  }

  /** Flink's isOriginalEmptyValue: the expired entry is gone from storage, not just hidden. */
  originalEmpty(): boolean {
    return this.backend.stats().entries === 0;
  }
}

const onWrite: StateTtl = { ttl: TTL };
const onRead: StateTtl = { ttl: TTL, refreshOnRead: true };

const cases: { name: string; ttl: StateTtl; run: (r: Run, c: TtlContext) => void }[] = [
  {
    name: 'testNonExistentValue',
    ttl: onWrite,
    run: (r, c) => assert.deepEqual(r.state.get(), c.empty),
  },
  {
    name: 'testExactExpirationOnWrite',
    ttl: onWrite,
    run: (r, c) => {
      r.takeAndRestoreSnapshot();
      r.time = 0;
      r.state.update(c.updateEmpty);
      r.takeAndRestoreSnapshot();
      r.time = 20;
      assert.deepEqual(r.state.get(), c.getUpdateEmpty, 'Unexpired state should be available');
      r.takeAndRestoreSnapshot();
      r.time = 50;
      r.state.update(c.updateUnexpired);
      r.takeAndRestoreSnapshot();
      r.time = 120;
      assert.deepEqual(r.state.get(), c.getUnexpired, 'Unexpired state should be available after update');
      r.takeAndRestoreSnapshot();
      r.time = 170;
      r.state.update(c.updateExpired);
      r.takeAndRestoreSnapshot();
      r.time = 220;
      assert.deepEqual(r.state.get(), c.getUpdateExpired, 'Unexpired state should be available after update');
      r.takeAndRestoreSnapshot();
      r.time = 300;
      assert.deepEqual(r.state.get(), c.empty, 'Expired state should be unavailable');
      assert.ok(r.originalEmpty(), 'Original state should be cleared on access');
    },
  },
  {
    name: 'testExactExpirationOnRead',
    ttl: onRead,
    run: (r, c) => {
      r.time = 0;
      r.state.update(c.updateEmpty);
      r.takeAndRestoreSnapshot();
      r.time = 50;
      assert.deepEqual(r.state.get(), c.getUpdateEmpty, 'Unexpired state should be available');
      r.takeAndRestoreSnapshot();
      r.time = 120;
      assert.deepEqual(r.state.get(), c.getUpdateEmpty, 'Unexpired state should be available after read');
      r.takeAndRestoreSnapshot();
      r.time = 250;
      assert.deepEqual(r.state.get(), c.empty, 'Expired state should be unavailable');
      assert.ok(r.originalEmpty(), 'Original state should be cleared on access');
    },
  },
  {
    // Flink uses Long.MAX_VALUE; the largest finite double is the same "never" for us.
    name: 'testExpirationTimestampOverflow',
    ttl: { ttl: Number.MAX_VALUE },
    run: (r, c) => {
      r.time = 10;
      r.state.update(c.updateEmpty);
      r.takeAndRestoreSnapshot();
      r.time = 50;
      assert.deepEqual(r.state.get(), c.getUpdateEmpty, 'Unexpired state should be available');
    },
  },
  {
    name: 'testMultipleKeys',
    ttl: onWrite,
    run: (r, c) => {
      r.takeAndRestoreSnapshot();
      r.time = 0;
      r.key('id2');
      r.state.update(c.updateEmpty);
      r.takeAndRestoreSnapshot();
      r.time = 50;
      r.key('id1');
      r.state.update(c.updateEmpty);
      r.key('id2');
      r.state.update(c.updateUnexpired);
      r.time = 120;
      r.takeAndRestoreSnapshot();
      r.key('id1');
      assert.deepEqual(r.state.get(), c.getUpdateEmpty, 'Unexpired state should be available');
      r.key('id2');
      assert.deepEqual(r.state.get(), c.getUnexpired, 'Unexpired state should be available after update');
      r.takeAndRestoreSnapshot();
      r.time = 170;
      r.key('id2');
      r.state.update(c.updateExpired);
      r.time = 230;
      r.takeAndRestoreSnapshot();
      r.key('id1');
      assert.deepEqual(r.state.get(), c.empty, 'Expired state should be unavailable');
      r.key('id2');
      assert.deepEqual(r.state.get(), c.getUpdateExpired, 'Unexpired state should be available after update');
      r.time = 300;
      r.takeAndRestoreSnapshot();
      r.key('id1');
      assert.deepEqual(r.state.get(), c.empty, 'Expired state should be unavailable');
      r.key('id2');
      assert.deepEqual(r.state.get(), c.empty, 'Expired state should be unavailable');
    },
  },
  {
    name: 'testSnapshotChangeRestore',
    ttl: onWrite,
    run: (r, c) => {
      r.time = 0;
      r.key('k1');
      r.state.update(c.updateEmpty);
      r.time = 50;
      r.key('k1');
      r.state.update(c.updateUnexpired);
      r.time = 100;
      r.key('k2');
      r.state.update(c.updateEmpty);
      const snapshot = JSON.stringify(r.backend.snapshot());
      r.time = 170;
      r.key('k1');
      r.state.update(c.updateExpired);
      r.key('k2');
      r.state.update(c.updateUnexpired);
      r.backend = r.kind.make();
      r.backend.restore(JSON.parse(snapshot));
      r.state = c.bind(r.backend, onWrite);
      r.time = 180;
      r.key('k1');
      // k1's last write at 50 expired at 150; the writes after the snapshot are gone.
      assert.deepEqual(r.state.get(), c.empty, 'Expired state should be unavailable');
      r.key('k2');
      assert.deepEqual(r.state.get(), c.getUpdateEmpty, 'Unexpired state should be available');
    },
  },
];

for (const kind of BACKENDS) {
  for (const ctx of contexts) {
    for (const tc of cases) {
      test(`${tc.name} [${ctx.name}, ${kind.name}]`, () => tc.run(new Run(kind, ctx, tc.ttl), ctx));
    }
  }
}

for (const kind of BACKENDS) test(`testValueSetNull [TtlValueStateTestContext, ${kind.name}]: writing no value clears the state`, () => {
  const backend = kind.make();
  backend.setCurrentKey('defaultKey');
  const state = backend.value<string | undefined>('test', onWrite);
  state.update('test value 2');
  assert.equal(state.value(), 'test value 2');
  state.update(undefined);
  assert.equal(state.value(), undefined);
  assert.equal(backend.stats().entries, 0);
});
