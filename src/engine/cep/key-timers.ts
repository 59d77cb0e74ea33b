/**
 * The pattern operator's event-time timers: one per key, fired in (time, registration) order.
 * An indexed binary min-heap whose times and registration numbers live in typed arrays, so a
 * sift compares numbers in two contiguous arrays instead of loading one key object per level
 * (20K keys make 15 levels; with the keys scattered over the heap, those loads were cache misses
 * and ~15% of the operator's time). A key sits in the heap at most once: `heapIndex` says where.
 */
export interface TimedKey {
  /** The key's timer, Infinity when none. */
  timer: number;
  /** Position in the heap; -1 when not queued. */
  heapIndex: number;
}

export class KeyTimers<K extends TimedKey> {
  private keys: K[] = [];
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

  /** The registration number of the key's timer (0 when it has none): snapshots keep it. */
  registrationOf(key: K): number {
    return key.heapIndex < 0 ? 0 : this.seqs[key.heapIndex]!;
  }

  /** The next registration number: snapshots keep it, so a restored queue orders ties as before. */
  get nextRegistration(): number {
    return this.seq;
  }

  /** Fills an empty queue from a snapshot: each key with its timer set, and its registration number. */
  load(entries: readonly { readonly key: K; readonly registration: number }[], nextRegistration: number): void {
    // A list sorted by (timer, registration) is a valid min-heap.
    const sorted = [...entries].sort((a, b) => a.key.timer - b.key.timer || a.registration - b.registration);
    while (this.times.length < sorted.length) this.grow();
    sorted.forEach(({ key, registration }, i) => {
      this.keys[i] = key;
      this.times[i] = key.timer;
      this.seqs[i] = registration;
      key.heapIndex = i;
    });
    this.size = sorted.length;
    this.seq = nextRegistration;
  }

  /** Sets the key's timer (new, or moved earlier) with a fresh registration number. */
  schedule(key: K, time: number): void {
    key.timer = time;
    let i = key.heapIndex;
    if (i < 0) {
      i = this.size++;
      if (i === this.times.length) this.grow();
    }
    const seq = this.seq++;
    const { keys, times, seqs } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const t = times[parent]!;
      if (t < time || (t === time && seqs[parent]! < seq)) break;
      const above = keys[parent]!;
      keys[i] = above;
      times[i] = t;
      seqs[i] = seqs[parent]!;
      above.heapIndex = i;
      i = parent;
    }
    keys[i] = key;
    times[i] = time;
    seqs[i] = seq;
    key.heapIndex = i;
  }

  /** Removes and returns the key with the earliest timer (the caller checks `earliest` first). */
  pop(): K {
    const { keys, times, seqs } = this;
    const top = keys[0]!;
    top.heapIndex = -1;
    const n = --this.size;
    const last = keys[n]!;
    keys[n] = undefined as unknown as K; // let a forgotten key be collected
    if (n > 0) {
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
        const below = keys[child]!;
        keys[i] = below;
        times[i] = ct;
        seqs[i] = seqs[child]!;
        below.heapIndex = i;
        i = child;
      }
      keys[i] = last;
      times[i] = time;
      seqs[i] = seq;
      last.heapIndex = i;
    }
    return top;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
