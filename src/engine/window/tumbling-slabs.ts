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

class Slab<W extends SlabWindow> {
  /** The on-time firing happened (or the slab opened after end − 1: its windows fire late only). */
  fired = false;
  readonly windows: W[] = [];
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
}

export class TumblingSlabs<W extends SlabWindow> {
  /** Open slabs by ascending start. */
  private readonly open: Slab<W>[] = [];
  /** The slab of the last add: records mostly open windows in the newest slab. */
  private last: Slab<W> | null = null;
  private windows = 0;
  /** The earliest watermark at which fire() has work: a slab's end − 1 or its cleanup time. */
  private nextDue = Infinity;

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
    if (slab.windows.length === 0) {
      slab.fired = !window.onTimePending;
      this.updateNextDue();
    }
    slab.windows.push(window);
    this.windows++;
  }

  /** Whether fire(watermark) has anything to do. */
  isDue(watermark: number): boolean {
    return this.nextDue <= watermark;
  }

  /**
   * Moves the windows whose on-time timer is due into `firing` (marked fired, their timer now the
   * cleanup time) and the windows whose cleanup time is due into `purged`, slab by slab. The
   * caller emits `firing` sorted (by end, key order, start) before purging `purged`.
   */
  collect(watermark: number, firing: W[], purged: W[]): void {
    const open = this.open;
    let drop = 0;
    for (const slab of open) {
      if (slab.end - 1 > watermark) break;
      const cleanup = slab.end - 1 + this.allowedLateness;
      if (!slab.fired) {
        slab.fired = true;
        for (const w of slab.windows) {
          if (!w.onTimePending) continue;
          w.onTimePending = false;
          w.timerAt = cleanup;
          firing.push(w);
        }
      }
      if (cleanup <= watermark) {
        for (const w of slab.windows) purged.push(w);
        this.windows -= slab.windows.length;
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

  /** The slab for `start`, made (in start order) when there is none. */
  private slabAt(start: number, end: number): Slab<W> {
    const open = this.open;
    let at = open.length;
    while (at > 0 && open[at - 1]!.start >= start) {
      if (open[at - 1]!.start === start) return open[at - 1]!;
      at--;
    }
    const slab = new Slab<W>(start, end);
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
