/**
 * A pattern step's keys for a checkpoint in two parts, as Flink's heap backend takes a snapshot:
 *
 * - synchronous, on the replay thread between two records (`PatternKeysCopier.copy`): each key's
 *   head (value, timer, times of its records waiting for the watermark) written as bytes, its NFA
 *   arena's used records copied word for word (one typed-array copy, no walk), its run-list heads
 *   and counters into a row of numbers, the Dewey version pool copied whole, and the value pool
 *   (the records the events hold) copied as an array: nothing read record by record, nothing encoded;
 * - asynchronous (on the checkpoint store's writer thread): the copy stored as it is
 *   (`writePatternKeysCopy`, layout `sw-pattern-copy/1`). Whoever reads it, or wants the plain
 *   form of a copy (`encodePatternKeysCopy`), gets the layout `sw-pattern-keys/1`
 *   (pattern-snapshot-binary.ts) written from the copy by the same encoder the live state would
 *   use (NfaStateEncoder over an NfaState whose arena is the copied one), so the plain form is
 *   exactly the one a direct encoding would give.
 *
 * The copy lives in SharedArrayBuffers, reused from checkpoint to checkpoint (fresh megabytes cost
 * a page fault per 4 KB): the writer thread reads them where they are. A copy still lent to the
 * writer thread (`busy`) is never overwritten: the next copy then takes new buffers.
 */
import { DeferredState, readArray, registerLayout, ReusedBuffers, SnapshotReader, SnapshotWriter, writeArrays, type Encoded } from '../snapshot/binary.js';
import * as Dewey from './nfa/dewey-number.js';
import { NfaStateEncoder } from './nfa/nfa-snapshot-binary.js';
import { NfaState } from './nfa/nfa.js';
import { pageNameList, RECORD, SHIFT, ValuePool } from './nfa/shared-buffer.js';
import { PATTERN_KEYS_LAYOUT, readPatternKeys, writeKeyHead } from './pattern-snapshot-binary.js';
import type { PatternKeySnapshot } from './pattern-operator.js';
import { sortedByOrder } from './key-table.js';
import { NONE, type PendingList, type PendingRecords } from './pending-records.js';

/** What the copier reads of a key: its value, timer, records waiting (its list), NFA state, and its place in the key order. */
export interface CopiedKey extends PendingList {
  readonly key: unknown;
  readonly timer: number;
  readonly order: number;
}

// A key's row in `meta` (Float64: run ids and arrival numbers count past 2^31).
const HEAD_END = 0;
const PENDING_END = 1;
const ARENA_AT = 2;
const TOP = 3;
const FIRST_RUN = 4;
const RUN_COUNT = 5;
const COMPLETED_END = 6;
const START_VERSION = 7;
const START_ID = 8;
const SEQ = 9;
const LIVE_EVENTS = 10;
const LIVE_NODES = 11;
/** The key's place in the snapshot's key order (keys are copied as found, and written in this order). */
const ORDER = 12;
const META = 13;

/** What the writer thread receives (typed arrays over SharedArrayBuffers: shared, not copied). */
export interface PatternKeysCopy {
  readonly keys: number;
  /** Per key: the bytes writeKeyHead wrote. */
  readonly head: Uint8Array;
  /** Per key META numbers (see the constants above), in the order copied; a key's head, records waiting and completed runs follow the previous key's. */
  readonly meta: Float64Array;
  /** The keys' arenas, one after the other, each at a multiple of RECORD words (its times are Float64 over the same bytes). */
  readonly arenas: Int32Array;
  /** The keys' completed-but-waiting runs, one after the other. */
  readonly completed: Int32Array;
  /** Dewey.poolWords() as it was. */
  readonly dewey: Int32Array;
  /** The stage page names by index, the NFA's state names by index, its start state's name. */
  readonly pages: readonly string[];
  readonly states: readonly string[];
  readonly start: string;
  /** Held index i < pool is value-pool index i; pool + k is the k-th record waiting, in key order. */
  readonly pool: number;
}

/** Reused typed arrays over SharedArrayBuffers, grown by doubling (the first `keep` items kept). */
export class SharedWords {
  ints: Int32Array = new Int32Array(new SharedArrayBuffer(4 * 1024));
  floats: Float64Array = new Float64Array(new SharedArrayBuffer(8 * 1024));

  intRoom(n: number, keep: number): Int32Array {
    return (this.ints = room(this.ints, n, keep, (length) => new Int32Array(new SharedArrayBuffer(4 * length))));
  }

  floatRoom(n: number, keep: number): Float64Array {
    return (this.floats = room(this.floats, n, keep, (length) => new Float64Array(new SharedArrayBuffer(8 * length))));
  }
}

function room<T extends Int32Array | Float64Array>(array: T, n: number, keep: number, make: (length: number) => T): T {
  if (n <= array.length) return array;
  const bigger = make(Math.max(n, array.length * 2));
  bigger.set(array.subarray(0, keep));
  return bigger;
}

/** One set of buffers a copy is written into. */
class CopyBuffers {
  readonly head = new SnapshotWriter({ sizeHint: 1 << 16, shared: true });
  readonly meta = new SharedWords();
  readonly arenas = new SharedWords();
  readonly completed = new SharedWords();
  readonly dewey = new SharedWords();
}

/** A pattern step's keys as copied at a checkpoint; encoded on the writer thread, or here when first read. */
export class CopiedPatternKeys extends DeferredState {
  constructor(
    readonly data: PatternKeysCopy,
    readonly held: readonly unknown[],
    original: (held: unknown) => unknown,
  ) {
    super(PATTERN_KEYS_LAYOUT, null, readPatternKeys, original);
  }

  readonly storedLayout = PATTERN_COPY_LAYOUT;

  get size(): number {
    const { head, meta, arenas, completed, dewey } = this.data;
    return head.length + meta.byteLength + arenas.byteLength + completed.byteLength + dewey.byteLength;
  }
}

export class PatternKeysCopier {
  private readonly buffers = new ReusedBuffers(() => new CopyBuffers());

  constructor(
    /** The NFA's start state's name and its state names by index. */
    private readonly start: string,
    private readonly states: readonly string[],
    /** The whole record a held one stands for (EncodedState.original). */
    private readonly original: (held: unknown) => unknown,
  ) {}

  /**
   * Copies the keys `forEach` visits (`count` of them, in any order: they are written sorted by
   * their `order`) with their timers' registrations, records waiting in `pending`, and the NFA
   * value pool `pool` their events' values are in.
   */
  copy<K extends CopiedKey & NfaState<unknown>>(
    forEach: (visit: (key: K) => void) => void,
    count: number,
    registrationOf: (key: K) => number,
    pending: PendingRecords,
    pool: ValuePool,
  ): CopiedPatternKeys {
    // The buffers of a copy the writer thread may still read are left to it.
    const { head: w, meta: metaWords, arenas: arenaWords, completed: completedWords, dewey: deweyWords } = this.buffers.take();
    w.reset();
    const held = pool.copyValues();
    const poolSize = held.length;
    let meta = metaWords.floatRoom(count * META, 0);
    let arenas = arenaWords.ints;
    let completed = completedWords.ints;
    let arenaAt = 0;
    let completedAt = 0;
    let m = 0;
    forEach((state) => {
      writeKeyHead(w, state.key, state.timer, registrationOf(state), pending, state.first);
      for (let at = state.first; at !== NONE; at = pending.after(at)) held.push(pending.recordAt(at));
      const n = state.top << SHIFT;
      if (arenaAt + n > arenas.length) arenas = arenaWords.intRoom(arenaAt + n, arenaAt);
      const words = state.words;
      // Word by word up to a few KB: a subarray and a set cost more than the loop.
      if (n <= 1024) for (let i = 0; i < n; i++) arenas[arenaAt + i] = words[i]!;
      else arenas.set(words.subarray(0, n), arenaAt);
      const done = state.completedMatches;
      if (done.length > 0) {
        if (completedAt + done.length > completed.length) completed = completedWords.intRoom(completedAt + done.length, completedAt);
        for (let i = 0; i < done.length; i++) completed[completedAt++] = done[i]!;
      }
      if (m + META > meta.length) meta = metaWords.floatRoom(m + META, m);
      meta[m + HEAD_END] = w.length;
      meta[m + PENDING_END] = held.length - poolSize;
      meta[m + ARENA_AT] = arenaAt;
      meta[m + TOP] = state.top;
      meta[m + FIRST_RUN] = state.firstRun;
      meta[m + RUN_COUNT] = state.runCount;
      meta[m + COMPLETED_END] = completedAt;
      meta[m + START_VERSION] = state.startVersion;
      meta[m + START_ID] = state.startId;
      meta[m + SEQ] = state.seq;
      meta[m + LIVE_EVENTS] = state.liveEvents;
      meta[m + LIVE_NODES] = state.liveNodes;
      meta[m + ORDER] = state.order;
      m += META;
      arenaAt += n;
    });
    const versions = Dewey.poolWords();
    const dewey = deweyWords.intRoom(versions.length, 0);
    dewey.set(versions);
    const data: PatternKeysCopy = {
      keys: m / META,
      head: w.view(),
      meta: meta.subarray(0, m),
      arenas: arenas.subarray(0, arenaAt),
      completed: completed.subarray(0, completedAt),
      dewey: dewey.subarray(0, versions.length),
      pages: pageNameList().slice(),
      states: this.states,
      start: this.start,
      pool: poolSize,
    };
    const copy = new CopiedPatternKeys(data, held, this.original);
    this.buffers.lend(copy);
    return copy;
  }
}

/** A value pool that reads a copy: index i is entries[i] (a record here, its reference on the writer thread). */
class EntryPool extends ValuePool {
  constructor(private readonly entries: ArrayLike<unknown>) {
    super();
  }

  override get(index: number): unknown {
    return this.entries[index];
  }
}

const NO_RUNS: number[] = [];

/** The layout sw-pattern-keys/1 of a copy; the records written are `entries` items (see PatternKeysCopy.pool). */
export function encodePatternKeysCopy(data: unknown, entries: ArrayLike<unknown>, w: SnapshotWriter): Encoded {
  const copy = data as PatternKeysCopy;
  // Page names from the copy: the process reading it (the writer thread, a resume) may have interned others.
  const pages = copy.pages;
  const encoder = new NfaStateEncoder(w, copy.start, copy.states, (page) => pages[page]!);
  const state = new NfaState<unknown>(null);
  state.pool = new EntryPool(entries);
  const { head, meta, arenas, completed } = copy;
  // A row's head, records waiting and completed runs start where the previous row's end.
  const endOf = (row: number, field: number): number => (row === 0 ? 0 : meta[(row - 1) * META + field]!);
  Dewey.readingPool(copy.dewey, () => {
    w.uint(copy.keys);
    // The rows (indexes into `meta`) by their keys' order.
    const rows = sortedByOrder(meta, copy.keys, META, ORDER);
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      const m = row * META;
      w.raw(head.subarray(endOf(row, HEAD_END), meta[m + HEAD_END]!));
      for (let p = copy.pool + endOf(row, PENDING_END), end = copy.pool + meta[m + PENDING_END]!; p < end; p++) w.record(entries[p]);
      const at = meta[m + ARENA_AT]!;
      const top = meta[m + TOP]!;
      state.words = arenas.subarray(at, at + top * RECORD);
      state.times = new Float64Array(arenas.buffer, arenas.byteOffset + at * 4, top * (RECORD / 2));
      state.top = top;
      state.firstRun = meta[m + FIRST_RUN]!;
      state.runCount = meta[m + RUN_COUNT]!;
      const completedAt = endOf(row, COMPLETED_END);
      const completedEnd = meta[m + COMPLETED_END]!;
      state.completedMatches = completedEnd === completedAt ? NO_RUNS : Array.from(completed.subarray(completedAt, completedEnd));
      state.startVersion = meta[m + START_VERSION]!;
      state.startId = meta[m + START_ID]!;
      state.seq = meta[m + SEQ]!;
      state.liveEvents = meta[m + LIVE_EVENTS]!;
      state.liveNodes = meta[m + LIVE_NODES]!;
      encoder.write(state);
    }
  });
  return w.encoded();
}


/**
 * The layout a checkpoint stores a copy in: the copy itself, its typed arrays as their bytes
 * (little-endian: the machine's order on every platform node runs on), then the held records
 * with a reference, as (index step, record). Writing it is a few memcpys where encoding
 * sw-pattern-keys/1 walked every node, edge and run (≈100 ms per binge checkpoint); reading it
 * (a resume, `sw savepoint create`) encodes that layout from the copy and decodes it.
 */
export const PATTERN_COPY_LAYOUT = 'sw-pattern-copy/1';

/** A stored copy's layout; `entries` as for encodePatternKeysCopy. */
export function writePatternKeysCopy(data: unknown, entries: ArrayLike<unknown>, w: SnapshotWriter): Encoded {
  const copy = data as PatternKeysCopy;
  w.uint(copy.keys);
  w.uint(copy.pool);
  w.str(copy.start);
  for (const names of [copy.states, copy.pages]) {
    w.uint(names.length);
    for (const name of names) w.str(name);
  }
  writeArrays(w, [copy.head, copy.meta, copy.arenas, copy.completed, copy.dewey]);
  let held = 0;
  for (let i = 0; i < entries.length; i++) if (isHeld(entries[i])) held++;
  w.uint(held);
  for (let i = 0, last = 0; i < entries.length; i++) {
    if (!isHeld(entries[i])) continue;
    w.uint(i - last);
    w.record(entries[i]);
    last = i;
  }
  return w.encoded();
}

/** A record, or its reference: not undefined (a free value-pool slot) nor the reference 0 (none). */
function isHeld(entry: unknown): boolean {
  return entry !== undefined && entry !== 0;
}

/** The plain form of what writePatternKeysCopy wrote (through sw-pattern-keys/1, as the copy would have been encoded). */
export function readPatternKeysCopy(r: SnapshotReader): PatternKeySnapshot[] {
  const keys = r.uint();
  const pool = r.uint();
  const start = r.str();
  const [states, pages] = [0, 1].map(() => Array.from({ length: r.uint() }, () => r.str()));
  const bytes = (): ArrayBuffer => readArray(r);
  const head = new Uint8Array(bytes());
  const meta = new Float64Array(bytes());
  const arenas = new Int32Array(bytes());
  const completed = new Int32Array(bytes());
  const dewey = new Int32Array(bytes());
  if (meta.length !== keys * META) throw new Error(`the copy of ${keys} keys has ${meta.length / META} key rows`);
  const entries: unknown[] = [];
  for (let i = 0, n = r.uint(), at = 0; i < n; i++) {
    at += r.uint();
    entries[at] = r.record();
  }
  const copy: PatternKeysCopy = { keys, head, meta, arenas, completed, dewey, pages: pages!, states: states!, start, pool };
  const encoded = encodePatternKeysCopy(copy, entries, new SnapshotWriter({ sizeHint: arenas.byteLength }));
  const reader = new SnapshotReader(encoded.bytes, encoded.records);
  const plain = readPatternKeys(reader);
  if (!reader.done) throw new Error('the copy encodes to more than its keys');
  return plain;
}

registerLayout(PATTERN_KEYS_LAYOUT, { decode: readPatternKeys, encode: encodePatternKeysCopy });
registerLayout(PATTERN_COPY_LAYOUT, { decode: readPatternKeysCopy, encode: writePatternKeysCopy });
