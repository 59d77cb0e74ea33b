/**
 * Tumbling windows' timers grouped by window start. Every tumbling window of a step with the same
 * start has the same end, so the same on-time timer (end − 1) and cleanup time: one slab per
 * start holds them all, and a watermark step walks the few open slabs (one or two on in-order
 * input) instead of a timer heap with an entry per window. On the engine-window bench (220,874
 * windows, ~1,300 a slab) the heap's push and pop per window were 4% of sw's CPU and the
 * re-push of each fired window to its cleanup time as much again.
 *
 * The windows fire and are purged exactly when their heap timers would: on time when the
 * watermark reaches end − 1 (windows opened after that never have an on-time timer), purged when
 * it reaches end − 1 + allowedLateness.
 */

/** What a slab needs of a window: its bounds and the timer fields a snapshot records. */
export interface SlabWindow {
  readonly start: number;
  readonly end: number;
  onTimePending: boolean;
  /** end − 1 while the on-time firing is pending, then the cleanup time (what a snapshot saves). */
  timerAt: number;
}

/** The windows of one start. */
export class Slab<W extends SlabWindow> {
  /** The on-time firing happened (or the slab opened after end − 1: its windows fire late only). */
  fired = false;
  /**
   * The slab's windows are windows[0 .. count): the array may be a purged slab's, longer, its
   * tail emptied (see spareArrays).
   */
  windows: W[];
  count = 0;
  constructor(
    readonly start: number,
    readonly end: number,
    windows: W[],
  ) {
    this.windows = windows;
  }
}

export class TumblingSlabs<W extends SlabWindow> {
  /** Open slabs by ascending start. */
  private readonly open: Slab<W>[] = [];
  /** The slab of the last add: records mostly open windows in the newest slab. */
  private last: Slab<W> | null = null;
  private windows = 0;
  /** The earliest watermark at which fire() has work: a slab's end − 1 or its cleanup time. */
  private nextDue = Infinity;
  /**
   * Window arrays of released slabs, for new slabs: a slab's array grown by push, ~1,300 windows
   * a slab on the bench, was 30 bytes a window of garbage. Emptied (undefined), not shortened:
   * `length = 0` frees an array's store.
   */
  private readonly spareArrays: W[][] = [];

  constructor(private readonly allowedLateness: number) {}

  /** Windows held, across slabs. */
  get size(): number {
    return this.windows;
  }

  /** Adds a window (its onTimePending already set as the heap path would schedule it). */
  add(window: W): void {
    let slab = this.last;
    if (slab === null || slab.start !== window.start) {
      slab = this.slabAt(window.start, window.end);
      this.last = slab;
    }
    // A slab is new exactly when it is empty (windows leave only with their slab). Windows
    // opened in one slab all see the watermark on the same side of its end − 1 until it fires.
    if (slab.count === 0) {
      slab.fired = !window.onTimePending;
      this.updateNextDue();
    }
    if (slab.count < slab.windows.length) slab.windows[slab.count] = window;
    else slab.windows.push(window);
    slab.count++;
    this.windows++;
  }

  /** Whether fire(watermark) has anything to do. */
  isDue(watermark: number): boolean {
    return this.nextDue <= watermark;
  }

  /**
   * Moves the slabs whose on-time timer is due into `firing` (marked fired) and those whose
   * cleanup time is due into `purged` (they leave the open slabs), in start order. The caller
   * fires each slab of `firing` (sortedWindows), then purges each of `purged` and releases it.
   */
  collect(watermark: number, firing: Slab<W>[], purged: Slab<W>[]): void {
    const open = this.open;
    let drop = 0;
    for (const slab of open) {
      if (slab.end - 1 > watermark) break;
      if (!slab.fired) {
        slab.fired = true;
        firing.push(slab);
      }
      if (slab.end - 1 + this.allowedLateness <= watermark) {
        purged.push(slab);
        this.windows -= slab.count;
        drop++;
      }
    }
    // Cleanup times grow with the start, so the purged slabs are the first ones.
    if (drop > 0) {
      if (this.last !== null && this.last.end - 1 + this.allowedLateness <= watermark) this.last = null;
      open.splice(0, drop);
    }
    this.updateNextDue();
  }

  /**
   * A firing slab's windows in `order`: windows[0 .. slab.count). The caller fires those whose
   * on-time timer is pending (onTimePending), each then marked fired, its timer the cleanup time.
   */
  sortedWindows(slab: Slab<W>, order: (a: W, b: W) => number): W[] {
    const windows = slab.windows;
    // Sorting sorts the whole array: down to the slab's windows. Shortening keeps the store while
    // at least half of it stays used; below that V8 trims it (a slab's array is filled again next).
    if (windows.length !== slab.count) windows.length = slab.count;
    if (slab.count > 1) windows.sort(order);
    return windows;
  }

  /** A slab's cleanup time: its end − 1 plus the allowed lateness. */
  cleanupTime(slab: Slab<W>): number {
    return slab.end - 1 + this.allowedLateness;
  }

  /** A purged slab's array goes back for new slabs, its windows let go. */
  release(slab: Slab<W>): void {
    slab.windows.fill(undefined as unknown as W, 0, slab.count);
    slab.count = 0;
    if (this.spareArrays.length < 2) this.spareArrays.push(slab.windows);
    slab.windows = [];
  }

  /** The slab for `start`, made (in start order) when there is none. */
  private slabAt(start: number, end: number): Slab<W> {
    const open = this.open;
    let at = open.length;
    while (at > 0 && open[at - 1]!.start >= start) {
      if (open[at - 1]!.start === start) return open[at - 1]!;
      at--;
    }
    const slab = new Slab<W>(start, end, this.spareArrays.pop() ?? []);
    open.splice(at, 0, slab);
    return slab;
  }

  private updateNextDue(): void {
    let due = Infinity;
    for (const slab of this.open) {
      const onTime = slab.end - 1;
      if (onTime >= due) break;
      due = Math.min(due, slab.fired ? onTime + this.allowedLateness : onTime);
    }
    this.nextDue = due;
  }
}
