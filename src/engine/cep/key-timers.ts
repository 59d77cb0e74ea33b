/**
 * The pattern operator's event-time timers: one per key, fired in (time, registration) order.
 * An indexed binary min-heap over key slots: each key owns a small integer slot (`attach`), and
 * the heap's entries (slot, time, registration) and each slot's heap position live in typed
 * arrays, so a sift reads and writes four contiguous arrays and never the key objects. 20K keys
 * make 15 levels; with the keys scattered over the heap, loading each key object (to compare it,
 * and to write its heap position) cost a cache miss per level, ~15% of the operator's time, and
 * writing the position into the slot array instead of the object took the rest of that.
 */
export interface TimedKey {
  /** The key's timer, Infinity when none. */
  timer: number;
  /** The key's slot in the queue (set by `attach`); -1 when it has none. */
  slot: number;
}

export class KeyTimers<K extends TimedKey> {
  /** Slot → its key, and its position in the heap (-1 when not queued). */
  private owners: (K | undefined)[] = [];
  private positions = new Int32Array(256).fill(-1);
  private readonly freeSlots: number[] = [];
  private slotCount = 0;
  /** The heap: entry i is slot `slots[i]` with timer `times[i]`, registered as `seqs[i]`. */
  private slots = new Int32Array(256);
  private times = new Float64Array(256);
  private seqs = new Float64Array(256);
  private size = 0;
  /** Registration counter: a float counts exactly to 2^53, far past any replay. */
  private seq = 0;

  get length(): number {
    return this.size;
  }

  /** The earliest timer, Infinity when none is set. */
  get earliest(): number {
    return this.size === 0 ? Infinity : this.times[0]!;
  }

  /** Gives `key` a slot; it keeps it (queued or not) until `detach`. */
  attach(key: K): void {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotCount++;
      if (slot === this.positions.length) {
        const positions = new Int32Array(slot * 2).fill(-1);
        positions.set(this.positions);
        this.positions = positions;
      }
    }
    this.owners[slot] = key;
    this.positions[slot] = -1;
    key.slot = slot;
  }

  /** Frees the slot of a key that has no timer queued (a forgotten key). */
  detach(key: K): void {
    const slot = key.slot;
    if (slot < 0) return;
    if (this.positions[slot]! >= 0) throw new Error('KeyTimers.detach: the key still has a timer');
    this.owners[slot] = undefined; // let the forgotten key be collected
    this.freeSlots.push(slot);
    key.slot = -1;
  }

  /** True when the key's timer is queued. */
  isQueued(key: K): boolean {
    return key.slot >= 0 && this.positions[key.slot]! >= 0;
  }

  /** The registration number of the key's timer (0 when it has none): snapshots keep it. */
  registrationOf(key: K): number {
    const at = key.slot < 0 ? -1 : this.positions[key.slot]!;
    return at < 0 ? 0 : this.seqs[at]!;
  }

  /** The next registration number: snapshots keep it, so a restored queue orders ties as before. */
  get nextRegistration(): number {
    return this.seq;
  }

  /** Fills an empty queue from a snapshot: each (attached) key with its timer set, and its registration number. */
  load(entries: readonly { readonly key: K; readonly registration: number }[], nextRegistration: number): void {
    // A list sorted by (timer, registration) is a valid min-heap.
    const sorted = [...entries].sort((a, b) => a.key.timer - b.key.timer || a.registration - b.registration);
    while (this.times.length < sorted.length) this.grow();
    sorted.forEach(({ key, registration }, i) => {
      this.slots[i] = key.slot;
      this.times[i] = key.timer;
      this.seqs[i] = registration;
      this.positions[key.slot] = i;
    });
    this.size = sorted.length;
    this.seq = nextRegistration;
  }

  /** Sets the (attached) key's timer — new, or moved earlier — with a fresh registration number. */
  schedule(key: K, time: number): void {
    key.timer = time;
    const slot = key.slot;
    const { positions } = this;
    let i = positions[slot]!;
    if (i < 0) {
      i = this.size++;
      if (i === this.times.length) this.grow();
    }
    const seq = this.seq++;
    const { slots, times, seqs } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const t = times[parent]!;
      if (t < time || (t === time && seqs[parent]! < seq)) break;
      const above = slots[parent]!;
      slots[i] = above;
      times[i] = t;
      seqs[i] = seqs[parent]!;
      positions[above] = i;
      i = parent;
    }
    slots[i] = slot;
    times[i] = time;
    seqs[i] = seq;
    positions[slot] = i;
  }

  /** Removes and returns the key with the earliest timer (the caller checks `earliest` first). */
  pop(): K {
    const { slots, times, seqs, positions } = this;
    const topSlot = slots[0]!;
    positions[topSlot] = -1;
    const n = --this.size;
    if (n > 0) {
      const last = slots[n]!;
      const time = times[n]!;
      const seq = seqs[n]!;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        let child = left;
        if (right < n && (times[right]! < times[left]! || (times[right] === times[left] && seqs[right]! < seqs[left]!))) child = right;
        const ct = times[child]!;
        if (ct > time || (ct === time && seqs[child]! > seq)) break;
        const below = slots[child]!;
        slots[i] = below;
        times[i] = ct;
        seqs[i] = seqs[child]!;
        positions[below] = i;
        i = child;
      }
      slots[i] = last;
      times[i] = time;
      seqs[i] = seq;
      positions[last] = i;
    }
    return this.owners[topSlot]!;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const slots = new Int32Array(n);
    slots.set(this.slots);
    this.slots = slots;
    const times = new Float64Array(n);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(n);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
