/**
 * A linear pattern step's keys for a checkpoint (layout `sw-pattern-linear/1`), as the NFA's copy
 * (pattern-snapshot-copy.ts) is taken, in two parts:
 *
 * - synchronous, on the replay thread between two records (`LinearKeysCopier.copy`): each key's
 *   head (value, timer, times of its records waiting for the watermark) written as bytes, its
 *   events into a row of (time, arrival) pairs, each event ONCE per key however many of its runs
 *   took it, and its runs (live ones in order, then the completed matches waiting for them) as
 *   their events' indexes; the records (waiting ones, then the events') are held by reference. No
 *   Dewey version, no buffer node, nothing encoded;
 * - asynchronous (on the checkpoint store's writer thread): the copy stored as it is, its typed
 *   arrays as their bytes, then the records. Reading it (a resume, `sw savepoint create`) gives
 *   the plain form, a key's `linear` part (LinearKeySnapshot) in place of the NFA's `nfa`.
 *
 * The copy lives in SharedArrayBuffers reused from checkpoint to checkpoint; a copy still lent to
 * the writer thread (`busy`) is never overwritten (the next copy then takes new buffers).
 */
import { DeferredState, readArray, registerLayout, ReusedBuffers, SnapshotReader, SnapshotWriter, sourcePositionOf, writeArrays, type Encoded } from '../snapshot/binary.js';
import type { LinearMatcher, LinearRun } from './nfa/linear-matcher.js';
import { readKeyHead, writeAsciiKeyHead, writeKeyHead } from './pattern-snapshot-binary.js';
import type { PatternKeySnapshot } from './pattern-operator.js';
import { SharedWords } from './pattern-snapshot-copy.js';
import { INLINE_UNITS, sortedByOrder, type KeyTable } from './key-table.js';
import { FIRST, LINEAR_BLOCK, LINEAR_CAPACITY, LINEAR_COUNT, LINEAR_WAITING, ORDER as KEY_ORDER, SLOT_INTS, type KeySlots } from './key-slots.js';
import type { KeyTimers } from './key-timers.js';
import { NONE, type PendingRecords } from './pending-records.js';

export const LINEAR_KEYS_LAYOUT = 'sw-pattern-linear/1';

/** A key's partial matches in the linear form: its events once each, and its runs as indexes into them. */
export interface LinearKeySnapshot {
  /** The matcher's next arrival number (ties between events of equal time are told apart by it). */
  readonly seq: number;
  readonly events: readonly { readonly value: unknown; readonly timestamp: number; readonly seq: number }[];
  /** The live runs in order, each its events so far (indexes into `events`). */
  readonly runs: readonly (readonly number[])[];
  /** The completed matches waiting for an earlier partial match (skip strategies), the same way. */
  readonly waiting: readonly (readonly number[])[];
}

// A key's row in `meta`; each *_END is where the key's part ends (the next key's begins).
const HEAD_END = 0;
/** In `held`: the key's records waiting, then its events' records. */
const HELD_END = 1;
/** How many of the key's held records are records waiting for the watermark. */
const PENDING = 2;
/** In `events` (pairs). */
const EVENTS_END = 3;
/** In `runs`. */
const RUNS_END = 4;
/** How many of the key's runs are live (the others are waiting matches). */
const LIVE = 5;
/** The key's place in the snapshot's key order. */
const ORDER = 6;
const META = 7;

/** A key's distinct events are found by a backward scan up to this many, by a map past it. */
const SCAN = 16;

// A key's fields as the copy gathers them (gatherFields), FIELDS int32s per key.
const F_FIRST = 0;
const F_LIVE = 1;
const F_WAITING = 2;
const F_BLOCK = 3;
const F_ORDER = 4;
/** How many events the key's first run took (0 when it has none). */
const F_TAKEN = 5;
/** What gatherFields read only to have the key's rows and records loaded (not used after). */
const F_LOADED = 6;
const FIELDS = 7;
/** Keys gathered at a time: their records and rows (~200 bytes a key) stay in the cache until copied. */
const BATCH = 256;

/**
 * The fields the copy reads of each key's record and first row, into `fields` in the keys' order.
 * A loop of loads only: each key's record and row is a cold line (keys in the table's hash order,
 * records and rows scattered), and here the processor has many of them in flight at once, where
 * the copy's long loop body waited for each in turn.
 */
function gatherFields(slotList: Int32Array, from: number, to: number, ints: Int32Array, rows: Float64Array, values: readonly unknown[], positions: Float64Array, width: number, length: number, fields: Int32Array): void {
  for (let k = from, f = from * FIELDS; k < to; k++, f += FIELDS) {
    const at = slotList[k]! * SLOT_INTS;
    const live = ints[at + LINEAR_COUNT]!;
    const block = ints[at + LINEAR_BLOCK]!;
    fields[f + F_FIRST] = ints[at + FIRST]!;
    fields[f + F_LIVE] = live;
    fields[f + F_WAITING] = ints[at + LINEAR_CAPACITY]! & LINEAR_WAITING;
    fields[f + F_BLOCK] = block;
    fields[f + F_ORDER] = ints[at + KEY_ORDER]!;
    if (live > 0) {
      fields[f + F_TAKEN] = rows[block * width]!;
      // The block's last float (its rows span two or more lines), its first record reference and position: read, so loaded.
      fields[f + F_LOADED] = rows[(block + live) * width - 1]! + positions[block * length]! + (values[block * length] === undefined ? 0 : 1);
    } else fields[f + F_TAKEN] = 0;
  }
}

/** What the writer thread receives (typed arrays over SharedArrayBuffers: shared, not copied). */
export interface LinearKeysCopy {
  readonly keys: number;
  readonly seq: number;
  readonly head: Uint8Array;
  readonly meta: Float64Array;
  /** Per event (time, arrival number). */
  readonly events: Float64Array;
  /** Per run: how many events it took, then their indexes among its key's events. */
  readonly runs: Int32Array;
}

class CopyBuffers {
  readonly head = new SnapshotWriter({ sizeHint: 1 << 16, shared: true });
  readonly meta = new SharedWords();
  readonly events = new SharedWords();
  readonly runs = new SharedWords();
  readonly positions = new SharedWords();
}

/** A linear pattern step's keys as copied at a checkpoint; encoded on the writer thread, or here when first read. */
export class CopiedLinearKeys extends DeferredState {
  readonly storedLayout = LINEAR_KEYS_LAYOUT;

  constructor(
    readonly data: LinearKeysCopy,
    readonly held: readonly unknown[],
    /** Beside `held`: each record's position, from the matcher's positions (LinearMatcher.rowsForCopy), not read from the record. */
    private readonly heldPositions: Float64Array,
    original: (held: unknown) => unknown,
  ) {
    super(LINEAR_KEYS_LAYOUT, null, readLinearKeys, original);
  }

  override get positions(): Float64Array {
    return this.heldPositions;
  }

  get size(): number {
    const { head, meta, events, runs } = this.data;
    return head.length + meta.byteLength + events.byteLength + runs.byteLength;
  }
}

/** Where a copy reads a linear operator's keys: their records (key-slots.ts), which keys there are and their values (the key table), their timers. */
export interface LinearKeyParts {
  readonly slots: KeySlots;
  readonly table: KeyTable;
  readonly timers: KeyTimers;
}

const NO_HELD: unknown[] = [];
const NO_EVENTS = new Float64Array(0);
const NO_POSITIONS = NO_EVENTS;
const NO_RUNS = new Int32Array(0);

/** Where a copy stands (LinearKeysCopier.copyRuns): the next event, run word and held record. */
class Cursor {
  e = 0;
  r = 0;
  h = 0;
  events: Float64Array = NO_EVENTS;
  runs: Int32Array = NO_RUNS;
  held: unknown[] = NO_HELD;
  positions: Float64Array = NO_POSITIONS;

  set(e: number, r: number, h: number, events: Float64Array, runs: Int32Array, held: unknown[], positions: Float64Array): void {
    this.e = e;
    this.r = r;
    this.h = h;
    this.events = events;
    this.runs = runs;
    this.held = held;
    this.positions = positions;
  }
}

export class LinearKeysCopier {
  private readonly buffers = new ReusedBuffers(() => new CopyBuffers());
  /** Per key while copying: its distinct events' arrival numbers → index, once it has more than SCAN. */
  private readonly found = new Map<number, number>();
  /** The slots of the copy being made, `gathered` of them (the key table's walk, in its order). Kept from copy to copy. */
  private slotList = new Int32Array(1024);
  /** Per key of the copy, FIELDS int32s read from its record and its first row (gatherFields). */
  private fields = new Int32Array(1024 * FIELDS);
  private gathered = 0;
  private readonly gather = (slot: number): void => {
    if (this.gathered === this.slotList.length) {
      const larger = new Int32Array(this.slotList.length * 2);
      larger.set(this.slotList);
      this.slotList = larger;
      this.fields = new Int32Array(larger.length * FIELDS);
    }
    this.slotList[this.gathered++] = slot;
  };
  /** The last copy's sizes, and a little more: the next one's arrays start that large. */
  private heldHint = 0;
  private eventsHint = 0;
  private runsHint = 0;
  private readonly cursor = new Cursor();
  /** A key's inline id units (KeyTable.inlineKeyUnits). */
  private readonly units = new Uint8Array(INLINE_UNITS);

  constructor(
    /** The whole record a held one stands for (EncodedState.original). */
    private readonly original: (held: unknown) => unknown,
  ) {}

  /**
   * Copies the keys in `parts` (in the key table's walk order; the stored form lists their
   * insertion numbers), read from their slots' records in one pass (no object per key), their
   * records waiting in `pending` and their runs in `matcher`, whose rows are read in place.
   */
  copy(parts: LinearKeyParts, pending: PendingRecords, matcher: LinearMatcher<unknown>): CopiedLinearKeys {
    const { table, timers } = parts;
    // The records taken from now on have their positions kept beside them, for the next copies.
    matcher.keepPositions();
    const { head: w, meta: metaWords, events: eventWords, runs: runWords, positions: positionWords } = this.buffers.take();
    w.reset();
    // Sized as the last copy's (a holey array filled by index; cut to length at the end).
    const held: unknown[] = new Array(this.heldHint);
    let events = eventWords.floatRoom(this.eventsHint, 0);
    let runs = runWords.intRoom(this.runsHint, 0);
    // Beside `held`, each record's position (CopiedLinearKeys.positions).
    let heldPositions = positionWords.floatRoom(this.heldHint, 0);
    let meta: Float64Array<ArrayBufferLike> = NO_EVENTS;
    let n = 0;
    let e = 0;
    let r = 0;
    let h = 0;
    const cursor = this.cursor;
    this.gathered = 0;
    try {
      table.forEach(this.gather);
      n = this.gathered;
      const slotList = this.slotList;
      // Read after the walk: nothing allocates a slot during a copy.
      const ints = parts.slots.ints;
      const { rows, values, positions, width, length } = matcher.rowsForCopy();
      const fields = this.fields;
      meta = metaWords.floatRoom(Math.max(table.size, n) * META, 0);
      for (let k = 0, m = 0, f = 0; k < n; k++, m += META, f += FIELDS) {
        // The next BATCH keys' fields gathered at once; their lines are still in the cache when their keys are copied.
        if (k % BATCH === 0) gatherFields(slotList, k, Math.min(n, k + BATCH), ints, rows, values, positions, width, length, fields);
        const slot = slotList[k]!;
        const first = fields[f + F_FIRST]!;
        const live = fields[f + F_LIVE]!;
        const waiting = fields[f + F_WAITING] !== 0;
        // Most keys are their short id, held in their record: written from its units, no string built.
        const units = table.inlineKeyUnits(slot, this.units);
        if (units >= 0) writeAsciiKeyHead(w, this.units, units, timers.timeOf(slot), timers.registrationOf(slot), pending, first);
        else writeKeyHead(w, table.keyOf(slot), timers.timeOf(slot), timers.registrationOf(slot), pending, first);
        const heldAt = h;
        for (let p = first; p !== NONE; p = pending.after(p)) {
          const record = pending.recordAt(p);
          if (h === heldPositions.length) heldPositions = positionWords.floatRoom(h + 1, h);
          heldPositions[h] = sourcePositionOf(record);
          held[h++] = record;
        }
        const pendingCount = h - heldAt;
        if (live === 1 && !waiting) {
          // One run and nothing waiting (most keys): its events are the key's, in order, none twice:
          // its row's (time, arrival) pairs and records copied as they are.
          const block = fields[f + F_BLOCK]!;
          const row = block * width;
          const taken = fields[f + F_TAKEN]!;
          if (r + 1 + taken > runs.length) runs = runWords.intRoom(r + 1 + taken, r);
          if (2 * (e + taken) > events.length) events = eventWords.floatRoom(2 * (e + taken), 2 * e);
          if (h + taken > heldPositions.length) heldPositions = positionWords.floatRoom(h + taken, h);
          runs[r++] = taken;
          for (let q = 0, to = 2 * e; q < 2 * taken; q++) events[to + q] = rows[row + 1 + q]!;
          for (let j = 0, from = block * length; j < taken; j++) {
            heldPositions[h] = positions[from + j]!;
            held[h++] = values[from + j];
            runs[r++] = j;
          }
          e += taken;
        } else if (live > 0 || waiting) {
          cursor.set(e, r, h, events, runs, held, heldPositions);
          this.copyRuns(cursor, fields[f + F_BLOCK]!, live, matcher.waitingOf(slot), rows, values, positions, width, length, eventWords, runWords, positionWords);
          ({ e, r, h, events, runs, positions: heldPositions } = cursor);
        }
        meta[m + HEAD_END] = w.length;
        meta[m + HELD_END] = h;
        meta[m + PENDING] = pendingCount;
        meta[m + EVENTS_END] = e;
        meta[m + RUNS_END] = r;
        meta[m + LIVE] = live;
        meta[m + ORDER] = fields[f + F_ORDER]!;
      }
    } finally {
      // No record is kept past the copy (the copy holds its records), also when it failed partway.
      this.gathered = 0;
      cursor.set(0, 0, 0, NO_EVENTS, NO_RUNS, NO_HELD, NO_POSITIONS);
      this.found.clear();
    }
    held.length = h;
    this.heldHint = h + (h >> 3);
    this.eventsHint = 2 * e + (e >> 2);
    this.runsHint = r + (r >> 3);
    const data: LinearKeysCopy = {
      keys: n,
      seq: matcher.seq,
      head: w.view(),
      meta: meta.subarray(0, n * META),
      events: events.subarray(0, 2 * e),
      runs: runs.subarray(0, r),
    };
    const copy = new CopiedLinearKeys(data, held, heldPositions.subarray(0, h), this.original);
    this.buffers.lend(copy);
    return copy;
  }

  /**
   * A key's runs when it has several, or matches waiting (skip strategies): each distinct event
   * once, found among the key's events so far by a backward scan, by a map past SCAN of them.
   * The live runs are the rows from `block` on (LinearMatcher.rowsForCopy).
   */
  private copyRuns(
    c: Cursor,
    block: number,
    live: number,
    waiting: readonly LinearRun[],
    rows: Float64Array,
    values: readonly unknown[],
    positions: Float64Array,
    width: number,
    length: number,
    eventWords: SharedWords,
    runWords: SharedWords,
    positionWords: SharedWords,
  ): void {
    const first = c.e;
    const found = this.found;
    const indexOf = (value: unknown, position: number, time: number, seq: number): number => {
      const n = c.e - first;
      const events = c.events;
      if (n <= SCAN) {
        for (let i = c.e - 1; i >= first; i--) if (events[2 * i + 1] === seq) return i - first;
        if (n === SCAN) for (let i = first; i < c.e; i++) found.set(events[2 * i + 1]!, i - first);
      } else {
        const index = found.get(seq);
        if (index !== undefined) return index;
      }
      if (n >= SCAN) found.set(seq, n);
      if (2 * c.e + 2 > c.events.length) c.events = eventWords.floatRoom(2 * c.e + 2, 2 * c.e);
      c.events[2 * c.e] = time;
      c.events[2 * c.e + 1] = seq;
      if (c.h === c.positions.length) c.positions = positionWords.floatRoom(c.h + 1, c.h);
      c.positions[c.h] = position;
      c.held[c.h++] = value;
      return c.e++ - first;
    };
    const room = (taken: number): void => {
      if (c.r + 1 + taken > c.runs.length) c.runs = runWords.intRoom(c.r + 1 + taken, c.r);
      c.runs[c.r++] = taken;
    };
    for (let i = 0; i < live; i++) {
      const row = (block + i) * width;
      const taken = rows[row]!;
      room(taken);
      for (let j = 0, at = (block + i) * length; j < taken; j++) c.runs[c.r++] = indexOf(values[at + j], positions[at + j]!, rows[row + 1 + 2 * j]!, rows[row + 2 + 2 * j]!);
    }
    for (const run of waiting) {
      room(run.times.length);
      for (let j = 0; j < run.times.length; j++) c.runs[c.r++] = indexOf(run.values[j], sourcePositionOf(run.values[j]), run.times[j]!, run.seqs[j]!);
    }
    if (c.e - first > SCAN) found.clear();
  }
}

/**
 * The stored layout, written from the copy: the key count and the next arrival number; the keys'
 * heads (bytes); per key, in the order copied, varints: its head's byte length, its records
 * waiting, its events, its live runs, its waiting matches, its place in the key order, then per
 * run the events it took and their indexes among the key's events; then the events' (time,
 * arrival) pairs as Float64 bytes, and the record count (per key its records waiting, then its
 * events'). Varints, not the copy's Float64 rows: a binge checkpoint's state went from 3.7 MB to
 * about 2.1 MB, and SQLite's time with it.
 */
export function writeLinearKeysCopy(data: unknown, entries: ArrayLike<unknown>, w: SnapshotWriter): Encoded {
  const copy = data as LinearKeysCopy;
  const { meta, runs } = copy;
  w.uint(copy.keys);
  w.uint(copy.seq);
  writeArrays(w, [copy.head]);
  for (let k = 0, at = 0; k < copy.keys; k++, at += META) {
    const runsAt = k === 0 ? 0 : meta[at - META + RUNS_END]!;
    const runsEnd = meta[at + RUNS_END]!;
    let count = 0;
    for (let p = runsAt; p < runsEnd; p += 1 + runs[p]!) count++;
    const live = meta[at + LIVE]!;
    w.uint(meta[at + HEAD_END]! - (k === 0 ? 0 : meta[at - META + HEAD_END]!));
    w.uint(meta[at + PENDING]!);
    w.uint(meta[at + EVENTS_END]! - (k === 0 ? 0 : meta[at - META + EVENTS_END]!));
    w.uint(live);
    w.uint(count - live);
    w.uint(meta[at + ORDER]!);
    w.uints(runs, runsAt, runsEnd);
  }
  writeArrays(w, [copy.events]);
  w.uint(entries.length);
  // Every entry is a record, in order: they are the records written, as they are (on the writer
  // thread a Float64Array of references, which the store reads by index; pushing 100K of them one
  // by one into a list cost ~20 ms per binge checkpoint).
  return { bytes: w.encoded().bytes, records: entries as readonly unknown[] };
}

/** The plain form (each key with its `linear` part) of what writeLinearKeysCopy wrote. */
export function readLinearKeys(r: SnapshotReader): PatternKeySnapshot[] {
  const keys = r.uint();
  const seq = r.uint();
  const head = new Uint8Array(readArray(r));
  const read = Array.from({ length: keys }, () => {
    const headBytes = r.uint();
    const pending = r.uint();
    const events = r.uint();
    const live = r.uint();
    const count = live + r.uint();
    const order = r.uint();
    const lists = Array.from({ length: count }, () => {
      const list = Array.from({ length: r.uint() }, () => r.uint());
      if (list.some((i) => i >= events)) throw new Error(`a key's run names event ${list.find((i) => i >= events)} of ${events}`);
      return list;
    });
    return { headBytes, pending, events, live, order, lists };
  });
  const events = new Float64Array(readArray(r));
  const held: unknown[] = [];
  for (let i = 0, n = r.uint(); i < n; i++) held.push(r.record());
  // Where each key's head, records and events start (in the order copied).
  let headAt = 0;
  let heldAt = 0;
  let eventAt = 0;
  const starts = read.map((k) => {
    const start = { head: headAt, held: heldAt, event: eventAt };
    headAt += k.headBytes;
    heldAt += k.pending + k.events;
    eventAt += k.events;
    return start;
  });
  if (headAt !== head.length || heldAt !== held.length || 2 * eventAt !== events.length) throw new Error(`the keys' heads, records or events do not add up (${headAt} of ${head.length} bytes, ${heldAt} of ${held.length} records, ${eventAt} of ${events.length / 2} events)`);
  const orders = Float64Array.from(read, (k) => k.order);
  const rows = sortedByOrder(orders, keys);
  const plain: PatternKeySnapshot[] = [];
  for (let k = 0; k < keys; k++) {
    const row = rows[k]!;
    const saved = read[row]!;
    const start = starts[row]!;
    const headReader = new SnapshotReader(head.subarray(start.head, start.head + saved.headBytes), []);
    const { key, timer, timerSeq, times } = readKeyHead(headReader);
    if (!headReader.done) throw new Error(`key ${k}'s head has bytes left over`);
    if (saved.pending !== times.length) throw new Error(`key ${k} holds ${saved.pending} records waiting for ${times.length} times`);
    const records = held.slice(start.held, start.held + saved.pending) as Record<string, unknown>[];
    const first = start.held + saved.pending;
    const keyEvents = Array.from({ length: saved.events }, (_, i) => ({ value: held[first + i], timestamp: events[2 * (start.event + i)]!, seq: events[2 * (start.event + i) + 1]! }));
    plain.push({ key, times, records, timer, timerSeq, linear: { seq, events: keyEvents, runs: saved.lists.slice(0, saved.live), waiting: saved.lists.slice(saved.live) } });
  }
  return plain;
}

registerLayout(LINEAR_KEYS_LAYOUT, { decode: readLinearKeys, encode: writeLinearKeysCopy });
