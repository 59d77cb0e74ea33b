/**
 * The pattern operator's event-time timers: one per key, fired in (time, registration) order.
 * A key is its slot (key-slots.ts), and the queue's entries live in typed arrays by slot, so
 * queue work reads and writes contiguous arrays and never a key object (with 20K keys scattered
 * over the heap, loading a key object per heap level cost a cache miss each).
 *
 * Three parts:
 *   1. a timing wheel (the near wheel) for integer times near the present ([cursor, horizon), at
 *      most WHEEL_SIZE): one bucket per time, each a list of slots in registration order (a timer
 *      only ever gets a new, higher registration number, so appending keeps a bucket in order), and
 *      a bitmap of the non-empty buckets; scheduling is an append, and the earliest is found by
 *      scanning the bitmap from the cursor, which only moves forward over empty buckets;
 *   2. a far wheel for integer times past the horizon, 8,192 ms a bucket over 4.7 h (a partial
 *      match's `within` expiry, hours ahead): entries in no order, a bucket moved into the near
 *      wheel, its live timers sorted by registration, before any near timer at its times can be
 *      set, so that near buckets stay in registration order (see `cascade`);
 *   3. an indexed binary min-heap for all other timers (past the far wheel, before the cursor, not
 *      integers). The earliest timer is the earlier of the near wheel's and the heap's (far timers
 *      are all later than near ones; with the near wheel empty, far buckets move in first).
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
 * A binge key with a partial match has its `within` expiry in the far wheel, and each of its
 * records moves its timer to the record's time (the near wheel) and back at the fire. The far entry
 * outlives the move: it stays valid (the slot's `farTime`), and the fire that sets the same expiry
 * again only marks the timer IN_FAR with its new registration: one read of a dense array
 * (`farTime`, 8 bytes a slot) besides the key's record, where the heap rewrote the key's entry at
 * each fire and sifted it (`heapAt`, the entry, its children: 2–3 cold lines and the sift). An
 * expiry that changed leaves a stale entry, swept when stale ones pile up (one entry kept per key).
 *
 * A heap entry outlives its timer the same way: when a key's timer moves from the heap to a wheel,
 * its entry stays where it is, stale, and the key's next timer for the heap takes that entry's
 * place (`replaceInHeap`: its time and registration written, one sift). Each slot has at most one
 * entry (`heapAt`), so the heap holds at most one per key; a stale entry that reaches the top is
 * dropped there.
 */
import { type KeySlots, NO_SLOT, SLOT_FLOATS, SLOT_INTS, TIMER_AT, TIMER_NEXT, TIMER_PREVIOUS, TIMER_SEQ, TIMER_TIME } from './key-slots.js';

const WHEEL_BITS = 14;
const WHEEL_SIZE = 1 << WHEEL_BITS;
const WHEEL_MASK = WHEEL_SIZE - 1;
/**
 * The far wheel: buckets of FAR_SPAN integer times (8,192 ms), FAR_BUCKETS of them past the near
 * wheel's horizon (4.7 h of epoch milliseconds: a 2 h `within` expiry fits). FAR_SPAN is half the
 * near wheel, so that after a bucket moves in the near wheel still reaches FAR_SPAN ahead.
 */
const FAR_BITS = 13;
const FAR_SPAN = 1 << FAR_BITS;
const FAR_BUCKETS = 2048;
const FAR_MASK = FAR_BUCKETS - 1;
const FAR_RANGE = FAR_BUCKETS * FAR_SPAN;
/** A far entry: its time and slot (2 float64s of a chunk). */
const FAR_ENTRY = 2;
/** Entries per chunk: a far bucket is a list of chunks of one pool. */
const CHUNK = 32;
const CHUNK_FLOATS = CHUNK * FAR_ENTRY;
/** Stale far entries are swept when the entries reach twice those the last sweep kept, plus this many. */
const FAR_SWEEP = 4096;
/** Where a slot's timer is (its record's TIMER_AT): not queued, in the wheel, in the heap (its entry at `heapAt[slot]`), or in the far wheel. */
const NOT_QUEUED = -1;
const IN_WHEEL = -2;
const IN_HEAP = -3;
const IN_FAR = -4;
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
  /** The wheel holds integer times in [cursor, horizon), none before the cursor; horizon - cursor <= WHEEL_SIZE. */
  private cursor = 0;
  /** Where the near wheel ends and the far wheel begins: a multiple of FAR_SPAN. */
  private horizon = WHEEL_SIZE;
  /** When the cursor reaches this, the far bucket at the horizon moves into the near wheel (horizon + FAR_SPAN - WHEEL_SIZE). */
  private cascadeAt = FAR_SPAN;
  /**
   * The far wheel: per bucket (integer times [c * FAR_SPAN, (c + 1) * FAR_SPAN) at c & FAR_MASK, for
   * c from horizon / FAR_SPAN on), its entries (time, slot), in no order: a bucket's timers are
   * put in registration order when it moves into the near wheel. An entry is valid while its
   * slot's `farTime` is its time (a slot has one valid far time), and live while the slot's timer
   * is IN_FAR too. A binge key's record moves its timer to the near wheel and leaves the entry
   * valid: the key's fire, setting the same expiry again, finds it there (`farTime`) and only marks
   * the timer IN_FAR with its new registration. `farCount` entries in all, `farLive` live.
   *
   * The entries are in chunks of CHUNK entries in one pool (chunk c at floats c * CHUNK_FLOATS), a
   * bucket a list of chunks (its first and last, how many entries the last holds; each chunk's
   * next in `chunkNext`), freed chunks reused first: a typed array per bucket, grown by doubling,
   * was ~6,000 allocations per binge run (~30 ms), and JS arrays grown by push left the run's peak
   * heap at 80 MB instead of 40 in some processes.
   */
  private farPool = new Float64Array(64 * CHUNK_FLOATS);
  private chunkNext = new Int32Array(64);
  private chunksUsed = 0;
  private freeChunk = NONE;
  private readonly farHead = new Int32Array(FAR_BUCKETS).fill(NONE);
  private readonly farTail = new Int32Array(FAR_BUCKETS).fill(NONE);
  private readonly farTailFill = new Int32Array(FAR_BUCKETS);
  private readonly farLengths = new Int32Array(FAR_BUCKETS);
  private readonly farOccupied = new Int32Array(FAR_BUCKETS >> 5);
  private farCount = 0;
  private farLive = 0;
  /** farCount at which stale entries are next swept. */
  private sweepAt = FAR_SWEEP;
  /**
   * Per slot, the time of its valid far entry, NaN for none (a dense array, 8 bytes a slot, as
   * `heapAt`: read at each fire of a key with a partial match).
   */
  private farTime = new Float64Array(256).fill(NaN);
  /** The slots a far bucket moves into the near wheel (reused). */
  private readonly moving: number[] = [];
  /** sweepFar's (slot, time) of the entries kept in a bucket, their far times cleared while the bucket is read. */
  private readonly keptSlots: number[] = [];
  /** The earliest time `cascade` appended since pullFar reset it (pullFar moves an empty near wheel's cursor there). */
  private movedEarliest = Infinity;
  /** The latest time popped: later timers are expected after it (the watermark only rises). */
  private popped = -Infinity;
  /** Registration counter: a float counts exactly to 2^53, far past any replay. */
  private seq = 0;

  constructor(private readonly slots: KeySlots) {}

  get length(): number {
    return this.size - this.stale + this.wheelSize + this.farLive;
  }

  /** The earliest timer, Infinity when none is set (stale entries at the top are dropped on the way). */
  get earliest(): number {
    this.dropStaleTop();
    const inHeap = this.size === 0 ? Infinity : this.heap[ENTRY + HEAP_TIME]!;
    if (this.wheelSize === 0 && this.farLive > 0) this.pullFar(inHeap);
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
      const farTime = new Float64Array(heapAt.length).fill(NaN);
      farTime.set(this.farTime);
      this.farTime = farTime;
    }
    // The slot's last key's far entry, if any, is not this key's.
    this.farTime[slot] = NaN;
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
    if (this.size !== 0 || this.wheelSize !== 0 || this.farCount !== 0) throw new Error('KeyTimers.load: the queue is not empty');
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
    // Its far entry stays, valid: the key's next far timer at the same time takes it again.
    else if (at === IN_FAR) {
      this.farLive--;
      ints[slot * SLOT_INTS + TIMER_AT] = NOT_QUEUED;
    }
    floats[slot * SLOT_FLOATS + TIMER_TIME] = time;
    const seq = this.seq++;
    floats[slot * SLOT_FLOATS + TIMER_SEQ] = seq;
    // Safe integers only: past 2^53 a double's step exceeds the wheel's scan step, which then no
    // longer moved (a record's time of 2^60 hung the replay). Others go to the heap.
    if (Number.isSafeInteger(time)) {
      if (this.wheelSize === 0) this.restart(time);
      if (time >= this.cursor) {
        if (time < this.horizon) return this.append(slot, time);
        // A binge key's `within` expiry, hours ahead, at each fire: usually its entry is there
        // already, where the heap's rewrite read 2–3 cold lines.
        if (time - this.horizon < FAR_RANGE) {
          if (this.farTime[slot] !== time) this.appendFar(slot, time);
          ints[slot * SLOT_INTS + TIMER_AT] = IN_FAR;
          this.farLive++;
          return;
        }
      }
    }
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

  /**
   * Places an empty near wheel where later timers are expected: after the latest popped time, or a
   * little before `time` when none was popped or `time` is far past it (a gap in the stream). A
   * binge key's fire may be the first timer of an empty wheel: its expiry 2 h ahead goes to the far
   * wheel, and the records that follow to the near one (placed at the expiry, the wheel sent them
   * to the heap). With no live far timer the far wheel starts at its new horizon; with some, the
   * cursor stays within WHEEL_SIZE before the horizon and not past it.
   */
  private restart(time: number): void {
    const from = time - (WHEEL_SIZE >> 2);
    let cursor = from;
    if (this.popped !== -Infinity) {
      const after = Math.floor(this.popped) + 1;
      if (after > from) cursor = Math.min(time, after);
      // Only a time past the near wheel's reach from there (it goes to the far wheel): a sparse
      // key's next record, seconds after the last fire, would have the wheel's scan walk the gap.
      else if (time - after >= WHEEL_SIZE && time - after < FAR_RANGE >> 1) cursor = after;
    }
    if (this.farLive === 0) {
      if (this.farCount > 0) this.dropFar();
      this.cursor = cursor;
      this.horizon = Math.floor((cursor + WHEEL_SIZE) / FAR_SPAN) * FAR_SPAN;
      this.cascadeAt = this.horizon + FAR_SPAN - WHEEL_SIZE;
    } else {
      this.cursor = Math.min(Math.max(cursor, this.horizon - WHEEL_SIZE), this.horizon);
      if (this.cursor >= this.cascadeAt) this.cascade();
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
    // A call (popDue is inlined into the operator's watermark loop, within its budget).
    if (this.wheelSize === 0 && this.farLive > 0) this.pullFarBefore(time);
    if (this.wheelSize > 0) {
      const inWheel = this.wheelEarliest();
      const first = this.heads[inWheel & WHEEL_MASK]!;
      const heap = this.heap;
      if (this.size === 0 || inWheel < heap[ENTRY + HEAP_TIME]! || (inWheel === heap[ENTRY + HEAP_TIME] && this.slots.floats[first * SLOT_FLOATS + TIMER_SEQ]! < heap[ENTRY + HEAP_SEQ]!)) {
        if (inWheel > time) return NO_SLOT;
        this.shiftWheel(first, inWheel & WHEEL_MASK);
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
    if (time >= this.cascadeAt) this.cascade();
    return time;
  }

  /**
   * Moves far buckets into the near wheel while the near wheel reaches past them (the cursor moved
   * on): the live timers of a bucket, sorted by registration, each appended to its time's bucket.
   * Every near timer at those times comes after (it was set once the horizon had passed them), so
   * each near bucket stays in registration order.
   */
  private cascade(): void {
    const { ints, floats } = this.slots;
    const farTime = this.farTime;
    const moving = this.moving;
    while (this.cursor >= this.cascadeAt) {
      const bucket = (this.horizon / FAR_SPAN) & FAR_MASK;
      const n = this.farLengths[bucket]!;
      if (n > 0) {
        const pool = this.farPool;
        const tail = this.farTail[bucket]!;
        for (let chunk = this.farHead[bucket]!; chunk !== NONE; chunk = this.chunkNext[chunk]!) {
          const end = this.chunkEnd(bucket, chunk, tail);
          for (let at = chunk * CHUNK_FLOATS; at < end; at += FAR_ENTRY) {
            const slot = pool[at + 1]!;
            if (farTime[slot] !== pool[at]) continue;
            // Not valid after this (a second entry of the slot at the same time is skipped).
            farTime[slot] = NaN;
            if (ints[slot * SLOT_INTS + TIMER_AT] === IN_FAR) moving.push(slot);
          }
        }
        this.emptyFar(bucket, n);
        if (moving.length > 1) moving.sort((a, b) => floats[a * SLOT_FLOATS + TIMER_SEQ]! - floats[b * SLOT_FLOATS + TIMER_SEQ]!);
        for (let i = 0; i < moving.length; i++) {
          const time = floats[moving[i]! * SLOT_FLOATS + TIMER_TIME]!;
          if (time < this.movedEarliest) this.movedEarliest = time;
          this.append(moving[i]!, time);
        }
        this.farLive -= moving.length;
        moving.length = 0;
      }
      this.horizon += FAR_SPAN;
      this.cascadeAt += FAR_SPAN;
    }
  }

  /** pullFar for popDue(time): far timers at or before `time` and the heap's earliest. */
  private pullFarBefore(time: number): void {
    this.pullFar(this.size === 0 || this.heap[ENTRY + HEAP_TIME]! > time ? time : this.heap[ENTRY + HEAP_TIME]!);
  }

  /**
   * With the near wheel empty and live far timers: moves far buckets in, the cursor jumped to the
   * first one holding entries, until the near wheel holds a timer or that bucket starts after
   * `limit` (then no far timer is at or before it).
   */
  private pullFar(limit: number): void {
    while (this.wheelSize === 0 && this.farLive > 0) {
      const start = this.firstFar();
      if (start > limit) return;
      // The near wheel is empty: its cursor may jump, to where the bucket at `start` moves in.
      if (start + FAR_SPAN - WHEEL_SIZE > this.cursor) this.cursor = start + FAR_SPAN - WHEEL_SIZE;
      // The far buckets before `start` are empty: the horizon jumps there, where cascade stepped
      // over each (73 steps for a key's record ten minutes after the last fire).
      if (start > this.horizon) {
        this.horizon = start;
        this.cascadeAt = start + FAR_SPAN - WHEEL_SIZE;
      }
      this.movedEarliest = Infinity;
      this.cascade();
      // The near wheel holds only what just moved in: its cursor may go on to the earliest of that
      // (not past `limit`'s next time, where later timers may still come), so that the scan does not
      // walk up to a bucket's worth of empty times.
      if (this.wheelSize > 0) {
        const to = Math.min(this.movedEarliest, Math.floor(limit) + 1);
        if (to > this.cursor) this.cursor = to;
      }
    }
  }

  /** The start time of the first far bucket holding entries, from the horizon on (the far wheel has a live entry). */
  private firstFar(): number {
    const occupied = this.farOccupied;
    const first = (this.horizon / FAR_SPAN) & FAR_MASK;
    for (let k = 0; k < FAR_BUCKETS; ) {
      const bucket = (first + k) & FAR_MASK;
      const word = occupied[bucket >>> 5]! >>> (bucket & 31);
      if (word !== 0) return this.horizon + (k + 31 - Math.clz32(word & -word)) * FAR_SPAN;
      k += 32 - (bucket & 31);
    }
    throw new Error('KeyTimers: live far timers, none in the far wheel');
  }

  /** Adds the slot's entry at `time` to its far bucket: the slot's valid far time (`schedule` marks its timer IN_FAR). */
  private appendFar(slot: number, time: number): void {
    // A binge key whose earliest partial match changes leaves a stale entry: swept once they pile up.
    if (this.farCount >= this.sweepAt) this.sweepFar();
    const bucket = Math.floor(time / FAR_SPAN) & FAR_MASK;
    let tail = this.farTail[bucket]!;
    let fill = this.farTailFill[bucket]!;
    if (tail === NONE || fill === CHUNK) {
      const chunk = this.newChunk();
      if (tail === NONE) {
        this.farHead[bucket] = chunk;
        this.farOccupied[bucket >>> 5]! |= 1 << (bucket & 31);
      } else this.chunkNext[tail] = chunk;
      this.farTail[bucket] = tail = chunk;
      fill = 0;
    }
    const at = tail * CHUNK_FLOATS + fill * FAR_ENTRY;
    this.farPool[at] = time;
    this.farPool[at + 1] = slot;
    this.farTailFill[bucket] = fill + 1;
    this.farLengths[bucket]++;
    this.farTime[slot] = time;
    this.farCount++;
  }

  /** A chunk for a bucket's list: a freed one, or a new one (the pool doubled when full). */
  private newChunk(): number {
    let chunk = this.freeChunk;
    if (chunk !== NONE) this.freeChunk = this.chunkNext[chunk]!;
    else {
      chunk = this.chunksUsed++;
      if (chunk === this.chunkNext.length) {
        const pool = new Float64Array(this.farPool.length * 2);
        pool.set(this.farPool);
        this.farPool = pool;
        const next = new Int32Array(this.chunkNext.length * 2);
        next.set(this.chunkNext);
        this.chunkNext = next;
      }
    }
    this.chunkNext[chunk] = NONE;
    return chunk;
  }

  /** Drops every stale far entry (its slot's far time is another), keeping each bucket's others in its first chunks. */
  private sweepFar(): void {
    const farTime = this.farTime;
    const pool = this.farPool;
    const chunkNext = this.chunkNext;
    const keptSlots = this.keptSlots;
    for (let bucket = 0; bucket < FAR_BUCKETS; bucket++) {
      const n = this.farLengths[bucket]!;
      if (n === 0) continue;
      const tail = this.farTail[bucket]!;
      let write = this.farHead[bucket]!;
      let written = 0;
      let kept = 0;
      for (let chunk = write; chunk !== NONE; chunk = chunkNext[chunk]!) {
        const end = this.chunkEnd(bucket, chunk, tail);
        for (let at = chunk * CHUNK_FLOATS; at < end; at += FAR_ENTRY) {
          const time = pool[at]!;
          const slot = pool[at + 1]!;
          if (farTime[slot] !== time) continue;
          // One entry kept per slot: a key whose expiry went A, B, A again has two valid A entries.
          farTime[slot] = NaN;
          keptSlots.push(slot, time);
          if (written === CHUNK) {
            write = chunkNext[write]!;
            written = 0;
          }
          pool[write * CHUNK_FLOATS + written * FAR_ENTRY] = time;
          pool[write * CHUNK_FLOATS + written * FAR_ENTRY + 1] = slot;
          written++;
          kept++;
        }
      }
      for (let i = 0; i < keptSlots.length; i += 2) farTime[keptSlots[i]!] = keptSlots[i + 1]!;
      keptSlots.length = 0;
      if (kept === 0) this.emptyFar(bucket, n);
      else {
        // The chunks after the last one written go back to the free list.
        const rest = chunkNext[write]!;
        if (rest !== NONE) {
          chunkNext[tail] = this.freeChunk;
          this.freeChunk = rest;
          chunkNext[write] = NONE;
        }
        this.farTail[bucket] = write;
        this.farTailFill[bucket] = written;
        this.farCount -= n - kept;
        this.farLengths[bucket] = kept;
      }
    }
    this.sweepAt = 2 * this.farCount + FAR_SWEEP;
  }

  /** Empties a far bucket whose `n` entries are gone (moved in, or stale): its chunks go back to the free list. */
  private emptyFar(bucket: number, n: number): void {
    this.farCount -= n;
    this.farLengths[bucket] = 0;
    this.farOccupied[bucket >>> 5]! &= ~(1 << (bucket & 31));
    this.chunkNext[this.farTail[bucket]!] = this.freeChunk;
    this.freeChunk = this.farHead[bucket]!;
    this.farHead[bucket] = NONE;
    this.farTail[bucket] = NONE;
    this.farTailFill[bucket] = 0;
  }

  /** Where the entries of `chunk`, of far bucket `bucket` whose last chunk is `tail`, end in the pool (the last one is filled to farTailFill). */
  private chunkEnd(bucket: number, chunk: number, tail: number): number {
    return chunk * CHUNK_FLOATS + (chunk === tail ? this.farTailFill[bucket]! : CHUNK) * FAR_ENTRY;
  }

  /** Drops every far entry (none is live), and the slots' far times. */
  private dropFar(): void {
    // Over the occupied buckets' bitmap: a key alone whose expiry is left behind by its records
    // empties the near wheel at every fire, and a walk of every bucket was ~4.5 µs each time.
    const occupied = this.farOccupied;
    for (let bucket = 0; bucket < FAR_BUCKETS; bucket++) {
      const word = occupied[bucket >>> 5]! >>> (bucket & 31);
      if (word === 0) {
        bucket += 31 - (bucket & 31);
        continue;
      }
      bucket += 31 - Math.clz32(word & -word);
      const n = this.farLengths[bucket]!;
      const tail = this.farTail[bucket]!;
      for (let chunk = this.farHead[bucket]!; chunk !== NONE; chunk = this.chunkNext[chunk]!) {
        const end = this.chunkEnd(bucket, chunk, tail);
        for (let at = chunk * CHUNK_FLOATS; at < end; at += FAR_ENTRY) this.farTime[this.farPool[at + 1]!] = NaN;
      }
      this.emptyFar(bucket, n);
    }
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

  /** Takes the first slot of a bucket out (popDue: `unlink` of a first slot, in fewer instructions, inlined). */
  private shiftWheel(slot: number, bucket: number): void {
    const ints = this.slots.ints;
    const at = slot * SLOT_INTS;
    const next = ints[at + TIMER_NEXT]!;
    this.heads[bucket] = next;
    if (next === NONE) {
      this.tails[bucket] = NONE;
      this.occupied[bucket >>> 5]! &= ~(1 << (bucket & 31));
    } else ints[next * SLOT_INTS + TIMER_PREVIOUS] = NONE;
    ints[at + TIMER_AT] = NOT_QUEUED;
    this.wheelSize--;
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
