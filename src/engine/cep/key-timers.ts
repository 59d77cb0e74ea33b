/**
 * The pattern operator's event-time timers: one per key, fired in (time, registration) order.
 * Each key owns a small integer slot (`attach`), and the queue's entries live in typed arrays by
 * slot, so queue work reads and writes contiguous arrays and never the key objects (with 20K keys
 * scattered over the heap, loading a key object per heap level cost a cache miss each).
 *
 * Two parts, and the earliest timer is the earlier of their two minimums:
 *   1. a timing wheel for integer times near the present (within WHEEL_SIZE of its cursor): one
 *      bucket per time, each a list of slots in registration order (a timer only ever gets a new,
 *      higher registration number, so appending keeps a bucket in order), and a bitmap of the
 *      non-empty buckets; scheduling is an append, and the earliest is found by scanning the bitmap
 *      from the cursor, which only moves forward over empty buckets;
 *   2. an indexed binary min-heap for all other timers (far ones, such as a partial match's
 *      `within` expiry hours ahead, and non-integer times).
 * On the binge bench (a timer per record, ~1,400 keys waiting) the heap's pop alone, one
 * mispredicted comparison per level over 11 levels, was ~140 ns per record, the largest part of
 * the operator shell; the wheel does the same work in a few array accesses.
 *
 * A slot's own fields (its place, and in the wheel its bucket, neighbours and registration) sit
 * together in one 32-byte record of `perSlot` (the registration, a float, in the Float64Array view
 * `perSlotSeqs` over the same memory): `schedule` and `unlink` read and write one cache line per
 * slot, where five arrays indexed by slot were five lines, each a miss with thousands of keys.
 * The slot's timer (its time, `timeOf`) is in the same record: kept on the key object, a float
 * field was a separate boxed number, one more cache line per fired key (~9% of the operator's
 * `fire` in a `perf annotate` of the shell row).
 *
 * A heap entry outlives its timer: when a key's timer moves from the heap to the wheel (a binge
 * key with a partial match has its `within` expiry in the heap, hours ahead, and each of its
 * records moves its timer to the record's time), its entry stays where it is, stale, and the key's
 * next timer for the heap takes that entry's place (`replaceInHeap`: its time and registration
 * written, one sift). A removal at a cold index (the last entry moved into the hole and sifted
 * down, a cold line per level) at every such record and a push at the key's next fire become one
 * rewrite at the fire. Each slot has at most one entry (`heapAt`), so the heap holds at most one
 * per key; a stale entry that reaches the top is dropped there.
 */
export interface TimedKey {
  /** The key's slot in the queue (set by `attach`); -1 when it has none. */
  slot: number;
}

const WHEEL_BITS = 14;
const WHEEL_SIZE = 1 << WHEEL_BITS;
const WHEEL_MASK = WHEEL_SIZE - 1;
/** Where a slot's timer is: not queued, in the wheel, or in the heap (its entry at `heapAt[slot]`). */
const NOT_QUEUED = -1;
const IN_WHEEL = -2;
const IN_HEAP = -3;
const NONE = -1;
/** A slot's record in `perSlot`: 8 int32s (32 bytes, two to a cache line), its fields at these offsets. */
const SLOT_INTS = 8;
const POSITION = 0;
const BUCKET = 1;
const NEXT = 2;
const PREVIOUS = 3;
/** The registration and the time, float64s at int32 offsets 4–5 and 6–7: index slot * SLOT_FLOATS + SEQ (or TIME) in `perSlotSeqs`. */
const SLOT_FLOATS = SLOT_INTS / 2;
const SEQ = 2;
const TIME = 3;
/** A heap entry's record: 4 float64s, its fields at these offsets (see KeyTimers.heap). */
const ENTRY = 4;
const HEAP_TIME = 0;
const HEAP_SEQ = 1;
const HEAP_SLOT = 2;

export class KeyTimers<K extends TimedKey> {
  /** Slot → its key. */
  private owners: (K | undefined)[] = [];
  /** Per slot, where its timer is (NOT_QUEUED, IN_WHEEL or IN_HEAP), its wheel fields, registration and time: see SLOT_INTS. */
  private perSlot = new Int32Array(256 * SLOT_INTS);
  private perSlotSeqs = new Float64Array(this.perSlot.buffer);
  private slotCapacity = 256;
  /**
   * Per slot, the index of its heap entry, -1 for none: live when the slot's timer is IN_HEAP,
   * stale otherwise (see the header). A separate array of 4 bytes a slot (80 KB for 20K keys):
   * read at a fire, when the key's next timer goes to the heap.
   */
  private heapAt = new Int32Array(256).fill(NONE);
  /** Heap entries whose slot's timer is elsewhere (or none). */
  private stale = 0;
  private readonly freeSlots: number[] = [];
  private slotCount = 0;
  /**
   * The heap: entry i is the record at `heap[(i + 1) * ENTRY]`, its time, registration and slot
   * (HEAP_TIME, HEAP_SEQ, HEAP_SLOT). One 32-byte record per entry, where three arrays were three
   * cache lines per entry touched (a key with a partial match has its `within` expiry here, and
   * each of its records moves the timer out of the heap: a removal at a cold index). Entry i at
   * record i + 1 puts an entry's two children (2i + 1, 2i + 2: records 2i + 2, 2i + 3) in one
   * 64-byte line when the buffer starts on a line; the allocator promises 16 bytes only (a large
   * buffer may start 16 bytes past a line), and then a pair straddles two lines.
   */
  private heap = new Float64Array(257 * ENTRY);
  private heapCapacity = 256;
  private size = 0;
  /** The wheel: per bucket, the first and last slot of its list (each slot's own fields are in perSlot). */
  private readonly heads = new Int32Array(WHEEL_SIZE).fill(NONE);
  private readonly tails = new Int32Array(WHEEL_SIZE).fill(NONE);
  private readonly occupied = new Int32Array(WHEEL_SIZE >> 5);
  private wheelSize = 0;
  /** The wheel holds integer times in [cursor, cursor + WHEEL_SIZE), none before the cursor. */
  private cursor = 0;
  /** The latest time popped: later timers are expected after it (the watermark only rises). */
  private popped = -Infinity;
  /** Registration counter: a float counts exactly to 2^53, far past any replay. */
  private seq = 0;

  get length(): number {
    return this.size - this.stale + this.wheelSize;
  }

  /** The earliest timer, Infinity when none is set (stale entries at the top are dropped on the way). */
  get earliest(): number {
    this.dropStaleTop();
    const inHeap = this.size === 0 ? Infinity : this.heap[ENTRY + HEAP_TIME]!;
    if (this.wheelSize === 0) return inHeap;
    const inWheel = this.wheelEarliest();
    return inWheel < inHeap ? inWheel : inHeap;
  }

  /** Gives `key` a slot; it keeps it (queued or not) until `detach`. */
  attach(key: K): void {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotCount++;
      if (slot === this.slotCapacity) this.growSlots();
    }
    this.owners[slot] = key;
    this.perSlot[slot * SLOT_INTS + POSITION] = NOT_QUEUED;
    key.slot = slot;
  }

  /** Frees the slot of a key that has no timer queued (a forgotten key). */
  detach(key: K): void {
    const slot = key.slot;
    if (slot < 0) return;
    if (this.perSlot[slot * SLOT_INTS + POSITION] !== NOT_QUEUED) throw new Error('KeyTimers.detach: the key still has a timer');
    const entry = this.heapAt[slot]!;
    if (entry !== NONE) {
      // Its stale heap entry goes with it: the slot's next owner starts without one.
      this.removeFromHeap(entry);
      this.stale--;
    }
    this.owners[slot] = undefined; // let the forgotten key be collected
    this.freeSlots.push(slot);
    key.slot = -1;
  }

  /** True when the key's timer is queued. */
  isQueued(key: K): boolean {
    return key.slot >= 0 && this.perSlot[key.slot * SLOT_INTS + POSITION] !== NOT_QUEUED;
  }

  /** The registration number of the key's timer (0 when it has none): snapshots keep it. */
  registrationOf(key: K): number {
    const at = key.slot < 0 ? NOT_QUEUED : this.perSlot[key.slot * SLOT_INTS + POSITION]!;
    return at === NOT_QUEUED ? 0 : this.perSlotSeqs[key.slot * SLOT_FLOATS + SEQ]!;
  }

  /** The next registration number: snapshots keep it, so a restored queue orders ties as before. */
  get nextRegistration(): number {
    return this.seq;
  }

  /** The key's timer: Infinity when none is queued (never set, popped, or its key not attached). */
  timeOf(key: K): number {
    const slot = key.slot;
    return slot < 0 || this.perSlot[slot * SLOT_INTS + POSITION] === NOT_QUEUED ? Infinity : this.perSlotSeqs[slot * SLOT_FLOATS + TIME]!;
  }

  /** Fills an empty queue from a snapshot: each (attached) key with its timer and its registration number. */
  load(entries: readonly { readonly key: K; readonly time: number; readonly registration: number }[], nextRegistration: number): void {
    // Nothing to forget: a stale entry left here would keep its slot's heapAt pointing into the entries below.
    if (this.size !== 0 || this.wheelSize !== 0) throw new Error('KeyTimers.load: the queue is not empty');
    // A list sorted by (timer, registration) is a valid min-heap (the wheel stays empty).
    const sorted = [...entries].sort((a, b) => a.time - b.time || a.registration - b.registration);
    while (this.heapCapacity < sorted.length) this.growHeap();
    sorted.forEach(({ key, time, registration }, i) => {
      this.put(i, key.slot, time, registration);
      this.perSlot[key.slot * SLOT_INTS + POSITION] = IN_HEAP;
      this.perSlotSeqs[key.slot * SLOT_FLOATS + TIME] = time;
      this.perSlotSeqs[key.slot * SLOT_FLOATS + SEQ] = registration;
    });
    this.size = sorted.length;
    this.seq = nextRegistration;
  }

  /** Sets the (attached) key's timer — new, or moved earlier — with a fresh registration number. */
  schedule(key: K, time: number): void {
    const slot = key.slot;
    this.perSlotSeqs[slot * SLOT_FLOATS + TIME] = time;
    const at = this.perSlot[slot * SLOT_INTS + POSITION]!;
    if (at === IN_WHEEL) this.unlink(slot);
    // Its heap entry stays, stale until the key's next heap timer takes it (or it reaches the top).
    else if (at === IN_HEAP) this.stale++;
    const seq = this.seq++;
    this.perSlotSeqs[slot * SLOT_FLOATS + SEQ] = seq;
    const integral = Number.isInteger(time);
    if (this.wheelSize === 0 && integral) {
      // An empty wheel starts where later timers are expected: after the latest popped time.
      const from = time - (WHEEL_SIZE >> 2);
      this.cursor = this.popped === -Infinity ? from : Math.max(from, Math.min(time, Math.floor(this.popped) + 1));
    }
    const offset = time - this.cursor;
    if (offset >= 0 && offset < WHEEL_SIZE && integral) this.append(slot, time);
    else {
      const entry = this.heapAt[slot]!;
      if (entry === NONE) this.pushHeap(slot, time, seq);
      else {
        this.stale--;
        // Registrations only grow: at its entry's time or later, the timer can only move down (the
        // usual case: a key's next expiry is its last one or later), and its parent is not read.
        if (time >= this.heap[(entry + 1) * ENTRY + HEAP_TIME]!) this.siftDown(entry, slot, time, seq);
        else this.replaceInHeap(entry, slot, time, seq);
      }
      this.perSlot[slot * SLOT_INTS + POSITION] = IN_HEAP;
    }
  }

  /** Removes and returns the key with the earliest timer (the table is not empty). */
  pop(): K {
    return this.popDue(Infinity)!;
  }

  /**
   * Removes and returns the key with the earliest timer when that timer is at or before `time`,
   * else null: `earliest` and `pop` in one (the operator's watermark loop, once per fired key).
   */
  popDue(time: number): K | null {
    this.dropStaleTop();
    if (this.wheelSize > 0) {
      const inWheel = this.wheelEarliest();
      const first = this.heads[inWheel & WHEEL_MASK]!;
      const heap = this.heap;
      if (this.size === 0 || inWheel < heap[ENTRY + HEAP_TIME]! || (inWheel === heap[ENTRY + HEAP_TIME] && this.perSlotSeqs[first * SLOT_FLOATS + SEQ]! < heap[ENTRY + HEAP_SEQ]!)) {
        if (inWheel > time) return null;
        this.unlink(first);
        this.popped = inWheel;
        return this.owners[first]!;
      }
    }
    const heap = this.heap;
    if (this.size === 0 || heap[ENTRY + HEAP_TIME]! > time) return null;
    const slot = heap[ENTRY + HEAP_SLOT]!;
    this.popped = heap[ENTRY + HEAP_TIME]!;
    this.removeFromHeap(0);
    this.perSlot[slot * SLOT_INTS + POSITION] = NOT_QUEUED;
    return this.owners[slot]!;
  }

  /** Drops stale entries from the heap's top (their slots' timers are in the wheel, or gone). */
  private dropStaleTop(): void {
    while (this.stale > 0 && this.size > 0 && this.perSlot[this.heap[ENTRY + HEAP_SLOT]! * SLOT_INTS + POSITION] !== IN_HEAP) {
      this.removeFromHeap(0);
      this.stale--;
    }
  }

  /** The wheel's earliest time (the wheel is not empty): moves the cursor to its bucket. */
  private wheelEarliest(): number {
    const occupied = this.occupied;
    let time = this.cursor;
    for (;;) {
      const bucket = time & WHEEL_MASK;
      const word = occupied[bucket >>> 5]! >>> (bucket & 31);
      if (word !== 0) {
        time += 31 - Math.clz32(word & -word);
        break;
      }
      time += 32 - (bucket & 31);
    }
    this.cursor = time;
    return time;
  }

  /** Appends the slot to its time's bucket (`schedule` wrote its registration). */
  private append(slot: number, time: number): void {
    const perSlot = this.perSlot;
    const at = slot * SLOT_INTS;
    const bucket = time & WHEEL_MASK;
    const tail = this.tails[bucket]!;
    perSlot[at + PREVIOUS] = tail;
    perSlot[at + NEXT] = NONE;
    if (tail === NONE) {
      this.heads[bucket] = slot;
      this.occupied[bucket >>> 5]! |= 1 << (bucket & 31);
    } else perSlot[tail * SLOT_INTS + NEXT] = slot;
    this.tails[bucket] = slot;
    perSlot[at + BUCKET] = bucket;
    perSlot[at + POSITION] = IN_WHEEL;
    this.wheelSize++;
  }

  private unlink(slot: number): void {
    const perSlot = this.perSlot;
    const at = slot * SLOT_INTS;
    const bucket = perSlot[at + BUCKET]!;
    const previous = perSlot[at + PREVIOUS]!;
    const next = perSlot[at + NEXT]!;
    if (previous === NONE) this.heads[bucket] = next;
    else perSlot[previous * SLOT_INTS + NEXT] = next;
    if (next === NONE) this.tails[bucket] = previous;
    else perSlot[next * SLOT_INTS + PREVIOUS] = previous;
    if (this.heads[bucket] === NONE) this.occupied[bucket >>> 5]! &= ~(1 << (bucket & 31));
    perSlot[at + POSITION] = NOT_QUEUED;
    this.wheelSize--;
  }

  private pushHeap(slot: number, time: number, seq: number): void {
    const i = this.size++;
    if (i === this.heapCapacity) this.growHeap();
    this.siftUp(i, slot, time, seq);
  }

  /** Removes heap entry `i` (its slot's timer, if it was there, is the caller's to mark): the last entry takes its place and moves up or down. */
  private removeFromHeap(i: number): void {
    const heap = this.heap;
    this.heapAt[heap[(i + 1) * ENTRY + HEAP_SLOT]!] = NONE;
    const n = --this.size;
    if (i === n) return;
    const last = (n + 1) * ENTRY;
    this.replaceInHeap(i, heap[last + HEAP_SLOT]!, heap[last + HEAP_TIME]!, heap[last + HEAP_SEQ]!);
  }

  /** Puts (slot, time, seq) at heap index `i` in place of its entry, moving it up or down. */
  private replaceInHeap(i: number, slot: number, time: number, seq: number): void {
    const heap = this.heap;
    const parent = (((i - 1) >> 1) + 1) * ENTRY;
    if (i > 0 && (heap[parent + HEAP_TIME]! > time || (heap[parent + HEAP_TIME] === time && heap[parent + HEAP_SEQ]! > seq))) this.siftUp(i, slot, time, seq);
    else this.siftDown(i, slot, time, seq);
  }

  /** Places (slot, time, seq) at heap index `i` or above, moving later parents down. */
  private siftUp(i: number, slot: number, time: number, seq: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const at = (parent + 1) * ENTRY;
      const t = heap[at + HEAP_TIME]!;
      if (t < time || (t === time && heap[at + HEAP_SEQ]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    this.put(i, slot, time, seq);
  }

  /** Places (slot, time, seq) at heap index `i` or below, moving earlier children up. */
  private siftDown(i: number, slot: number, time: number, seq: number): void {
    const heap = this.heap;
    const n = this.size;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      const l = (left + 1) * ENTRY;
      const r = l + ENTRY;
      if (right < n && (heap[r + HEAP_TIME]! < heap[l + HEAP_TIME]! || (heap[r + HEAP_TIME] === heap[l + HEAP_TIME] && heap[r + HEAP_SEQ]! < heap[l + HEAP_SEQ]!))) child = right;
      const c = (child + 1) * ENTRY;
      const ct = heap[c + HEAP_TIME]!;
      if (ct > time || (ct === time && heap[c + HEAP_SEQ]! > seq)) break;
      this.move(child, i);
      i = child;
    }
    this.put(i, slot, time, seq);
  }

  private move(from: number, to: number): void {
    const at = (from + 1) * ENTRY;
    const heap = this.heap;
    this.put(to, heap[at + HEAP_SLOT]!, heap[at + HEAP_TIME]!, heap[at + HEAP_SEQ]!);
  }

  private put(i: number, slot: number, time: number, seq: number): void {
    const at = (i + 1) * ENTRY;
    const heap = this.heap;
    heap[at + HEAP_TIME] = time;
    heap[at + HEAP_SEQ] = seq;
    heap[at + HEAP_SLOT] = slot;
    this.heapAt[slot] = i;
  }

  private growSlots(): void {
    this.slotCapacity *= 2;
    const perSlot = new Int32Array(this.slotCapacity * SLOT_INTS);
    perSlot.set(this.perSlot);
    this.perSlot = perSlot;
    this.perSlotSeqs = new Float64Array(perSlot.buffer);
    const heapAt = new Int32Array(this.slotCapacity).fill(NONE);
    heapAt.set(this.heapAt);
    this.heapAt = heapAt;
  }

  private growHeap(): void {
    this.heapCapacity *= 2;
    const heap = new Float64Array((this.heapCapacity + 1) * ENTRY);
    heap.set(this.heap);
    this.heap = heap;
  }
}
