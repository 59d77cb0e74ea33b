/**
 * Traffic anomaly (source 000: `windowAll(TumblingEventTimeWindows.of(Time.minutes(1)))
 * .aggregate(new TrafficAnomalyDetector()).filter(_.isAnomaly)`, "sudden traffic increase").
 * The document never shows TrafficAnomalyDetector, so "sudden spike" is defined here:
 *
 *   a 1-minute tumbling window (event time, all events, not keyed) is a spike when
 *   - at least `minBaseline` earlier minutes form the baseline (the last `baselineMinutes`
 *     normal minutes; minutes without events count as 0), and
 *   - its count is at least `ratio` × the baseline mean (default 2×), and
 *   - its z-score against the baseline (population sd, at least 1) is at least `z` (default 3).
 *
 * A spike minute does not enter the baseline, so a spike of several minutes is flagged in every
 * minute rather than raising its own bar. Each minute fires when the watermark passes its end,
 * as a Flink event-time window does (timer at end − 1).
 */
import type { ProcessContext, ProcessFunction } from '../../engine/process.js';

const MINUTE = 60_000;

export interface TrafficAnomalyOptions {
  readonly baselineMinutes?: number;
  readonly minBaseline?: number;
  readonly ratio?: number;
  readonly z?: number;
}

interface Baseline {
  /** Counts of the last normal minutes, oldest first. */
  counts: number[];
  /** Start of the last minute closed (normal or not), or null before the first. */
  lastClosed: number | null;
}

export class TrafficAnomaly implements ProcessFunction {
  readonly fields: readonly string[] = [];
  private readonly baselineMinutes: number;
  private readonly minBaseline: number;
  private readonly ratio: number;
  private readonly z: number;

  constructor(options: TrafficAnomalyOptions = {}) {
    this.baselineMinutes = options.baselineMinutes ?? 10;
    this.minBaseline = options.minBaseline ?? 5;
    this.ratio = options.ratio ?? 2;
    this.z = options.z ?? 3;
    if (!(this.minBaseline >= 1 && this.minBaseline <= this.baselineMinutes)) {
      throw new RangeError(`minBaseline must be between 1 and baselineMinutes (${this.baselineMinutes}), got ${this.minBaseline}`);
    }
  }

  processElement(_fields: Record<string, unknown>, ctx: ProcessContext): void {
    const start = ctx.timestamp - (((ctx.timestamp % MINUTE) + MINUTE) % MINUTE);
    const counts = ctx.state.map<number, number>('minute_counts');
    const count = counts.get(start);
    if (count === undefined) ctx.timers.registerEventTimeTimer(start + MINUTE - 1);
    counts.put(start, (count ?? 0) + 1);
  }

  onTimer(time: number, ctx: ProcessContext): void {
    const start = time + 1 - MINUTE;
    const counts = ctx.state.map<number, number>('minute_counts');
    const count = counts.get(start) ?? 0;
    counts.remove(start);
    const state = ctx.state.value<Baseline>('baseline');
    const baseline = state.value() ?? { counts: [], lastClosed: null };
    // Minutes with no events between the last closed one and this one are quiet minutes: count 0.
    if (baseline.lastClosed !== null) {
      for (let m = baseline.lastClosed + MINUTE; m < start && baseline.counts.length > 0; m += MINUTE) this.remember(baseline, 0);
    }
    baseline.lastClosed = start;
    const n = baseline.counts.length;
    if (n >= this.minBaseline) {
      let sum = 0;
      for (const c of baseline.counts) sum += c;
      const mean = sum / n;
      let squares = 0;
      for (const c of baseline.counts) squares += (c - mean) * (c - mean);
      const sd = Math.max(1, Math.sqrt(squares / n));
      const z = (count - mean) / sd;
      const ratio = mean > 0 ? count / mean : Infinity;
      if (count >= this.ratio * mean && z >= this.z) {
        ctx.emit({ start, end: start + MINUTE, events: count, baselineMean: round(mean), baselineSd: round(sd), ratio: Number.isFinite(ratio) ? round(ratio) : null, z: round(z), isAnomaly: true }, time);
        state.update(baseline);
        return;
      }
    }
    this.remember(baseline, count);
    state.update(baseline);
  }

  private remember(baseline: Baseline, count: number): void {
    baseline.counts.push(count);
    if (baseline.counts.length > this.baselineMinutes) baseline.counts.shift();
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
