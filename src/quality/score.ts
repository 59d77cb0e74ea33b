/**
 * The stream's quality score, as 002 `_update_quality_metrics` computes it: each record's score
 * is the mean of its rules' scores, and the stream score is an exponential moving average over
 * those per-record scores with α = 0.1 (so the last ~10 records carry 65% of the weight: it says
 * how the stream is doing now). The report adds the average, min and max per-record score, and a
 * trend: the average record score per batch, at most 2·TREND_POINTS batches kept — when the list
 * fills, neighbours merge and the batch doubles, so the points always span the whole stream in
 * constant memory.
 */
export const EMA_ALPHA = 0.1;
const TREND_POINTS = 16;
/** A trend that moves less than this between its first and last point is "stable". */
const STABLE_DELTA = 0.01;

export type TrendDirection = 'improving' | 'stable' | 'degrading';

export interface ScoreSummary {
  /** Per-record EMA, α = 0.1, starting at 1.0 as the document's quality_score. */
  readonly ema: number;
  readonly average: number;
  readonly min: number;
  readonly max: number;
  readonly scoredRecords: number;
  readonly trend: readonly number[];
  /** Records per trend point. */
  readonly trendBatch: number;
  readonly direction: TrendDirection;
}

export class QualityScore {
  private ema = 1;
  private count = 0;
  private sum = 0;
  private min = 1;
  private max = 0;
  private readonly points: number[] = [];
  private batch = 1;
  private batchSum = 0;
  private batchCount = 0;

  add(score: number): void {
    this.ema = (1 - EMA_ALPHA) * this.ema + EMA_ALPHA * score;
    this.count++;
    this.sum += score;
    if (score < this.min) this.min = score;
    if (score > this.max) this.max = score;
    this.batchSum += score;
    if (++this.batchCount === this.batch) {
      this.points.push(this.batchSum / this.batch);
      this.batchSum = 0;
      this.batchCount = 0;
      if (this.points.length === 2 * TREND_POINTS) this.mergePoints();
    }
  }

  /** Halves the points by averaging neighbours (equal batch sizes, so the averages are exact). */
  private mergePoints(): void {
    for (let i = 0; i < TREND_POINTS; i++) this.points[i] = (this.points[2 * i]! + this.points[2 * i + 1]!) / 2;
    this.points.length = TREND_POINTS;
    this.batch *= 2;
  }

  get current(): number {
    return this.ema;
  }

  summary(): ScoreSummary {
    const trend = this.batchCount > 0 ? [...this.points, this.batchSum / this.batchCount] : [...this.points];
    return {
      ema: this.ema,
      average: this.count === 0 ? 1 : this.sum / this.count,
      min: this.count === 0 ? 1 : this.min,
      max: this.count === 0 ? 1 : this.max,
      scoredRecords: this.count,
      trend,
      trendBatch: this.batch,
      direction: directionOf(trend),
    };
  }
}

/** Least-squares slope over the points, scaled to the whole span: robust to one noisy batch. */
export function directionOf(points: readonly number[]): TrendDirection {
  const n = points.length;
  if (n < 2) return 'stable';
  const meanX = (n - 1) / 2;
  let meanY = 0;
  for (const y of points) meanY += y / n;
  let num = 0;
  let den = 0;
  for (let x = 0; x < n; x++) {
    num += (x - meanX) * (points[x]! - meanY);
    den += (x - meanX) * (x - meanX);
  }
  const change = (num / den) * (n - 1);
  if (change > STABLE_DELTA) return 'improving';
  if (change < -STABLE_DELTA) return 'degrading';
  return 'stable';
}
