/**
 * The linear pattern step's checkpoint copy (linear-snapshot-copy.ts) on its own, over real key
 * slots, key table, timers and records waiting, with runs laid out by hand in a matcher's rows:
 * what each key's record and rows hold must read back from the copy, and what the copier keeps
 * from one copy to the next (its slot list, its size hints) must neither change a later copy nor
 * keep a record alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearKeysCopier, type LinearKeyParts } from '../../../src/engine/cep/linear-snapshot-copy.js';
import type { LinearMatcher, LinearRun } from '../../../src/engine/cep/nfa/linear-matcher.js';
import { PendingRecords } from '../../../src/engine/cep/pending-records.js';
import { KeySlots, LINEAR_BLOCK, LINEAR_CAPACITY, LINEAR_COUNT, LINEAR_WAITING, SLOT_INTS } from '../../../src/engine/cep/key-slots.js';
import { KeyTable } from '../../../src/engine/cep/key-table.js';
import { KeyTimers } from '../../../src/engine/cep/key-timers.js';
import type { PatternKeySnapshot } from '../../../src/engine/cep/pattern-operator.js';
import { aliveAfterGc } from '../../garbage-collection.js';
import { SOURCE_POSITION } from '../../../src/engine/snapshot/binary.js';

/** The chain's length: a row holds up to LENGTH events. */
const LENGTH = 4;
const WIDTH = 1 + 2 * LENGTH;

/** Event n: time 1000 + n, arrival n, record { n }. */
const event = (n: number): { n: number } => ({ n });

interface KeySpec {
  readonly id: unknown;
  /** The key's value, when it is not its id. */
  readonly key?: unknown;
  readonly runs?: readonly (readonly number[])[];
  readonly waiting?: readonly (readonly number[])[];
  /** Times of records waiting for the watermark (record { pending: time }). */
  readonly pending?: readonly number[];
  /** Records waiting carry SOURCE_POSITION 7000 + their time. */
  readonly positioned?: boolean;
  readonly timer?: number;
}

/** An operator's key parts, records waiting and a matcher's rows, filled from `specs` in order. */
function keysOf(specs: readonly KeySpec[]): { parts: LinearKeyParts; pending: PendingRecords; matcher: LinearMatcher<unknown> } {
  const slots = new KeySlots();
  const table = new KeyTable(slots);
  const timers = new KeyTimers(slots);
  const pending = new PendingRecords(slots);
  const rowCount = specs.reduce((n, s) => n + (s.runs?.length ?? 0), 0);
  const rows = new Float64Array(rowCount * WIDTH);
  const values: unknown[] = new Array(rowCount * LENGTH);
  // The matcher's positions beside its records: event n at 5000 + n (the records themselves carry none).
  const positions = new Float64Array(rowCount * LENGTH).fill(NaN);
  const waitingLists: LinearRun[][] = [];
  let top = 0;
  for (const spec of specs) {
    const slot = slots.allocate();
    timers.attach(slot);
    table.add(slot, spec.id, spec.key ?? spec.id);
    const at = slot * SLOT_INTS;
    const runs = spec.runs ?? [];
    if (runs.length > 0) slots.ints[at + LINEAR_BLOCK] = top;
    slots.ints[at + LINEAR_COUNT] = runs.length;
    slots.ints[at + LINEAR_CAPACITY] = runs.length;
    for (const run of runs) {
      rows[top * WIDTH] = run.length;
      run.forEach((n, j) => {
        rows[top * WIDTH + 1 + 2 * j] = 1000 + n;
        rows[top * WIDTH + 2 + 2 * j] = n;
        values[top * LENGTH + j] = event(n);
        positions[top * LENGTH + j] = 5000 + n;
      });
      top++;
    }
    if (spec.waiting !== undefined) {
      slots.ints[at + LINEAR_CAPACITY] |= LINEAR_WAITING;
      waitingLists[slot] = spec.waiting.map((run) => ({ values: run.map(event), times: run.map((n) => 1000 + n), seqs: [...run] }));
    }
    for (const time of spec.pending ?? []) pending.add(slot, time, spec.positioned === true ? { pending: time, [SOURCE_POSITION]: 7000 + time } : { pending: time });
    if (spec.timer !== undefined) timers.schedule(slot, spec.timer);
  }
  const matcher = {
    seq: 100,
    rowsForCopy: () => ({ rows, values, positions, width: WIDTH, length: LENGTH }),
    keepPositions: () => {},
    waitingOf: (slot: number) => waitingLists[slot] ?? [],
  } as unknown as LinearMatcher<unknown>;
  return { parts: { slots, table, timers }, pending, matcher };
}

function copyOf(copier: LinearKeysCopier, specs: readonly KeySpec[]) {
  const { parts, pending, matcher } = keysOf(specs);
  return copier.copy(parts, pending, matcher);
}

/** The plain form's runs per key, as event numbers (the records are the events). */
function runsOf(plain: unknown): Record<string, number[][]> {
  const keys = plain as { key: string; linear: { events: { value: { n: number } }[]; runs: number[][] } }[];
  return Object.fromEntries(keys.map((k) => [k.key, k.linear.runs.map((run) => run.map((i) => k.linear.events[i]!.value.n))]));
}

test('each key reads back from its record, rows and waiting matches: value, timer, records waiting, runs sharing events, waiting matches, insertion order', () => {
  const copier = new LinearKeysCopier((held) => held);
  const specs: KeySpec[] = [
    { id: 'u1', runs: [[1, 2, 3]], pending: [5, 7], timer: 3000 },
    { id: 'a-long-user-name-é', runs: [[4, 5], [5]], timer: 2500 },
    { id: 7, key: 7, waiting: [[8, 9]], runs: [[9]] },
    { id: '["list",1]', key: ['list', 1], pending: [11] },
    { id: 'idle' },
  ];
  const copy = copyOf(copier, specs);
  const plain = copy.plain() as PatternKeySnapshot[];
  assert.deepEqual(
    plain.map((k) => k.key),
    ['u1', 'a-long-user-name-é', 7, ['list', 1], 'idle'],
  );
  assert.deepEqual(plain.map((k) => k.timer), [3000, 2500, Infinity, Infinity, Infinity]);
  assert.deepEqual(plain.map((k) => k.timerSeq), [0, 1, 0, 0, 0]);
  assert.deepEqual(plain.map((k) => k.times), [[5, 7], [], [], [11], []]);
  assert.deepEqual(plain.map((k) => k.records), [[{ pending: 5 }, { pending: 7 }], [], [], [{ pending: 11 }], []]);
  const linear = plain.map((k) => k.linear!);
  assert.deepEqual(linear[0], { seq: 100, events: [1, 2, 3].map((n) => ({ value: event(n), timestamp: 1000 + n, seq: n })), runs: [[0, 1, 2]], waiting: [] });
  // Event 5 once, though two runs took it.
  assert.deepEqual(linear[1]!.events.map((e) => e.seq), [4, 5]);
  assert.deepEqual(linear[1]!.runs, [[0, 1], [1]]);
  assert.deepEqual(linear[2]!.events.map((e) => e.seq), [9, 8]);
  assert.deepEqual(linear[2]!.runs, [[0]]);
  assert.deepEqual(linear[2]!.waiting, [[1, 0]]);
  assert.deepEqual(linear[4], { seq: 100, events: [], runs: [], waiting: [] });
});

test('a smaller copy after a larger one (fewer keys, records and runs than the last copy sized for) reads back exactly', () => {
  const copier = new LinearKeysCopier((held) => held);
  // 3,000 keys: more than the copier's first slot list holds.
  const large = Array.from({ length: 3000 }, (_, k) => ({ id: `u${k}`, runs: k % 3 === 0 ? [[k, k + 1, k + 2], [k + 1, k + 2]] : [[k, k + 1]] }));
  const small = [
    { id: 'a', runs: [[1, 2]] },
    { id: 'b', runs: [[5]] },
  ];
  const first = copyOf(copier, large);
  assert.equal(first.held.length, 3000 * 2 + 1000 * 1);
  assert.deepEqual(runsOf(first.plain()), Object.fromEntries(large.map((k) => [k.id, k.runs])));
  const second = copyOf(copier, small);
  assert.equal(second.held.length, 3);
  assert.deepEqual(runsOf(second.plain()), { a: [[1, 2]], b: [[5]] });
  assert.equal(second.data.keys, 2);
});

test('the copier keeps no record past its copy: records the operator and the copy let go are garbage', async () => {
  const copier = new LinearKeysCopier((held) => held);
  let copy: ReturnType<typeof copyOf> | null = copyOf(
    copier,
    Array.from({ length: 50 }, (_, k) => ({ id: `u${k}`, runs: [[k, k + 1]], pending: [k] })),
  );
  const refs = copy.held.map((record) => new WeakRef(record as object));
  assert.equal(refs.length, 150);
  copy = null;
  assert.equal(await aliveAfterGc(refs), 0);
});

test("each held record's position beside it: the matcher's for the runs' events (the record is not read), the record's own for records waiting and waiting matches", () => {
  const copier = new LinearKeysCopier((held) => held);
  const specs: KeySpec[] = [
    { id: 'u1', runs: [[1, 2, 3]], pending: [5, 7], positioned: true },
    { id: 'a-long-user-name-é', runs: [[4, 5], [5]] },
    { id: 7, key: 7, waiting: [[8, 9]], runs: [[9]] },
    { id: 'p', pending: [11] },
    // More than the copier's first room for positions.
    ...Array.from({ length: 1500 }, (_, k) => ({ id: `k${k}`, runs: [[20 + k, 21 + k]] })),
  ];
  const copy = copyOf(copier, specs);
  assert.equal(copy.positions.length, copy.held.length);
  const inRuns = new Set(specs.flatMap((k) => (k.runs ?? []).flat()));
  const expected = (record: unknown): number => {
    const r = record as { n?: number; pending?: number; [SOURCE_POSITION]?: number };
    if (r.pending !== undefined) return r[SOURCE_POSITION] ?? NaN;
    return inRuns.has(r.n!) ? 5000 + r.n! : NaN;
  };
  assert.deepEqual([...copy.positions], copy.held.map(expected));
  // Event 8 is only in a waiting match (its record carries none), record 11 waits without one.
  assert.ok(copy.held.some((r) => (r as { n?: number }).n === 8));
  assert.ok(copy.held.some((r) => (r as { pending?: number }).pending === 11));
});
