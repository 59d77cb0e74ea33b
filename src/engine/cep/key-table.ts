/**
 * The pattern operator's live keys: key identity → key state. On a keyed stream whose keys go idle
 * between two of their records (the binge bench: 20K users, ~1,400 with records waiting), every
 * record inserts its key and the watermark deletes it again soon after. A Map does that with a
 * miss, an insert and a delete per record, and rebuilds its table whenever the deleted entries
 * fill it (every few hundred records here: a table's worth of garbage each time). This table keeps
 * string keys (the usual key) in open addressing with linear probing over parallel arrays: the
 * entry's own hash, compared before the key strings are, and deletion by backward shift, so that
 * nothing is rebuilt or allocated unless the table grows (list and map keys arrive here too, as
 * their identity strings: keyIdOf in ../state/state-key.ts). Other keys (numbers, booleans, null)
 * go to a Map: JSON's number and -0 / NaN rules stay the Map's (SameValueZero).
 */
export interface TableEntry {
  /** The key's identity (a string here, or any value for the Map). */
  id: unknown;
  /** Insertion number: `values()` lists entries in insertion order, as a Map would. */
  order: number;
  /** The id's hash (string ids), set by `add`: `delete` finds the entry without hashing the id again. */
  hash: number;
  /**
   * A short string id's units inline (set by `add`, see `hasId`): its length, -1 when not inline,
   * and its units two by two, 15 bits each (0 past its end).
   */
  idLength: number;
  idUnits01: number;
  idUnits23: number;
  idUnits45: number;
  idUnits67: number;
}

/** The longest string id kept inline in its entry. */
const INLINE_UNITS = 8;

/** Units 2k and 2k + 1 of `s` (0 past its end) packed 15 bits each, a small integer; -1 when one is 0x8000 or more. */
function unitPair(s: string, k: number): number {
  const n = s.length;
  const a = 2 * k < n ? s.charCodeAt(2 * k) : 0;
  const b = 2 * k + 1 < n ? s.charCodeAt(2 * k + 1) : 0;
  return (a | b) >= 0x8000 ? -1 : a | (b << 15);
}

/** Keeps a string id's units in its entry when it is short and every unit under 0x8000 (hasId then reads neither the id string nor more than the entry). */
function keepIdInline(entry: TableEntry, id: string): void {
  entry.idLength = -1;
  if (id.length > INLINE_UNITS) return;
  const u01 = unitPair(id, 0);
  const u23 = unitPair(id, 1);
  const u45 = unitPair(id, 2);
  const u67 = unitPair(id, 3);
  if ((u01 | u23 | u45 | u67) < 0) return;
  entry.idUnits01 = u01;
  entry.idUnits23 = u23;
  entry.idUnits45 = u45;
  entry.idUnits67 = u67;
  entry.idLength = id.length;
}

/**
 * Whether the entry's id is the string `id`: a short id compared with the units kept in the entry
 * (keepIdInline), so a hit loads the entry but not its id string (a cold line of its own, and
 * V8's string compare: 13% of the binge row's samples were the hinted key's `===`); a long one by `===`.
 */
export function hasId(entry: TableEntry, id: string): boolean {
  const n = entry.idLength;
  if (n < 0) return entry.id === id;
  if (id.length !== n) return false;
  if (entry.idUnits01 !== unitPair(id, 0)) return false;
  if (n > 2 && entry.idUnits23 !== unitPair(id, 1)) return false;
  if (n > 4 && entry.idUnits45 !== unitPair(id, 2)) return false;
  return n <= 6 || entry.idUnits67 === unitPair(id, 3);
}

const EMPTY = undefined;
/** A free slot's hash: stringHash never gives 0, so the hashes alone tell free slots from used ones. */
const EMPTY_HASH = 0;
const MIN_CAPACITY = 1024;

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

export class KeyTable<V extends TableEntry> {
  private entries: (V | undefined)[] = new Array<V | undefined>(MIN_CAPACITY).fill(EMPTY);
  private hashes = new Int32Array(MIN_CAPACITY);
  /** Each slot's entry's order, beside it: `values()` sorts without reading the entries. */
  private orders = new Float64Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private strings = 0;
  private readonly others = new Map<unknown, V>();
  private nextOrder = 0;
  /** The string `get` hashed last and its hash: a miss is followed by `add` of the same id. */
  private probedId: string | null = null;
  private probedHash = 0;
  /** The empty slot that ended that probe: `add` of the same id puts it there (no second probe). */
  private probedSlot = 0;

  get size(): number {
    return this.strings + this.others.size;
  }

  /** The entry of `id`; `hash`: stringHash(id), when the caller has it. */
  get(id: unknown, hash?: number): V | undefined {
    if (typeof id !== 'string') return this.others.get(id);
    const h = hash ?? stringHash(id);
    this.probedId = id;
    this.probedHash = h;
    const { entries, hashes, mask } = this;
    // The hashes alone until one is equal: a miss (most lookups on a stream whose keys go idle
    // between their records) reads only the Int32Array, not the entries.
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const stored = hashes[i]!;
      if (stored === EMPTY_HASH) {
        this.probedSlot = i;
        return undefined;
      }
      if (stored === h) {
        const entry = entries[i]!;
        if (hasId(entry, id)) return entry;
      }
    }
  }

  /** Adds `entry` under `entry.id`, which is not in the table. */
  add(entry: V): void {
    entry.order = this.nextOrder++;
    const id = entry.id;
    if (typeof id !== 'string') {
      // Not inline: a recycled entry may hold the units of a string id it had before.
      entry.idLength = -1;
      this.others.set(id, entry);
      return;
    }
    keepIdInline(entry, id);
    // Growing forgets the probe (grow sets probedId to null): the id is then placed afresh.
    if (++this.strings * 2 > this.entries.length) this.grow();
    // Added right after `get` missed it (the operator's lookUp): the empty slot that ended the probe,
    // if it is still empty (another id added in between may have taken it; adds only fill slots and
    // deletions forget the probe, so a slot still empty is still the first empty one of the probe).
    if (id === this.probedId && this.hashes[this.probedSlot] === EMPTY_HASH) {
      entry.hash = this.probedHash;
      this.put(this.probedSlot, entry, this.probedHash, entry.order);
      this.probedId = null;
      return;
    }
    const h = id === this.probedId ? this.probedHash : stringHash(id);
    entry.hash = h;
    this.place(entry, h, entry.order);
  }

  /** Removes `entry` (added before, its id unchanged since). */
  delete(entry: V): void {
    // With no other keys in the table the entry's id is a string: not reading it saves a cache
    // miss on the key string (the key state is hot here, its id was last read when it arrived).
    if (this.others.size > 0 && typeof entry.id !== 'string') {
      this.others.delete(entry.id);
      return;
    }
    const { entries, hashes, orders, mask } = this;
    // A deletion moves entries: the slot a `get` found empty no longer ends that probe.
    this.probedId = null;
    const h = entry.hash;
    let i = h & mask;
    for (;;) {
      const stored = hashes[i]!;
      if (stored === h && entries[i] === entry) break;
      if (stored === EMPTY_HASH) return;
      i = (i + 1) & mask;
    }
    this.strings--;
    // Backward shift: later entries of the probe run move into the hole unless their home slot
    // lies cyclically after the hole, so that every entry stays reachable from its home slot.
    for (let j = i; ; ) {
      entries[i] = EMPTY;
      hashes[i] = EMPTY_HASH;
      let stored: number;
      let home: number;
      do {
        j = (j + 1) & mask;
        stored = hashes[j]!;
        if (stored === EMPTY_HASH) return;
        home = stored & mask;
      } while (i <= j ? i < home && home <= j : i < home || home <= j);
      entries[i] = entries[j];
      hashes[i] = stored;
      orders[i] = orders[j]!;
      i = j;
    }
  }

  /** Calls `visit` with every entry, in no particular order (a checkpoint's copy, which orders them later by `order`). */
  forEach(visit: (entry: V) => void): void {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry !== EMPTY) visit(entry);
    }
    this.others.forEach(visit);
  }

  /**
   * The entries in insertion order (snapshots). The orders kept beside the slots, each packed
   * with its entry's index into one number, sort as a Float64Array, natively: sorting the entries
   * by `a.order - b.order` read two scattered key objects per comparison (~20 ms per binge
   * checkpoint), and sorting slot numbers with a comparator took 42 ms for 53K keys, this 18–23 ms
   * (load 12).
   */
  values(): V[] {
    const { entries, orders } = this;
    const n = this.strings;
    // The entries as found, and each one's order.
    const found: V[] = [];
    const foundOrders = new Float64Array(n);
    for (let i = 0, k = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry === EMPTY) continue;
      found.push(entry);
      foundOrders[k++] = orders[i]!;
    }
    const others = [...this.others.values()];
    const list = new Array<V>(others.length + n);
    for (let k = 0; k < others.length; k++) list[k] = others[k]!;
    // Other keys (rare) are merged in by their own order, as are all keys past 2^53: then the
    // packed sort would be thrown away.
    const sorted = others.length === 0 ? indexesByOrder(foundOrders, n) : null;
    for (let k = 0, at = others.length; k < n; k++) list[at + k] = sorted !== null ? found[sorted[k]!]! : found[k]!;
    return sorted !== null ? list : list.sort((a, b) => a.order - b.order);
  }

  private place(entry: V, h: number, order: number): void {
    const { hashes, mask } = this;
    let i = h & mask;
    while (hashes[i] !== EMPTY_HASH) i = (i + 1) & mask;
    this.put(i, entry, h, order);
  }

  private put(i: number, entry: V, h: number, order: number): void {
    this.entries[i] = entry;
    this.hashes[i] = h;
    this.orders[i] = order;
  }

  private grow(): void {
    const old = this.entries;
    const oldHashes = this.hashes;
    const oldOrders = this.orders;
    const capacity = old.length * 2;
    this.entries = new Array<V | undefined>(capacity).fill(EMPTY);
    this.hashes = new Int32Array(capacity);
    this.orders = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.probedId = null;
    for (let i = 0; i < old.length; i++) {
      const entry = old[i];
      if (entry !== EMPTY) this.place(entry, oldHashes[i]!, oldOrders[i]!);
    }
  }
}
