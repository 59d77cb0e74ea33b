/**
 * The lateness advisor: how far each record's event time trails the newest event time seen
 * before it (its disorder), and what share of records a bounded-out-of-orderness watermark would
 * call late.
 *
 * With Flink's BoundedOutOfOrdernessWatermarks (and sw's replay), after a record the watermark is
 * maxEventTime − outOfOrderness − 1, and Watermark(t) promises no more records with timestamp ≤ t.
 * A record whose disorder is d arrives when the watermark is max − B − 1, so it is late exactly
 * when ts ≤ max − B − 1, i.e. d > B. CEP drops (or side-outputs) every such record; a window drops
 * it only if its window has already fired, so for windows the share is an upper bound.
 */
import { formatElapsed, formatPercent } from './quantities.js';
import { formatDuration } from '../engine/duration.js';

/** Candidate outOfOrderness values, ms: 1s, 5s, 30s, 1m, 5m. */
export const CANDIDATES_MS = [1_000, 5_000, 30_000, 60_000, 300_000] as const;

/** Largest late share a recommendation accepts: 0.1%. */
export const ACCEPTABLE_LATE_SHARE = 0.001;

/** Collects disorder per record. Zeros (in-order records) are only counted: most streams are mostly ordered. */
export class DisorderTracker {
  private maxSeen = -Infinity;
  private zeros = 0;
  private lags = new Float64Array(1024);
  private lagCount = 0;

  add(eventTime: number): void {
    if (eventTime >= this.maxSeen) {
      this.maxSeen = eventTime;
      this.zeros++;
      return;
    }
    if (this.lagCount === this.lags.length) {
      const grown = new Float64Array(this.lags.length * 2);
      grown.set(this.lags);
      this.lags = grown;
    }
    this.lags[this.lagCount++] = this.maxSeen - eventTime;
  }

  /** In-order record count and the sorted positive lags. */
  finish(): Disorder {
    const lags = this.lags.slice(0, this.lagCount).sort();
    return { inOrder: this.zeros, lags };
  }
}

export interface Disorder {
  readonly inOrder: number;
  /** Positive lags (ms), ascending. */
  readonly lags: Float64Array;
}

export interface DisorderDistribution {
  readonly records: number;
  /** Records with an event time behind an earlier record's. */
  readonly outOfOrder: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface CandidateLateness {
  readonly outOfOrdernessMs: number;
  readonly label: string;
  readonly lateRecords: number;
  readonly lateShare: number;
}

export interface LatenessAdvice {
  readonly distribution: DisorderDistribution;
  readonly candidates: readonly CandidateLateness[];
  /** The smallest candidate with late share ≤ 0.1%, or null when none qualifies. */
  readonly recommendedMs: number | null;
  readonly reason: string;
}

/** Nearest-rank percentile over the in-order zeros followed by the sorted positive lags. */
export function disorderPercentile(disorder: Disorder, quantile: number): number {
  const total = disorder.inOrder + disorder.lags.length;
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(quantile * total));
  return rank <= disorder.inOrder ? 0 : disorder.lags[rank - disorder.inOrder - 1]!;
}

/** Records with lag > bound (binary search over the sorted lags). */
export function lateCount(disorder: Disorder, boundMs: number): number {
  const lags = disorder.lags;
  let low = 0;
  let high = lags.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (lags[mid]! <= boundMs) low = mid + 1;
    else high = mid;
  }
  return lags.length - low;
}

export function adviseLateness(disorder: Disorder, candidatesMs: readonly number[] = CANDIDATES_MS): LatenessAdvice {
  const records = disorder.inOrder + disorder.lags.length;
  const distribution: DisorderDistribution = {
    records,
    outOfOrder: disorder.lags.length,
    p50: disorderPercentile(disorder, 0.5),
    p90: disorderPercentile(disorder, 0.9),
    p99: disorderPercentile(disorder, 0.99),
    p999: disorderPercentile(disorder, 0.999),
    max: disorder.lags.length > 0 ? disorder.lags[disorder.lags.length - 1]! : 0,
  };
  const candidates = candidatesMs.map((bound) => {
    const late = lateCount(disorder, bound);
    return { outOfOrdernessMs: bound, label: formatDuration(bound), lateRecords: late, lateShare: records === 0 ? 0 : late / records };
  });
  const index = candidates.findIndex((candidate) => candidate.lateShare <= ACCEPTABLE_LATE_SHARE);
  if (records === 0) return { distribution, candidates, recommendedMs: null, reason: 'no records with an event time: nothing to measure' };
  if (index < 0) {
    const last = candidates[candidates.length - 1]!;
    return {
      distribution,
      candidates,
      recommendedMs: null,
      reason:
        `no candidate keeps late records at or under ${formatPercent(ACCEPTABLE_LATE_SHARE)} (${last.label} still makes ${formatPercent(last.lateShare)} late); ` +
        `p99.9 disorder is ${formatElapsed(distribution.p999)}: set outOfOrderness at least that high, or keep ${last.label} and route late records with lateOutput/allowedLateness`,
    };
  }
  const chosen = candidates[index]!;
  const smaller = index > 0 ? candidates[index - 1]! : undefined;
  const because = smaller
    ? `; ${smaller.label} would make ${formatPercent(smaller.lateShare)} late`
    : '; it is the smallest candidate';
  return {
    distribution,
    candidates,
    recommendedMs: chosen.outOfOrdernessMs,
    reason: `${chosen.label} makes ${formatPercent(chosen.lateShare)} of records late (at most ${formatPercent(ACCEPTABLE_LATE_SHARE)})${because}; every window result waits ${chosen.label} longer for its watermark`,
  };
}
