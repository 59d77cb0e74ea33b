/**
 * Event-time timers of a keyed operator (Flink's InternalTimerService, event-time half).
 *
 * As in Flink:
 *  - a key holds a set of timestamps: registering the same (key, time) twice keeps one timer;
 *  - deleting a timer that does not exist is a no-op;
 *  - `advanceWatermark(w)` fires every timer with time ≤ w, earliest first, and a timer registered
 *    while firing (inside onTimer) for a time ≤ w fires in the same advance.
 * Timers of equal time fire in the order they were registered (Flink's heap leaves that order
 * unspecified; we fix it so output is deterministic). A deleted and re-registered timer counts as
 * registered anew.
 *
 * Storage: a binary heap ordered by (time, seq) plus a per-key index for dedup and deletion. A key
 * with one timer (the common case: a session timeout, a window end) indexes the timer itself; a
 * Map of times is made only for a second timer, which saves a Map allocation per registration.
 * Deletion is lazy (the heap entry is marked dead and skipped when it surfaces), so delete is
 * O(1) and the heap is rebuilt only when dead entries outnumber live ones.
 */
import type { KeyId } from './state/state-key.js';

export interface EventTimeTimer {
  readonly time: number;
  readonly key: unknown;
  readonly keyId: KeyId;
}

interface HeapTimer extends EventTimeTimer {
  readonly seq: number;
  dead: boolean;
}

/** Timers in firing order, JSON-ready. */
export type TimersSnapshot = readonly { readonly key: unknown; readonly time: number }[];

export class TimerTimeError extends Error {
  constructor(time: unknown) {
    super(`a timer time must be a finite epoch-ms number, got ${String(time)}`);
    this.name = 'TimerTimeError';
  }
}

// Rebuild only past this many dead entries, so small queues never pay for a rebuild.
const MIN_DEAD_BEFORE_COMPACTION = 64;

export class EventTimeTimers {
  private heap: HeapTimer[] = [];
  private readonly byKey = new Map<KeyId, HeapTimer | Map<number, HeapTimer>>();
  private seq = 0;
  private live = 0;

  /** Live timers. */
  get size(): number {
    return this.live;
  }

  /** Registers (key, time) unless it exists; returns whether a timer was added. */
  register(key: unknown, keyId: KeyId, time: number): boolean {
    if (typeof time !== 'number' || !Number.isFinite(time)) throw new TimerTimeError(time);
    const slot = this.byKey.get(keyId);
    if (slot !== undefined && (slot instanceof Map ? slot.has(time) : slot.time === time)) return false;
    const timer: HeapTimer = { time, key, keyId, seq: this.seq++, dead: false };
    if (slot === undefined) this.byKey.set(keyId, timer);
    else if (slot instanceof Map) slot.set(time, timer);
    else this.byKey.set(keyId, new Map([[slot.time, slot], [time, timer]]));
    this.push(timer);
    this.live++;
    return true;
  }

  /** Deletes (key, time) if registered; returns whether one was deleted. */
  delete(keyId: KeyId, time: number): boolean {
    const timer = this.find(keyId, time);
    if (!timer) return false;
    this.unindex(timer);
    timer.dead = true;
    if (this.heap.length - this.live > Math.max(MIN_DEAD_BEFORE_COMPACTION, this.live)) this.compact();
    return true;
  }

  has(keyId: KeyId, time: number): boolean {
    return this.find(keyId, time) !== undefined;
  }

  /** Times registered for one key, ascending. */
  timesOf(keyId: KeyId): number[] {
    const slot = this.byKey.get(keyId);
    if (slot === undefined) return [];
    return slot instanceof Map ? [...slot.keys()].sort((a, b) => a - b) : [slot.time];
  }

  /** The earliest live timer's time, or Infinity. */
  nextTime(): number {
    this.dropDeadTop();
    return this.heap.length > 0 ? this.heap[0]!.time : Infinity;
  }

  /** Removes and returns the earliest live timer with time ≤ watermark. */
  pollDue(watermark: number): EventTimeTimer | undefined {
    this.dropDeadTop();
    const top = this.heap[0];
    if (!top || top.time > watermark) return undefined;
    this.pop();
    this.unindex(top);
    return top;
  }

  snapshot(): TimersSnapshot {
    const live = this.heap.filter((t) => !t.dead).sort(compare);
    return live.map((t) => ({ key: t.key, time: t.time }));
  }

  /** Replaces all timers; `keyIdOf` maps each key to its id. Order of the snapshot is kept. */
  restore(timers: TimersSnapshot, keyIdOf: (key: unknown) => KeyId): void {
    this.heap = [];
    this.byKey.clear();
    this.live = 0;
    this.seq = 0;
    for (const t of timers) this.register(t.key, keyIdOf(t.key), t.time);
  }

  private find(keyId: KeyId, time: number): HeapTimer | undefined {
    const slot = this.byKey.get(keyId);
    if (slot === undefined) return undefined;
    if (slot instanceof Map) return slot.get(time);
    return slot.time === time ? slot : undefined;
  }

  private unindex(timer: HeapTimer): void {
    const slot = this.byKey.get(timer.keyId);
    if (slot === timer) {
      this.byKey.delete(timer.keyId);
    } else if (slot instanceof Map) {
      slot.delete(timer.time);
      // Back to one timer: index it directly again.
      if (slot.size === 1) this.byKey.set(timer.keyId, slot.values().next().value!);
    }
    this.live--;
  }

  private dropDeadTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.dead) this.pop();
  }

  private compact(): void {
    this.heap = this.heap.filter((t) => !t.dead);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private push(timer: HeapTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[parent]!, timer) <= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const n = heap.length;
    const timer = heap[start]!;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && compare(heap[child + 1]!, heap[child]!) < 0) child++;
      if (compare(heap[child]!, timer) >= 0) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = timer;
  }
}

function compare(a: HeapTimer, b: HeapTimer): number {
  return a.time - b.time || a.seq - b.seq;
}
