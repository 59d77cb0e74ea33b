/**
 * Sliding windows by panes: each key keeps one accumulator set per pane (a slice of
 * gcd(size, slide), so every window is a run of whole panes) instead of one per window. A record
 * updates one pane instead of size/slide windows (15 for 15 min / 1 min), and count_distinct or
 * percentile hold each value once instead of 15 times; a firing merges the window's panes.
 * The results are Flink's per-window results exactly (the differential test checks it):
 *
 *   1. CONTENTS: a window's contents are the records of its panes. A pane lives until the last
 *      window holding it is past cleanup, and a record skips only windows past cleanup, which
 *      never fire again: so every live window sees exactly the records Flink adds to it.
 *   2. STATE: a window has state, and fires, iff one of its panes holds a record.
 *   3. ON TIME: one clock per key at the end − 1 of its earliest window with contents that has
 *      not fired; when the watermark reaches it, every such window up to the watermark fires and
 *      the clock moves to the next window holding a pane.
 *   4. LATE: a record into windows whose end − 1 the watermark passed (but not their cleanup)
 *      re-fires each of them at once, as EventTimeTrigger.onElement does.
 *   5. CLEANUP: one clock per key at its earliest pane's cleanup time (the cleanup of the last
 *      window holding it) drops panes from the front.
 */
import type { Aggregate } from '../aggregate/aggregate.js';
import { slidingStarts, windowStart } from './assigner.js';
import { TimerQueue, type Timed } from './timer-queue.js';

export interface Pane {
  readonly start: number;
  readonly accumulators: unknown[];
}

/** A key's clock: when its next window fires, or when its earliest pane is dropped. */
export interface PaneClock<K> extends Timed {
  readonly owner: K;
  readonly kind: 'fire' | 'cleanup';
}

/** What the panes need of a key's state. */
export interface PaneKey<K> {
  /** Sorted by start. */
  readonly panes: Pane[];
  readonly fire: PaneClock<K>;
  readonly cleanup: PaneClock<K>;
}

export interface DueWindow<K> {
  readonly key: K;
  readonly start: number;
  readonly end: number;
}

export interface PaneHost<K> {
  /** Adds the current record's values (at its time) to a pane's accumulators. */
  addRecord(accumulators: unknown[]): void;
  /** Emits a late firing from merged accumulators. */
  emitLate(key: K, start: number, end: number, accumulators: unknown[]): void;
  /** The key has no pane left. */
  forget(key: K): void;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class SlidingPanes<K extends PaneKey<K>> {
  private readonly paneSize: number;
  private readonly clocks = new TimerQueue<PaneClock<K>>();
  private readonly expired: K[] = [];
  private readonly starts: number[] = [];
  private paneCount = 0;

  constructor(
    private readonly size: number,
    private readonly slide: number,
    private readonly offset: number,
    private readonly allowedLateness: number,
    private readonly aggregates: readonly Aggregate<unknown>[],
    private readonly host: PaneHost<K>,
  ) {
    this.paneSize = gcd(size, slide);
  }

  /** Panes holding accumulators, across all keys. */
  get openPanes(): number {
    return this.paneCount;
  }

  /**
   * Puts a restored key's panes back (snapshots): counts them and re-arms its clocks at the saved
   * times; a clock at Infinity was not pending.
   */
  restoreKey(key: K, panes: readonly Pane[], fireAt: number, cleanupAt: number): void {
    key.panes.push(...panes);
    this.paneCount += panes.length;
    if (fireAt !== Infinity) this.moveClock(key.fire, fireAt);
    if (cleanupAt !== Infinity) this.moveClock(key.cleanup, cleanupAt);
  }

  /** Takes a key's panes and clocks out (the key is spilled; restoreKey puts them back). */
  releaseKey(key: K): void {
    this.paneCount -= key.panes.length;
    this.clocks.remove(key.fire);
    this.clocks.remove(key.cleanup);
  }

  static clocksFor<K>(owner: K): { fire: PaneClock<K>; cleanup: PaneClock<K> } {
    return {
      fire: { owner, kind: 'fire', timerAt: Infinity, heapIndex: -1 },
      cleanup: { owner, kind: 'cleanup', timerAt: Infinity, heapIndex: -1 },
    };
  }

  /** Adds the current record at `ts`; false when every window holding it is past cleanup. */
  add(key: K, ts: number, watermark: number): boolean {
    const { size, slide, offset, paneSize } = this;
    const lastStart = windowStart(ts, offset, slide);
    // No window holds ts (a slide longer than the size leaves gaps), or every one is past cleanup.
    if (lastStart + size <= ts || lastStart + size - 1 + this.allowedLateness <= watermark) return false;

    const paneStart = windowStart(ts, offset, paneSize);
    const panes = key.panes;
    // In-order input appends; out-of-order input walks back a few panes from the end.
    let index = panes.length;
    while (index > 0 && panes[index - 1]!.start > paneStart) index--;
    let pane = index > 0 && panes[index - 1]!.start === paneStart ? panes[index - 1]! : undefined;
    if (pane === undefined) {
      pane = { start: paneStart, accumulators: this.aggregates.map((a) => a.create()) };
      panes.splice(index, 0, pane);
      this.paneCount++;
      this.scheduleFire(key, paneStart, watermark);
      const cleanup = this.paneCleanup(paneStart);
      if (cleanup < key.cleanup.timerAt) this.moveClock(key.cleanup, cleanup);
    }
    this.host.addRecord(pane.accumulators);

    // Step 4: only when the earliest window holding ts already ended for the watermark.
    if (this.ceilEnd(ts + 1) - 1 <= watermark) {
      const starts = slidingStarts(ts, size, slide, offset, this.starts);
      for (let i = starts.length - 1; i >= 0; i--) {
        const end = starts[i]! + size;
        if (end - 1 <= watermark && end - 1 + this.allowedLateness > watermark) {
          this.host.emitLate(key, starts[i]!, end, this.merged(key, starts[i]!, end));
        }
      }
    }
    return true;
  }

  /**
   * The watermark advanced: pushes every window that fires on time into `due` (unsorted). Call
   * `dropExpired` once they are emitted: panes needed by a firing must outlive it.
   */
  collectDue(watermark: number, due: DueWindow<K>[]): void {
    const clocks = this.clocks;
    while (clocks.size > 0 && clocks.peekTime() <= watermark) {
      const clock = clocks.pop()!;
      const from = clock.timerAt + 1;
      clock.timerAt = Infinity;
      if (clock.kind === 'cleanup') this.expired.push(clock.owner);
      else {
        const next = this.dueWindows(clock.owner, from, watermark, due);
        if (next !== Infinity) this.moveClock(clock, next - 1);
      }
    }
  }

  dropExpired(watermark: number): void {
    for (const key of this.expired) this.dropPanes(key, watermark);
    this.expired.length = 0;
  }

  /**
   * One key's share of `collectDue` then `dropExpired` (a key taken back from the spill during a
   * firing is fired alone, then leaves again): its due windows go to `due`, which the caller
   * must emit (with `merged`) before calling `expireKey`.
   */
  collectKeyDue(key: K, watermark: number, due: DueWindow<K>[]): void {
    const clock = key.fire;
    if (clock.timerAt > watermark) return;
    this.clocks.remove(clock);
    const from = clock.timerAt + 1;
    clock.timerAt = Infinity;
    const next = this.dueWindows(key, from, watermark, due);
    if (next !== Infinity) this.moveClock(clock, next - 1);
  }

  /** One key's share of `dropExpired`: its panes past cleanup go (and the key, if none is left). */
  expireKey(key: K, watermark: number): void {
    const clock = key.cleanup;
    if (clock.timerAt > watermark) return;
    this.clocks.remove(clock);
    clock.timerAt = Infinity;
    this.dropPanes(key, watermark);
  }

  private dropPanes(key: K, watermark: number): void {
    const panes = key.panes;
    let drop = 0;
    while (drop < panes.length && this.paneCleanup(panes[drop]!.start) <= watermark) drop++;
    panes.splice(0, drop);
    this.paneCount -= drop;
    if (panes.length > 0) this.moveClock(key.cleanup, this.paneCleanup(panes[0]!.start));
    else {
      this.clocks.remove(key.fire);
      key.fire.timerAt = Infinity;
      this.host.forget(key);
    }
  }

  /** Fresh accumulators holding the merge of the key's panes in [start, end). */
  merged(key: K, start: number, end: number): unknown[] {
    const aggregates = this.aggregates;
    const accumulators = aggregates.map((a) => a.create());
    for (const pane of key.panes) {
      if (pane.start < start) continue;
      if (pane.start >= end) break;
      for (let a = 0; a < aggregates.length; a++) aggregates[a]!.merge(accumulators[a], pane.accumulators[a]);
    }
    return accumulators;
  }

  /**
   * Step 3: pushes the key's windows with contents and end − 1 in [from − 1, watermark] into
   * `due`; returns the end of the next window holding a pane, or Infinity.
   */
  private dueWindows(key: K, from: number, watermark: number, due: DueWindow<K>[]): number {
    const { size, slide, paneSize } = this;
    const panes = key.panes;
    let end = from;
    let i = 0;
    for (;;) {
      while (i < panes.length && panes[i]!.start < end - size) i++;
      if (i >= panes.length) return Infinity;
      if (panes[i]!.start >= end) {
        // No pane in [end − size, end): try the first window that can hold the next pane.
        end = this.ceilEnd(panes[i]!.start + paneSize);
        continue;
      }
      if (end - 1 > watermark) return end;
      due.push({ key, start: end - size, end });
      end += slide;
    }
  }

  /** A new pane's first window past the watermark needs the key's fire clock no later than its end − 1. */
  private scheduleFire(key: K, paneStart: number, watermark: number): void {
    const lastEnd = windowStart(paneStart, this.offset, this.slide) + this.size;
    let end = this.ceilEnd(paneStart + this.paneSize);
    if (end - 1 <= watermark) {
      if (!Number.isFinite(watermark)) return;
      end = this.ceilEnd(Math.floor(watermark) + 2);
    }
    if (end <= lastEnd && end - 1 < key.fire.timerAt) this.moveClock(key.fire, end - 1);
  }

  /** The smallest window end ≥ x; ends lie on offset + size + k·slide. */
  private ceilEnd(x: number): number {
    const start = x - this.size;
    const s = windowStart(start, this.offset, this.slide);
    return (s < start ? s + this.slide : s) + this.size;
  }

  /** When the last window holding the pane at `paneStart` is past cleanup. */
  private paneCleanup(paneStart: number): number {
    return windowStart(paneStart, this.offset, this.slide) + this.size - 1 + this.allowedLateness;
  }

  private moveClock(clock: PaneClock<K>, at: number): void {
    clock.timerAt = at;
    this.clocks.update(clock);
  }
}
