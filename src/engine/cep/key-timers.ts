/**
 * The pattern operator's event-time timers: one per key, fired in (time, registration) order.
 * A key is its slot (key-slots.ts), and the queue's entries live in typed arrays by slot, so
 * queue work reads and writes contiguous arrays and never a key object (with 20K keys scattered
 * over the heap, loading a key object per heap level cost a cache miss each).
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
 * A slot's timer fields (where its timer is, its wheel neighbours, its registration and time) are
 * part of the key's 64-byte record in KeySlots, beside the key's other hot fields: `schedule` and
 * `unlink` read and write the line the operator reads anyway, where five arrays indexed by slot
 * were five lines, each a miss with thousands of keys. A wheel timer's bucket is its time's low
 * bits, not a field. (Kept on a key object, the time was a separate boxed number, one more cache
 * line per fired key: ~9% of the operator's `fire` in a `perf annotate` of the shell row.)
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
import { type KeySlots, NO_SLOT, SLOT_FLOATS, SLOT_INTS, TIMER_AT, TIMER_NEXT, TIMER_PREVIOUS, TIMER_SEQ, TIMER_TIME } from './key-slots.js';

const WHEEL_BITS = 14;
const WHEEL_SIZE = 1 << WHEEL_BITS;
const WHEEL_MASK = WHEEL_SIZE - 1;
/** Where a slot's timer is (its record's TIMER_AT): not queued, in the wheel, or in the heap (its entry at `heapAt[slot]`). */
const NOT_QUEUED = -1;
const IN_WHEEL = -2;
const IN_HEAP = -3;
const NONE = -1;
/** A heap entry's record: 4 float64s, its fields at these offsets (see KeyTimers.heap). */
const ENTRY = 4;
const HEAP_TIME = 0;
const HEAP_SEQ = 1;
const HEAP_SLOT = 2;

export class KeyTimers {
  /**
   * Per slot, the index of its heap entry, -1 for none: live when the slot's timer is IN_HEAP,
   * stale otherwise (see the header). A separate array of 4 bytes a slot (80 KB for 20K keys):
   * read at a fire, when the key's next timer goes to the heap.
   */
  private heapAt = new Int32Array(256).fill(NONE);
  /** Heap entries whose slot's timer is elsewhere (or none). */
  private stale = 0;
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
  /** The wheel: per bucket, the first and last slot of its list (each slot's links are in its record). */
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

  constructor(private readonly slots: KeySlots) {}

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

  /**
   * Makes a newly allocated slot (KeySlots.allocate: no timer) known to the queue. A slot keeps
   * its stale heap entry, if any, across its keys: the next key's heap timer takes it.
   */
  attach(slot: number): void {
    if (slot >= this.heapAt.length) {
      const heapAt = new Int32Array(Math.max(slot + 1, this.heapAt.length * 2)).fill(NONE);
      heapAt.set(this.heapAt);
      this.heapAt = heapAt;
    }
  }

  /** True when the slot's timer is queued. */
  isQueued(slot: number): boolean {
    return slot >= 0 && this.slots.ints[slot * SLOT_INTS + TIMER_AT] !== NOT_QUEUED;
  }

  /** The registration number of the slot's timer (0 when it has none): snapshots keep it. */
  registrationOf(slot: number): number {
    const at = slot < 0 ? NOT_QUEUED : this.slots.ints[slot * SLOT_INTS + TIMER_AT]!;
    return at === NOT_QUEUED ? 0 : this.slots.floats[slot * SLOT_FLOATS + TIMER_SEQ]!;
  }

  /** The next registration number: snapshots keep it, so a restored queue orders ties as before. */
  get nextRegistration(): number {
    return this.seq;
  }

  /** The slot's timer: Infinity when none is queued (never set, or popped). */
  timeOf(slot: number): number {
    return slot < 0 || this.slots.ints[slot * SLOT_INTS + TIMER_AT] === NOT_QUEUED ? Infinity : this.slots.floats[slot * SLOT_FLOATS + TIMER_TIME]!;
  }

  /** Fills an empty queue from a snapshot: each (attached) slot with its timer and its registration number. */
  load(entries: readonly { readonly slot: number; readonly time: number; readonly registration: number }[], nextRegistration: number): void {
    // Nothing to forget: a stale entry left here would keep its slot's heapAt pointing into the entries below.
    if (this.size !== 0 || this.wheelSize !== 0) throw new Error('KeyTimers.load: the queue is not empty');
    // A list sorted by (timer, registration) is a valid min-heap (the wheel stays empty).
    const sorted = [...entries].sort((a, b) => a.time - b.time || a.registration - b.registration);
    while (this.heapCapacity < sorted.length) this.growHeap();
    const { ints, floats } = this.slots;
    sorted.forEach(({ slot, time, registration }, i) => {
      this.put(i, slot, time, registration);
      ints[slot * SLOT_INTS + TIMER_AT] = IN_HEAP;
      floats[slot * SLOT_FLOATS + TIMER_TIME] = time;
      floats[slot * SLOT_FLOATS + TIMER_SEQ] = registration;
    });
    this.size = sorted.length;
    this.seq = nextRegistration;
  }

  /** Sets the (attached) slot's timer — new, or moved earlier — with a fresh registration number. */
  schedule(slot: number, time: number): void {
    const { ints, floats } = this.slots;
    const at = ints[slot * SLOT_INTS + TIMER_AT]!;
    // Unlinked before the time is written: the bucket is the old time's.
    if (at === IN_WHEEL) this.unlink(slot);
    // Its heap entry stays, stale until the key's next heap timer takes it (or it reaches the top).
    else if (at === IN_HEAP) this.stale++;
    floats[slot * SLOT_FLOATS + TIMER_TIME] = time;
    const seq = this.seq++;
    floats[slot * SLOT_FLOATS + TIMER_SEQ] = seq;
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
      ints[slot * SLOT_INTS + TIMER_AT] = IN_HEAP;
    }
  }

  /** Removes and returns the slot with the earliest timer (the table is not empty). */
  pop(): number {
    return this.popDue(Infinity);
  }

  /**
   * Removes and returns the slot with the earliest timer when that timer is at or before `time`,
   * else NO_SLOT: `earliest` and `pop` in one (the operator's watermark loop, once per fired key).
   */
  popDue(time: number): number {
    this.dropStaleTop();
    if (this.wheelSize > 0) {
      const inWheel = this.wheelEarliest();
      const first = this.heads[inWheel & WHEEL_MASK]!;
      const heap = this.heap;
      if (this.size === 0 || inWheel < heap[ENTRY + HEAP_TIME]! || (inWheel === heap[ENTRY + HEAP_TIME] && this.slots.floats[first * SLOT_FLOATS + TIMER_SEQ]! < heap[ENTRY + HEAP_SEQ]!)) {
        if (inWheel > time) return NO_SLOT;
        this.unlink(first);
        this.popped = inWheel;
        return first;
      }
    }
    const heap = this.heap;
    if (this.size === 0 || heap[ENTRY + HEAP_TIME]! > time) return NO_SLOT;
    const slot = heap[ENTRY + HEAP_SLOT]!;
    this.popped = heap[ENTRY + HEAP_TIME]!;
    this.removeFromHeap(0);
    this.slots.ints[slot * SLOT_INTS + TIMER_AT] = NOT_QUEUED;
    return slot;
  }

  /** Drops stale entries from the heap's top (their slots' timers are in the wheel, or gone). */
  private dropStaleTop(): void {
    while (this.stale > 0 && this.size > 0 && this.slots.ints[this.heap[ENTRY + HEAP_SLOT]! * SLOT_INTS + TIMER_AT] !== IN_HEAP) {
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

  /** Appends the slot to its time's bucket (`schedule` wrote its time and registration). */
  private append(slot: number, time: number): void {
    const ints = this.slots.ints;
    const at = slot * SLOT_INTS;
    const bucket = time & WHEEL_MASK;
    const tail = this.tails[bucket]!;
    ints[at + TIMER_PREVIOUS] = tail;
    ints[at + TIMER_NEXT] = NONE;
    if (tail === NONE) {
      this.heads[bucket] = slot;
      this.occupied[bucket >>> 5]! |= 1 << (bucket & 31);
    } else ints[tail * SLOT_INTS + TIMER_NEXT] = slot;
    this.tails[bucket] = slot;
    ints[at + TIMER_AT] = IN_WHEEL;
    this.wheelSize++;
  }

  /** Takes the slot out of its bucket: the bucket of its time (a wheel time is an integer, and `&` keeps its low bits). */
  private unlink(slot: number): void {
    const { ints, floats } = this.slots;
    const at = slot * SLOT_INTS;
    const bucket = floats[slot * SLOT_FLOATS + TIMER_TIME]! & WHEEL_MASK;
    const previous = ints[at + TIMER_PREVIOUS]!;
    const next = ints[at + TIMER_NEXT]!;
    if (previous === NONE) this.heads[bucket] = next;
    else ints[previous * SLOT_INTS + TIMER_NEXT] = next;
    if (next === NONE) this.tails[bucket] = previous;
    else ints[next * SLOT_INTS + TIMER_PREVIOUS] = previous;
    if (this.heads[bucket] === NONE) this.occupied[bucket >>> 5]! &= ~(1 << (bucket & 31));
    ints[at + TIMER_AT] = NOT_QUEUED;
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

  private growHeap(): void {
    this.heapCapacity *= 2;
    const heap = new Float64Array((this.heapCapacity + 1) * ENTRY);
    heap.set(this.heap);
    this.heap = heap;
  }
}
