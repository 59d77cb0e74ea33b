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
import { DeferredState, registerDeferredEncoder, SnapshotReader, SnapshotWriter, type Encoded } from '../snapshot/binary.js';
import type { LinearKey, LinearMatcher } from './nfa/linear-matcher.js';
import { readKeyHead, writeKeyHead } from './pattern-snapshot-binary.js';
import type { PatternKeySnapshot } from './pattern-operator.js';
import { readArray, SharedWords, writeArrays, type CopiedKey } from './pattern-snapshot-copy.js';
import { indexesByOrder } from './key-table.js';
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
}

/** A linear pattern step's keys as copied at a checkpoint; encoded on the writer thread, or here when first read. */
export class CopiedLinearKeys extends DeferredState {
  readonly storedLayout = LINEAR_KEYS_LAYOUT;

  constructor(
    readonly data: LinearKeysCopy,
    readonly held: readonly unknown[],
    original: (held: unknown) => unknown,
  ) {
    super(LINEAR_KEYS_LAYOUT, null, readLinearKeys, original);
  }

  get size(): number {
    const { head, meta, events, runs } = this.data;
    return head.length + meta.byteLength + events.byteLength + runs.byteLength;
  }
}

type Key = CopiedKey & LinearKey;

export class LinearKeysCopier {
  private buffers = new CopyBuffers();
  private lent: { readonly busy: boolean } | null = null;
  /** Per key while copying: its distinct events' arrival numbers → index, once it has more than SCAN. */
  private readonly found = new Map<number, number>();

  constructor(
    /** The whole record a held one stands for (EncodedState.original). */
    private readonly original: (held: unknown) => unknown,
  ) {}

  /** Copies the keys `forEach` visits (`count` of them, in any order), their timers' registrations, records waiting in `pending` and runs in `matcher`. */
  copy<K extends Key>(
    forEach: (visit: (key: K) => void) => void,
    count: number,
    registrationOf: (key: K) => number,
    pending: PendingRecords,
    matcher: LinearMatcher<unknown>,
  ): CopiedLinearKeys {
    if (this.lent?.busy === true) this.buffers = new CopyBuffers();
    const { head: w, meta: metaWords, events: eventWords, runs: runWords } = this.buffers;
    w.reset();
    const held: unknown[] = [];
    let meta = metaWords.floatRoom(count * META, 0);
    let events = eventWords.floats;
    let runs = runWords.ints;
    let e = 0;
    let r = 0;
    let m = 0;
    const found = this.found;
    // Appends an event to the current key's (from `first`); returns its index there.
    const add = (first: number, value: unknown, time: number, seq: number): number => {
      if (2 * e + 2 > events.length) events = eventWords.floatRoom(2 * e + 2, 2 * e);
      events[2 * e] = time;
      events[2 * e + 1] = seq;
      held.push(value);
      return e++ - first;
    };
    // The index of the key's event (time, seq) among its events from `first`, added when new.
    const indexOf = (first: number, value: unknown, time: number, seq: number): number => {
      const n = e - first;
      if (n <= SCAN) {
        for (let i = e - 1; i >= first; i--) if (events[2 * i + 1] === seq) return i - first;
        if (n === SCAN) for (let i = first; i < e; i++) found.set(events[2 * i + 1]!, i - first);
      } else {
        const index = found.get(seq);
        if (index !== undefined) return index;
      }
      if (n >= SCAN) found.set(seq, n);
      return add(first, value, time, seq);
    };
    forEach((state) => {
      writeKeyHead(w, state.key, state.timer, registrationOf(state), pending, state);
      for (let at = state.first; at !== NONE; at = pending.after(at)) held.push(pending.recordAt(at));
      const pendingEnd = held.length;
      const first = e;
      const live = state.linearCount;
      const waiting = state.linearWaiting;
      // One run and nothing waiting (most keys): its events are the key's, in order, none twice.
      const single = live === 1 && waiting.length === 0;
      for (let i = 0; i < live; i++) {
        const taken = matcher.runTaken(state, i);
        if (r + 1 + taken > runs.length) runs = runWords.intRoom(r + 1 + taken, r);
        runs[r++] = taken;
        for (let j = 0; j < taken; j++) {
          const value = matcher.runValue(state, i, j);
          const time = matcher.runTime(state, i, j);
          const seq = matcher.runSeq(state, i, j);
          runs[r++] = single ? add(first, value, time, seq) : indexOf(first, value, time, seq);
        }
      }
      for (let i = 0; i < waiting.length; i++) {
        const run = waiting[i]!;
        const taken = run.times.length;
        if (r + 1 + taken > runs.length) runs = runWords.intRoom(r + 1 + taken, r);
        runs[r++] = taken;
        for (let j = 0; j < taken; j++) runs[r++] = indexOf(first, run.values[j], run.times[j]!, run.seqs[j]!);
      }
      if (e - first > SCAN) found.clear();
      if (m + META > meta.length) meta = metaWords.floatRoom(m + META, m);
      meta[m + HEAD_END] = w.length;
      meta[m + HELD_END] = held.length;
      meta[m + PENDING] = pendingEnd - (m === 0 ? 0 : meta[m - META + HELD_END]!);
      meta[m + EVENTS_END] = e;
      meta[m + RUNS_END] = r;
      meta[m + LIVE] = live;
      meta[m + ORDER] = state.order;
      m += META;
    });
    const data: LinearKeysCopy = {
      keys: m / META,
      seq: matcher.seq,
      head: w.view(),
      meta: meta.subarray(0, m),
      events: events.subarray(0, 2 * e),
      runs: runs.subarray(0, r),
    };
    const copy = new CopiedLinearKeys(data, held, this.original);
    this.lent = copy.loan;
    return copy;
  }
}

/** The stored layout: the copy's numbers and typed arrays as their bytes (little-endian), then its records. */
export function writeLinearKeysCopy(data: unknown, entries: ArrayLike<unknown>, w: SnapshotWriter): Encoded {
  const copy = data as LinearKeysCopy;
  w.uint(copy.keys);
  w.uint(copy.seq);
  writeArrays(w, [copy.head, copy.meta, copy.events, copy.runs]);
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
  const meta = new Float64Array(readArray(r));
  const events = new Float64Array(readArray(r));
  const runs = new Int32Array(readArray(r));
  if (meta.length !== keys * META) throw new Error(`the copy of ${keys} keys has ${meta.length / META} key rows`);
  const held: unknown[] = [];
  for (let i = 0, n = r.uint(); i < n; i++) held.push(r.record());
  const endOf = (row: number, field: number): number => (row === 0 ? 0 : meta[(row - 1) * META + field]!);
  const rows = indexesByOrder(meta, keys, META, ORDER) ?? Array.from({ length: keys }, (_, row) => row).sort((a, b) => meta[a * META + ORDER]! - meta[b * META + ORDER]!);
  const plain: PatternKeySnapshot[] = [];
  for (let k = 0; k < keys; k++) {
    const row = rows[k]!;
    const at = row * META;
    const headReader = new SnapshotReader(head.subarray(endOf(row, HEAD_END), meta[at + HEAD_END]!), []);
    const { key, timer, timerSeq, times } = readKeyHead(headReader);
    if (!headReader.done) throw new Error(`key ${k}'s head has bytes left over`);
    const heldAt = endOf(row, HELD_END);
    const pending = meta[at + PENDING]!;
    if (pending !== times.length) throw new Error(`key ${k} holds ${pending} records waiting for ${times.length} times`);
    const records = held.slice(heldAt, heldAt + pending) as Record<string, unknown>[];
    const firstEvent = endOf(row, EVENTS_END);
    const eventCount = meta[at + EVENTS_END]! - firstEvent;
    if (heldAt + pending + eventCount !== meta[at + HELD_END]) throw new Error(`key ${k} holds ${eventCount} events and ${meta[at + HELD_END]! - heldAt - pending} of their records`);
    const keyEvents = Array.from({ length: eventCount }, (_, i) => ({ value: held[heldAt + pending + i], timestamp: events[2 * (firstEvent + i)]!, seq: events[2 * (firstEvent + i) + 1]! }));
    const lists: number[][] = [];
    for (let p = endOf(row, RUNS_END), end = meta[at + RUNS_END]!; p < end; ) {
      const taken = runs[p++]!;
      const list = Array.from(runs.subarray(p, p + taken));
      if (p + taken > end || list.some((i) => i < 0 || i >= eventCount)) throw new Error(`key ${k} has a run of events it does not hold`);
      lists.push(list);
      p += taken;
    }
    const live = meta[at + LIVE]!;
    if (live > lists.length) throw new Error(`key ${k} has ${lists.length} runs, not ${live}`);
    plain.push({ key, times, records, timer, timerSeq, linear: { seq, events: keyEvents, runs: lists.slice(0, live), waiting: lists.slice(live) } });
  }
  return plain;
}

registerDeferredEncoder(LINEAR_KEYS_LAYOUT, writeLinearKeysCopy);
