import type { Random } from './random.js';

/**
 * Zipf-distributed choice of one of `n` items: item of rank k is drawn with weight 1/k^s.
 * s = 0 is uniform; s ≈ 1.1 gives the heavy key skew of real content and product catalogues
 * (with 2,000 items the hottest gets ~14% of draws). Ranks are shuffled with the seed so the
 * hottest item is not always index 0. Sampling is a binary search over a precomputed CDF:
 * ~11 steps for 2,000 items, no allocation per draw.
 */
export class Zipf {
  private readonly cdf: Float64Array;
  private readonly order: Uint32Array;

  constructor(
    readonly n: number,
    readonly exponent: number,
    random: Random,
  ) {
    if (n < 1) throw new RangeError('Zipf needs at least one item');
    this.cdf = new Float64Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      total += 1 / Math.pow(k + 1, exponent);
      this.cdf[k] = total;
    }
    for (let k = 0; k < n; k++) this.cdf[k]! /= total;
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = random.int(i + 1);
      const swap = this.order[i]!;
      this.order[i] = this.order[j]!;
      this.order[j] = swap;
    }
  }

  /** An item index in [0, n). */
  sample(random: Random): number {
    const u = random.float();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return this.order[lo]!;
  }

  /** The item index of a given popularity rank (0 = hottest). */
  itemOfRank(rank: number): number {
    return this.order[Math.min(Math.max(rank, 0), this.n - 1)]!;
  }

  /** The probability of drawing the item of a given rank. */
  probabilityOfRank(rank: number): number {
    return rank === 0 ? this.cdf[0]! : this.cdf[rank]! - this.cdf[rank - 1]!;
  }
}
