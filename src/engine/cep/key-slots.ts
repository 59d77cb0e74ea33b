/**
 * The pattern operator's live keys as slots: a key is a small integer, and its hot fields sit in
 * one 64-byte record of an Int32Array (with a Float64Array view over the same memory for its two
 * floats), indexed by slot. The key table and the key hints map a key to its slot, and the
 * operator's parts read and write the record: the timers (where the key's timer is, its wheel
 * links, time and registration: key-timers.ts), the records waiting for the watermark (the
 * list's first and last entry: pending-records.ts), the key's id (inline units: key-table.ts) and
 * the linear matcher's runs (block, count, capacity, waiting matches: linear-matcher.ts).
 *
 * Why: with 20K keys, every record touched its key's state object (168 bytes, two or three cache
 * lines scattered over the heap), its timer's record and the key table's entry lines at arrival,
 * and the object again when the watermark passed it (session 12's cachegrind: ~16 of the ~35
 * last-level misses per event are such lines). A record now touches its key's one record at
 * arrival and again at the fire. What a key holds that is read only on cold paths (its value for
 * an output record, a long id, the NFA's state, matches waiting for a skip strategy, snapshots)
 * lives in JS arrays by slot.
 *
 * A freed slot is the next one handed out (last freed first): its record was written a moment ago.
 */

/** int32s per slot: one 64-byte record. */
export const SLOT_INTS = 16;
/** float64s per slot (the Float64Array view). */
export const SLOT_FLOATS = SLOT_INTS / 2;

// The record's fields (int32 offsets), in the order an arrival reads them.
/** Where the key's timer is (KeyTimers: not queued, in the near wheel, in the heap, in the far wheel). */
export const TIMER_AT = 0;
/** The key's neighbours in its wheel bucket (KeyTimers). */
export const TIMER_NEXT = 1;
export const TIMER_PREVIOUS = 2;
/** The first (earliest) of the key's records waiting for the watermark (PendingRecords), -1 for none. */
export const FIRST = 3;
/** Float64 fields (indexes in `floats`, slot * SLOT_FLOATS + these: int32s 4–5 and 6–7): the timer's registration and time. */
export const TIMER_SEQ = 2;
export const TIMER_TIME = 3;
/** The last of the key's records waiting. */
export const LAST = 8;
/** The key's id (KeyTable): a short id's length and units, or a mark (ID_LONG, ID_OTHER, ID_FREE). */
export const ID_A = 9;
export const ID_B = 10;
/** The id's hash (string ids): the table deletes the key without hashing its id again. */
export const HASH = 11;
/**
 * The linear matcher's runs: the key's block of rows (-1 for none), how many rows it has (and
 * LINEAR_WAITING, a bit: completed matches wait for an earlier partial match), how many runs.
 */
export const LINEAR_BLOCK = 12;
export const LINEAR_CAPACITY = 13;
export const LINEAR_WAITING = 1 << 30;
export const LINEAR_CAPACITY_MASK = LINEAR_WAITING - 1;
export const LINEAR_COUNT = 14;
/** The key's insertion number (KeyTable: snapshots list keys in insertion order). */
export const ORDER = 15;

/** No slot, no entry. */
export const NO_SLOT = -1;

const FIRST_CAPACITY = 256;

export class KeySlots {
  /** The records, SLOT_INTS per slot. Replaced by a larger copy when full: read it again after `allocate`. */
  ints = new Int32Array(FIRST_CAPACITY * SLOT_INTS);
  /** The same memory as float64s (SLOT_FLOATS per slot). */
  floats = new Float64Array(this.ints.buffer);
  /** Per slot, its key when the record does not give it (KeyTable.keyOf: a key that is its own inline id is not kept); cold. */
  readonly keys: unknown[] = [];
  /** Per slot, its id when the record does not hold it inline (KeyTable); cold. */
  readonly ids: unknown[] = [];
  private capacity = FIRST_CAPACITY;
  /** Freed slots, the last freed on top. */
  private free = new Int32Array(FIRST_CAPACITY);
  private freeCount = 0;
  /** Slots [0, used) have been handed out at least once. */
  private used = 0;

  /** How many slots were ever handed out (slot numbers are below it). */
  get highWater(): number {
    return this.used;
  }

  /** A slot for a new key: the last freed one, or a new one. Its record: no timer, no records, no runs. */
  allocate(): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!;
    else {
      slot = this.used++;
      if (slot === this.capacity) this.grow();
    }
    const ints = this.ints;
    const at = slot * SLOT_INTS;
    ints[at + TIMER_AT] = -1;
    ints[at + FIRST] = NO_SLOT;
    ints[at + LAST] = NO_SLOT;
    ints[at + LINEAR_BLOCK] = NO_SLOT;
    ints[at + LINEAR_CAPACITY] = 0;
    ints[at + LINEAR_COUNT] = 0;
    return slot;
  }

  /** Gives a slot back (its key was forgotten: the table marked its id free and let go of its key and id). */
  release(slot: number): void {
    this.free[this.freeCount++] = slot;
  }

  private grow(): void {
    this.capacity *= 2;
    const ints = new Int32Array(this.capacity * SLOT_INTS);
    ints.set(this.ints);
    this.ints = ints;
    this.floats = new Float64Array(ints.buffer);
    const free = new Int32Array(this.capacity);
    free.set(this.free);
    this.free = free;
  }
}
