/**
 * Records waiting for the watermark, for every key of a pattern operator, in one pool: entry i
 * holds a record and its event time, and each key's entries form a doubly linked list in
 * (time, arrival) order. The pool's arrays are typed (times, links) and shared by all keys, and a
 * freed entry is the next one reused, so the entry a record takes was usually freed a moment ago
 * and is still in the cache. The per-key arrays this replaces were two arrays per key (times and
 * records) scattered over the heap: on the binge bench (20K keys) their first access at arrival
 * and again when the watermark passed cost a cache miss each, ~6% of the operator's time.
 */
type Rec = Record<string, unknown>;

/** A key's list: its first (earliest) and last entry, -1 when it has none. */
export interface PendingList {
  first: number;
  last: number;
}

/** No entry: the end of a key's list, or the first of a key with none. */
export const NONE = -1;
const EMPTY_RECORD: Rec = Object.freeze({}) as Rec;

export class PendingRecords {
  private times = new Float64Array(1024);
  private next = new Int32Array(1024);
  private previous = new Int32Array(1024);
  /** Never truncated: a freed entry's slot holds EMPTY_RECORD (the record is not kept alive). */
  private readonly records: Rec[] = [];
  /** Free entries, linked through `next`. */
  private free = NONE;
  /** Entries [0, used) have been handed out at least once. */
  private used = 0;

  /** Adds `record` at `time` to the key's list, after every entry at or before `time` (arrival order among equal times). */
  add(list: PendingList, time: number, record: Rec): void {
    let at = this.free;
    if (at !== NONE) this.free = this.next[at]!;
    else {
      at = this.used++;
      if (at === this.times.length) this.grow();
      this.records.push(EMPTY_RECORD);
    }
    const { times, next, previous } = this;
    times[at] = time;
    this.records[at] = record;
    // In-order arrival is the common case: append; otherwise walk back past the later entries.
    let after = list.last;
    while (after !== NONE && times[after]! > time) after = previous[after]!;
    previous[at] = after;
    if (after === NONE) {
      next[at] = list.first;
      if (list.first !== NONE) previous[list.first] = at;
      else list.last = at;
      list.first = at;
    } else {
      next[at] = next[after]!;
      if (next[after] !== NONE) previous[next[after]!] = at;
      else list.last = at;
      next[after] = at;
    }
  }

  /** The time of the key's earliest record; Infinity when it has none. */
  firstTime(list: PendingList): number {
    return list.first === NONE ? Infinity : this.times[list.first]!;
  }

  /** Removes the key's earliest record (the caller checks `firstTime` first) and returns it. */
  shift(list: PendingList): Rec {
    const at = list.first;
    const record = this.records[at]!;
    this.records[at] = EMPTY_RECORD;
    const following = this.next[at]!;
    list.first = following;
    if (following === NONE) list.last = NONE;
    else this.previous[following] = NONE;
    this.next[at] = this.free;
    this.free = at;
    return record;
  }

  /** How many records the key holds. */
  count(list: PendingList): number {
    let n = 0;
    for (let at = list.first; at !== NONE; at = this.next[at]!) n++;
    return n;
  }

  /**
   * Entries of a key's list in order, for a binary snapshot that reads them in place (`list`
   * allocates two arrays per key): `for (let at = list.first; at !== NONE; at = pending.after(at))`.
   */
  after(at: number): number {
    return this.next[at]!;
  }

  timeAt(at: number): number {
    return this.times[at]!;
  }

  recordAt(at: number): Rec {
    return this.records[at]!;
  }

  /** The key's records and their times, in order (snapshots). */
  list(list: PendingList): { times: number[]; records: Rec[] } {
    const times: number[] = [];
    const records: Rec[] = [];
    for (let at = list.first; at !== NONE; at = this.next[at]!) {
      times.push(this.times[at]!);
      records.push(this.records[at]!);
    }
    return { times, records };
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    times.set(this.times);
    this.times = times;
    const next = new Int32Array(n);
    next.set(this.next);
    this.next = next;
    const previous = new Int32Array(n);
    previous.set(this.previous);
    this.previous = previous;
  }
}
