import { numberOf, type Aggregate } from './aggregate.js';

/**
 * percentile(x, q): exact, with linear interpolation between the two closest ranks, exactly as
 * Flink SQL's PERCENTILE (PercentileAggFunction): position = q·(n − 1) + 1 (1-based), result =
 * (⌈p⌉ − p)·x[⌊p⌋] + (p − ⌊p⌋)·x[⌈p⌉], and x[⌊p⌋] itself when both ranks hold the same value.
 * That is R's type 7. simple-statistics' quantileSorted uses another rule (its q = 0.25 of
 * [1, 2, 3, 4] is 1.5, Flink's is 1.75), so it is not used here.
 */
export interface SampleAccumulator {
  values: number[];
}

export function percentileOfSorted(sorted: readonly number[], q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const position = q * (n - 1) + 1;
  const lower = Math.floor(position);
  const higher = Math.ceil(position);
  const a = sorted[lower - 1]!;
  const b = sorted[higher - 1]!;
  if (lower === higher || a === b) return a;
  return (higher - position) * a + (position - lower) * b;
}

export function percentile(q: number): Aggregate<SampleAccumulator> {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile must be between 0.0 and 1.0, but was ${q}`);
  return {
    create: () => ({ values: [] }),
    add(acc, value) {
      if (value === null || value === undefined) return true;
      const x = numberOf(value);
      if (!Number.isFinite(x)) return false;
      acc.values.push(x);
      return true;
    },
    merge(into, from) {
      for (const x of from.values) into.values.push(x);
    },
    result(acc) {
      // Sorting in place is safe (the accumulator is a multiset) and makes a re-fire after a late
      // record cheap: the array is already almost sorted.
      acc.values.sort((x, y) => x - y);
      return percentileOfSorted(acc.values, q);
    },
  };
}
