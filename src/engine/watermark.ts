/**
 * Bounded out-of-orderness watermarks, as Flink's BoundedOutOfOrdernessWatermarks emitted after
 * every record: watermark = maxEventTime − outOfOrderness − 1, never moving backwards; +∞ at the
 * end of input.
 *
 * Splits (Kafka partitions in a recording) each keep their own maximum and the watermark is the
 * minimum over splits, as Flink's per-split watermark alignment. With `idleTimeout`, a split that
 * has seen no record while the stream's event time moved on by more than idleTimeout stops
 * holding the watermark back (Flink's withIdleness). Flink measures idleness in processing time;
 * a replay has no meaningful processing time, so sw measures it in the stream's event time,
 * which keeps runs deterministic. A record on an idle split makes it active again.
 */
export interface WatermarkSnapshot {
  readonly maxTime: number;
  readonly current: number;
  readonly firstSplit: number | null;
  readonly splits: readonly (readonly [number, number])[];
}

export class WatermarkGenerator {
  private readonly delay: number;
  private readonly idleTimeout: number;
  private maxTime = -Infinity;
  private current = -Infinity;
  /** The split of the first record; while every record comes from it, no per-split bookkeeping. */
  private firstSplit: number | null = null;
  /** Per split: largest event time seen; filled once a second split appears. */
  private readonly splitMax = new Map<number, number>();

  constructor(outOfOrderness: number, idleTimeout?: number) {
    this.delay = outOfOrderness + 1;
    this.idleTimeout = idleTimeout ?? Infinity;
  }

  get watermark(): number {
    return this.current;
  }

  get maxEventTime(): number {
    return this.maxTime;
  }

  /**
   * Takes one record's event time (and its split); true when the watermark advanced (read it
   * from `watermark`). A boolean, not the new watermark: a double returned from a call that is
   * not inlined is a heap number, 16 bytes a record for nothing.
   */
  observe(ts: number, split = 0): boolean {
    this.firstSplit ??= split;
    let candidate: number;
    if (this.splitMax.size === 0 && split === this.firstSplit) {
      if (ts > this.maxTime) this.maxTime = ts;
      candidate = this.maxTime - this.delay;
    } else {
      if (this.splitMax.size === 0) this.splitMax.set(this.firstSplit, this.maxTime);
      if (ts > this.maxTime) this.maxTime = ts;
      const previous = this.splitMax.get(split);
      if (previous === undefined || ts > previous) this.splitMax.set(split, ts);
      candidate = this.minOverActiveSplits() - this.delay;
    }
    if (candidate > this.current) {
      this.current = candidate;
      return true;
    }
    return false;
  }

  /** The generator's state as a plain object (watermark, maxima per split), for checkpoints. */
  snapshot(): WatermarkSnapshot {
    return { maxTime: this.maxTime, current: this.current, firstSplit: this.firstSplit, splits: [...this.splitMax] };
  }

  restore(snapshot: WatermarkSnapshot): void {
    this.maxTime = snapshot.maxTime;
    this.current = snapshot.current;
    this.firstSplit = snapshot.firstSplit;
    this.splitMax.clear();
    for (const [split, max] of snapshot.splits) this.splitMax.set(split, max);
  }

  /** End of input: the final +∞ watermark that fires everything still open. */
  finish(): number {
    this.current = Infinity;
    return Infinity;
  }

  private minOverActiveSplits(): number {
    let min = Infinity;
    for (const max of this.splitMax.values()) {
      if (this.maxTime - max > this.idleTimeout) continue;
      if (max < min) min = max;
    }
    return min === Infinity ? this.maxTime : min;
  }
}
