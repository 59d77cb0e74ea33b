/**
 * Records waiting for the watermark, for every key of a pattern operator, in one pool: entry i
 * holds a record and its event time, and each key's entries form a doubly linked list in
 * (time, arrival) order. The pool's arrays are typed (times, links) and shared by all keys, and a
 * freed entry is the next one reused, so the entry a record takes was usually freed a moment ago
 * and is still in the cache. The per-key arrays this replaces were two arrays per key (times and
 * records) scattered over the heap: on the binge bench (20K keys) their first access at arrival
 * and again when the watermark passed cost a cache miss each, ~6% of the operator's time. A key's
 * list (its first and last entry) is in its slot's record (key-slots.ts).
 */
import { FIRST, LAST, SLOT_INTS, type KeySlots } from './key-slots.js';

type Rec = Record<string, unknown>;

/** A key's list as the snapshot copiers read it: its first entry (the operator's keys give it from their slot's record). */
export interface PendingList {
  readonly first: number;
}

/** No entry: the end of a key's list, or the first of a key with none. */
export const NONE = -1;
const EMPTY_RECORD: Rec = Object.freeze({}) as Rec;

/** An entry's 16 bytes: its time (float64 0), its next and previous entries (int32s 2 and 3). */
const ENTRY_FLOATS = 2;
const ENTRY_INTS = 4;
const NEXT = 2;
const PREVIOUS = 3;

export class PendingRecords {
  /**
   * The entries, 16 bytes each: time, next, previous in one record (the int32 view `links` over
   * the same memory), so that a key's fire reads one cold line per record waiting, where three
   * arrays were three.
   */
  private times = new Float64Array(1024 * ENTRY_FLOATS);
  private links = new Int32Array(this.times.buffer);
  /** Never truncated: a freed entry's slot holds EMPTY_RECORD (the record is not kept alive). */
  private readonly records: Rec[] = [];
  /** Free entries, linked through `next`. */
  private free = NONE;
  /** Entries [0, used) have been handed out at least once. */
  private used = 0;

  /** The keys' lists: FIRST and LAST of each key's record. */
  constructor(private readonly slots: KeySlots) {}

  /** Adds `record` at `time` to the list of the key at `slot`, after every entry at or before `time` (arrival order among equal times). */
  add(slot: number, time: number, record: Rec): void {
    let at = this.free;
    if (at !== NONE) this.free = this.links[at * ENTRY_INTS + NEXT]!;
    else at = this.newEntry();
    const { times, links } = this;
    const ints = this.slots.ints;
    const key = slot * SLOT_INTS;
    times[at * ENTRY_FLOATS] = time;
    this.records[at] = record;
    // The common cases inline (a key's first record, an in-order arrival); an earlier time walks
    // back in `insert`, out of the way of the caller's inlining budget.
    const last = ints[key + LAST]!;
    if (last === NONE) {
      links[at * ENTRY_INTS + PREVIOUS] = NONE;
      links[at * ENTRY_INTS + NEXT] = NONE;
      ints[key + FIRST] = at;
      ints[key + LAST] = at;
    } else if (times[last * ENTRY_FLOATS]! <= time) {
      links[at * ENTRY_INTS + PREVIOUS] = last;
      links[at * ENTRY_INTS + NEXT] = NONE;
      links[last * ENTRY_INTS + NEXT] = at;
      ints[key + LAST] = at;
    } else this.insert(key, at, time, last);
  }

  /** A new entry (none is free). */
  private newEntry(): number {
    const at = this.used++;
    if (at * ENTRY_FLOATS === this.times.length) this.grow();
    this.records.push(EMPTY_RECORD);
    return at;
  }

  /** Links entry `at` (earlier than the key's `last`) into the list of the key whose record starts at `key`: after every entry at or before `time`. */
  private insert(key: number, at: number, time: number, last: number): void {
    const { times, links } = this;
    const ints = this.slots.ints;
    let after = links[last * ENTRY_INTS + PREVIOUS]!;
    while (after !== NONE && times[after * ENTRY_FLOATS]! > time) after = links[after * ENTRY_INTS + PREVIOUS]!;
    links[at * ENTRY_INTS + PREVIOUS] = after;
    if (after === NONE) {
      const first = ints[key + FIRST]!;
      links[at * ENTRY_INTS + NEXT] = first;
      links[first * ENTRY_INTS + PREVIOUS] = at;
      ints[key + FIRST] = at;
    } else {
      const next = links[after * ENTRY_INTS + NEXT]!;
      links[at * ENTRY_INTS + NEXT] = next;
      links[next * ENTRY_INTS + PREVIOUS] = at;
      links[after * ENTRY_INTS + NEXT] = at;
    }
  }

  /** The time of the earliest record of the key at `slot`; Infinity when it has none. */
  firstTime(slot: number): number {
    const first = this.slots.ints[slot * SLOT_INTS + FIRST]!;
    return first === NONE ? Infinity : this.times[first * ENTRY_FLOATS]!;
  }

  /** Removes the earliest record of the key at `slot` (the caller checks `firstTime` first) and returns it. */
  shift(slot: number): Rec {
    const ints = this.slots.ints;
    const key = slot * SLOT_INTS;
    const at = ints[key + FIRST]!;
    const record = this.records[at]!;
    this.records[at] = EMPTY_RECORD;
    const links = this.links;
    const following = links[at * ENTRY_INTS + NEXT]!;
    ints[key + FIRST] = following;
    if (following === NONE) ints[key + LAST] = NONE;
    else links[following * ENTRY_INTS + PREVIOUS] = NONE;
    links[at * ENTRY_INTS + NEXT] = this.free;
    this.free = at;
    return record;
  }

  /** How many records a key's list holds, from its first entry on (`first`: PendingList.first, or a slot record's FIRST). */
  count(first: number): number {
    let n = 0;
    for (let at = first; at !== NONE; at = this.after(at)) n++;
    return n;
  }

  /**
   * Entries of a key's list in order, for a binary snapshot that reads them in place (`list`
   * allocates two arrays per key): `for (let at = list.first; at !== NONE; at = pending.after(at))`.
   */
  after(at: number): number {
    return this.links[at * ENTRY_INTS + NEXT]!;
  }

  timeAt(at: number): number {
    return this.times[at * ENTRY_FLOATS]!;
  }

  recordAt(at: number): Rec {
    return this.records[at]!;
  }

  /** The key's records and their times, in order (snapshots). */
  list(list: PendingList): { times: number[]; records: Rec[] } {
    const times: number[] = [];
    const records: Rec[] = [];
    for (let at = list.first; at !== NONE; at = this.after(at)) {
      times.push(this.timeAt(at));
      records.push(this.records[at]!);
    }
    return { times, records };
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    this.links = new Int32Array(times.buffer);
  }
}
