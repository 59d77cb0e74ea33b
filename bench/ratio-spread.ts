/**
 * The spread of per-round ratios (live / headless, or a control's headless / headless): their
 * median and range. One round's ratio scatters as much as a view's cost on a shared machine; the
 * median of several alternating rounds, beside a control's spread taken the same way, tells a
 * real cost from the machine's noise.
 */
export interface RatioSpread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The median (the mean of the middle two for an even count) and the range of `ratios` (at least one). */
export function ratioSpread(ratios: readonly number[]): RatioSpread {
  if (ratios.length === 0) throw new Error('ratioSpread: no ratios (a round count of at least 1 is needed)');
  const sorted = [...ratios].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** `0.93 (0.88-0.97)`: the median, then the range. */
export function formatSpread(spread: RatioSpread): string {
  return `${spread.median.toFixed(2)} (${spread.min.toFixed(2)}-${spread.max.toFixed(2)})`;
}
