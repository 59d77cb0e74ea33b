/**
 * The pattern operator's live keys: key identity → the key's slot (key-slots.ts). On a keyed
 * stream whose keys go idle between two of their records (the binge bench: 20K users, ~1,400 with
 * records waiting), every record inserts its key and the watermark deletes it again soon after. A
 * Map does that with a miss, an insert and a delete per record, and rebuilds its table whenever the
 * deleted entries fill it (every few hundred records here: a table's worth of garbage each time).
 * This table keeps string keys (the usual key) in open addressing with linear probing over one
 * Int32Array of (hash, slot) pairs: the hash compared before the ids are, and deletion by backward
 * shift, so that nothing is rebuilt or allocated unless the table grows (list and map keys arrive
 * here too, as their identity strings: keyIdOf in ../state/state-key.ts). Other keys (numbers,
 * booleans, null) go to a Map: JSON's number and -0 / NaN rules stay the Map's (SameValueZero).
 *
 * A key's id is in its slot's record (ID_A, ID_B): a short ASCII id as its length and units, so
 * that a hit compares the id with the record the operator reads next anyway, and reads neither the
 * id string nor another object; a longer one (or one with a unit of 0x80 or more) is marked ID_LONG
 * and compared with the id kept in KeySlots.ids.
 */
import { HASH, ID_A, ID_B, NO_SLOT, ORDER, SLOT_INTS, type KeySlots } from './key-slots.js';

/** The longest string id kept inline in its record. */
export const INLINE_UNITS = 8;
/** Marks in ID_A (an inline id's ID_A has its length, at most 8, in its low 4 bits): */
/** a string id not inline (compared with KeySlots.ids); */
const ID_LONG = 15;
/** a key of another type (in the Map; its id in KeySlots.ids); */
const ID_OTHER = 13;
/** a freed slot: no id equals it (a stale key hint naming the slot finds nothing). */
const ID_FREE = 14;
/**
 * In ID_B (whose units take bits 0–27): the key is its inline id (a string key, not led by NUL),
 * so it is not kept in KeySlots.keys: keyOf decodes it from the record (an output's key; a new
 * key's write to a cold line of `keys` saved).
 */
const KEY_IS_ID = 1 << 28;
/** Insertion numbers are int32s in the record: past this one, the live keys are numbered again (in order). */
const LAST_ORDER = 0x7fffffff;

/** Whether a record's ID_A and ID_B say its key is its inline id. */
function isInlineKey(a: number, b: number): boolean {
  return (b & KEY_IS_ID) !== 0 && a !== ID_LONG && a !== ID_OTHER && a !== ID_FREE;
}

/** Unit `i` of the inline id in ID_A `a` and ID_B `b`. */
function inlineUnit(a: number, b: number, i: number): number {
  return i < 4 ? (a >>> (4 + 7 * i)) & 0x7f : (b >>> (7 * (i - 4))) & 0x7f;
}

/**
 * ID_A of a string id: its length (4 bits) and its first four units (7 bits each), when it has at
 * most INLINE_UNITS units, each under 0x80; else ID_LONG.
 */
export function idHigh(id: string): number {
  const n = id.length;
  if (n > INLINE_UNITS) return ID_LONG;
  let a = n;
  for (let i = 0; i < n; i++) {
    const unit = id.charCodeAt(i);
    if (unit >= 0x80) return ID_LONG;
    if (i < 4) a |= unit << (4 + 7 * i);
  }
  return a;
}

/** ID_B of an inline string id: its units 4 to 7 (7 bits each; 0 past its end). */
export function idLow(id: string): number {
  let b = 0;
  for (let i = 4; i < id.length; i++) b |= id.charCodeAt(i) << (7 * (i - 4));
  return b;
}

/** FNV-1a over the UTF-16 code units, with a final mix (linear probing wants the low bits spread); never 0. */
export function stringHash(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h === 0 ? 1 : h;
}

/**
 * The indexes 0..n-1 sorted by their orders (`orders[i * stride + offset]`), natively: each order
 * packed with its index into one number (order * span + index) and the Float64Array sorted, where
 * a comparator sort of 53K indexes took 42 ms and this 18-23 ms. Null when a packed number would
 * pass 2^53 (never short of 2^53 / span insertions): the caller then sorts by comparison.
 */
export function indexesByOrder(orders: ArrayLike<number>, n: number, stride = 1, offset = 0): Int32Array | null {
  let span = 1;
  while (span < n) span *= 2;
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const key = orders[i * stride + offset]! * span + i;
    if (key > Number.MAX_SAFE_INTEGER) return null;
    packed[i] = key;
  }
  packed.sort();
  const sorted = new Int32Array(n);
  for (let k = 0; k < n; k++) sorted[k] = packed[k]! % span;
  return sorted;
}

/** The indexes 0..n-1 sorted by their orders: natively (indexesByOrder), by comparison past 2^53. */
export function sortedByOrder(orders: ArrayLike<number>, n: number, stride = 1, offset = 0): Int32Array | number[] {
  return indexesByOrder(orders, n, stride, offset) ?? Array.from({ length: n }, (_, i) => i).sort((a, b) => orders[a * stride + offset]! - orders[b * stride + offset]!);
}

const EMPTY_HASH = 0;
/** A bucket's int32s: the hash (0: free; stringHash never gives 0) and the slot. */
const BUCKET = 2;
const MIN_BUCKETS = 1024;

export class KeyTable {
  private buckets = new Int32Array(MIN_BUCKETS * BUCKET);
  private mask = MIN_BUCKETS - 1;
  private strings = 0;
  private readonly others = new Map<unknown, number>();
  private nextOrder = 0;
  /** The string `get` hashed last and its hash: a miss is followed by `add` of the same id. */
  private probedId: string | null = null;
  private probedHash = 0;
  /** The empty bucket that ended that probe: `add` of the same id puts it there (no second probe). */
  private probedBucket = 0;

  /** The slots' records (ids, hashes) and their insertion orders. */
  constructor(private readonly slots: KeySlots) {}

  get size(): number {
    return this.strings + this.others.size;
  }

  /**
   * Whether the key at `slot` has the string id `id`: an inline id compared with the units in the
   * slot's record (the record a record's arrival reads anyway), a long one with the id kept aside.
   */
  hasId(slot: number, id: string): boolean {
    const at = slot * SLOT_INTS;
    const a = this.slots.ints[at + ID_A]!;
    if (a === ID_LONG) return this.slots.ids[slot] === id;
    // The length first (an inline id's low 4 bits; never equal for a mark, 13 to 15, as ids of 9
    // units or more are not inline): most ids that differ differ there, before their units are packed.
    const n = id.length;
    if (n > INLINE_UNITS || (a & 15) !== n) return false;
    return a === idHigh(id) && (this.slots.ints[at + ID_B]! & ~KEY_IS_ID) === idLow(id);
  }

  /** The key at `slot`: decoded from its inline id when it is that id, else the key kept aside. */
  keyOf(slot: number): unknown {
    const at = slot * SLOT_INTS;
    const b = this.slots.ints[at + ID_B]!;
    const a = this.slots.ints[at + ID_A]!;
    if (!isInlineKey(a, b)) return this.slots.keys[slot];
    let key = '';
    for (let i = 0, n = a & 15; i < n; i++) key += String.fromCharCode(inlineUnit(a, b, i));
    return key;
  }

  /**
   * The key at `slot` as its inline id's units, into `units` (at least INLINE_UNITS long), when it
   * is that id: their count (a snapshot writes them without keyOf building the string); -1 when
   * it is not (then keyOf).
   */
  inlineKeyUnits(slot: number, units: Uint8Array): number {
    const at = slot * SLOT_INTS;
    const b = this.slots.ints[at + ID_B]!;
    const a = this.slots.ints[at + ID_A]!;
    if (!isInlineKey(a, b)) return -1;
    const n = a & 15;
    for (let i = 0; i < n; i++) units[i] = inlineUnit(a, b, i);
    return n;
  }

  /** The slot of `id`, NO_SLOT when it is not in the table; `hash`: stringHash(id), when the caller has it. */
  get(id: unknown, hash?: number): number {
    if (typeof id !== 'string') return this.others.get(id) ?? NO_SLOT;
    const h = hash ?? stringHash(id);
    this.probedId = id;
    this.probedHash = h;
    const { buckets, mask } = this;
    // The hashes until one is equal: a miss (most lookups on a stream whose keys go idle between
    // their records) reads only the buckets, not the records.
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const stored = buckets[i * BUCKET]!;
      if (stored === EMPTY_HASH) {
        this.probedBucket = i;
        return NO_SLOT;
      }
      if (stored === h) {
        const slot = buckets[i * BUCKET + 1]!;
        if (this.hasId(slot, id)) return slot;
      }
    }
  }

  /** Adds `key` at `slot` (allocated, not in the table) under its identity `id`, which is not in the table. */
  add(slot: number, id: unknown, key: unknown): void {
    const { slots } = this;
    if (this.nextOrder > LAST_ORDER) this.renumber();
    const ints = slots.ints;
    const at = slot * SLOT_INTS;
    ints[at + ORDER] = this.nextOrder++;
    if (typeof id !== 'string') {
      ints[at + ID_A] = ID_OTHER;
      slots.ids[slot] = id;
      slots.keys[slot] = key;
      this.others.set(id, slot);
      return;
    }
    const a = idHigh(id);
    ints[at + ID_A] = a;
    if (a === ID_LONG) {
      slots.ids[slot] = id;
      slots.keys[slot] = key;
    } else if (key === id) ints[at + ID_B] = idLow(id) | KEY_IS_ID;
    else {
      ints[at + ID_B] = idLow(id);
      slots.keys[slot] = key;
    }
    // Growing forgets the probe (grow sets probedId to null): the id is then placed afresh.
    if (++this.strings * 2 > this.mask + 1) this.grow();
    // Added right after `get` missed it (the operator's lookUp): the empty bucket that ended the
    // probe, if it is still empty (another id added in between may have taken it; adds only fill
    // buckets and deletions forget the probe, so a bucket still empty is still the first empty one of the probe).
    if (id === this.probedId && this.buckets[this.probedBucket * BUCKET] === EMPTY_HASH) {
      ints[at + HASH] = this.probedHash;
      this.put(this.probedBucket, this.probedHash, slot);
      this.probedId = null;
      return;
    }
    const h = id === this.probedId ? this.probedHash : stringHash(id);
    ints[at + HASH] = h;
    this.place(h, slot);
  }

  /** Removes the key at `slot` (added before); its record's id is marked free. */
  delete(slot: number): void {
    const ints = this.slots.ints;
    const at = slot * SLOT_INTS;
    const a = ints[at + ID_A]!;
    ints[at + ID_A] = ID_FREE;
    // What `add` kept beside the record goes with the key: the slot's next key may be one that
    // writes neither (a short id that is its own key), and would leave it reachable for good.
    if (a === ID_OTHER || a === ID_LONG) {
      if (a === ID_OTHER) this.others.delete(this.slots.ids[slot]);
      this.slots.ids[slot] = undefined;
      this.slots.keys[slot] = undefined;
      if (a === ID_OTHER) return;
    } else if ((ints[at + ID_B]! & KEY_IS_ID) === 0) this.slots.keys[slot] = undefined;
    const { buckets, mask } = this;
    // A deletion moves entries: the bucket a `get` found empty no longer ends that probe.
    this.probedId = null;
    const h = ints[at + HASH]!;
    let i = h & mask;
    for (;;) {
      const stored = buckets[i * BUCKET]!;
      if (stored === h && buckets[i * BUCKET + 1] === slot) break;
      if (stored === EMPTY_HASH) return;
      i = (i + 1) & mask;
    }
    this.strings--;
    // Backward shift: later entries of the probe run move into the hole unless their home bucket
    // lies cyclically after the hole, so that every entry stays reachable from its home bucket.
    for (let j = i; ; ) {
      buckets[i * BUCKET] = EMPTY_HASH;
      let stored: number;
      let home: number;
      do {
        j = (j + 1) & mask;
        stored = buckets[j * BUCKET]!;
        if (stored === EMPTY_HASH) return;
        home = stored & mask;
      } while (i <= j ? i < home && home <= j : i < home || home <= j);
      buckets[i * BUCKET] = stored;
      buckets[i * BUCKET + 1] = buckets[j * BUCKET + 1]!;
      i = j;
    }
  }

  /** Calls `visit` with every key's slot, in no particular order (a checkpoint's copy, which orders them later by their orders). */
  forEach(visit: (slot: number) => void): void {
    const buckets = this.buckets;
    for (let i = 0; i < buckets.length; i += BUCKET) if (buckets[i] !== EMPTY_HASH) visit(buckets[i + 1]!);
    this.others.forEach(visit);
  }

  /**
   * The slots in their keys' insertion order (snapshots). The orders, each packed with its
   * slot's index into one number, sort as a Float64Array, natively: sorting by `a.order - b.order`
   * read two scattered key objects per comparison (~20 ms per binge checkpoint), and sorting with
   * a comparator took 42 ms for 53K keys, this 18–23 ms (load 12).
   */
  values(): number[] {
    const ints = this.slots.ints;
    const found: number[] = [];
    this.forEach((slot) => found.push(slot));
    const n = found.length;
    const foundOrders = new Float64Array(n);
    for (let k = 0; k < n; k++) foundOrders[k] = ints[found[k]! * SLOT_INTS + ORDER]!;
    const sorted = sortedByOrder(foundOrders, n);
    const list = new Array<number>(n);
    for (let k = 0; k < n; k++) list[k] = found[sorted[k]!]!;
    return list;
  }

  /** The order of the key at `slot` among the live keys (its insertion number; `values()` lists them by it). */
  orderOf(slot: number): number {
    return this.slots.ints[slot * SLOT_INTS + ORDER]!;
  }

  /** Numbers the live keys 0, 1, … in their order: insertion numbers are int32s in the records (one pass per 2^31 insertions). */
  private renumber(): void {
    const slots = this.values();
    const ints = this.slots.ints;
    for (let k = 0; k < slots.length; k++) ints[slots[k]! * SLOT_INTS + ORDER] = k;
    this.nextOrder = slots.length;
  }

  private place(h: number, slot: number): void {
    const { buckets, mask } = this;
    let i = h & mask;
    while (buckets[i * BUCKET] !== EMPTY_HASH) i = (i + 1) & mask;
    this.put(i, h, slot);
  }

  private put(i: number, h: number, slot: number): void {
    this.buckets[i * BUCKET] = h;
    this.buckets[i * BUCKET + 1] = slot;
  }

  private grow(): void {
    const old = this.buckets;
    const capacity = (this.mask + 1) * 2;
    this.buckets = new Int32Array(capacity * BUCKET);
    this.mask = capacity - 1;
    this.probedId = null;
    for (let i = 0; i < old.length; i += BUCKET) if (old[i] !== EMPTY_HASH) this.place(old[i]!, old[i + 1]!);
  }
}
