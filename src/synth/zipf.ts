import type { Random } from './random.js';

/**
 * Zipf-distributed choice of one of `n` items: item of rank k is drawn with weight 1/k^s.
 * s = 0 is uniform; s ≈ 1.1 gives the heavy key skew of real content and product catalogues
 * (with 2,000 items the hottest gets ~14% of draws). Ranks are shuffled with the seed so the
 * hottest item is not always index 0. Sampling finds the first CDF entry above a uniform draw u
 * through a guide table (Chen & Asau's cutpoint method): bucket k of a power-of-two count holds
 * the first index whose CDF exceeds k/buckets, and a short forward scan from there finds the
 * same index a binary search would (so the seeded streams did not change), in ~1-2 steps
 * instead of ~11 with a mispredicted branch each: 120 ns → ~35 ns per draw here.
 */
export class Zipf {
  private readonly cdf: Float64Array;
  private readonly order: Uint32Array;
  private readonly guide: Uint32Array;
  private readonly buckets: number;

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
    // A power of two: u * buckets is exact for u = uint32 / 2^32, so the bucket never overshoots u.
    this.buckets = Math.min(1 << 22, 2 ** Math.ceil(Math.log2(Math.max(n, 64))));
    this.guide = new Uint32Array(this.buckets);
    for (let k = 0, i = 0; k < this.buckets; k++) {
      while (i < n - 1 && this.cdf[i]! <= k / this.buckets) i++;
      this.guide[k] = i;
    }
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
    const last = this.n - 1;
    let i = this.guide[Math.floor(u * this.buckets)]!;
    while (i < last && this.cdf[i]! <= u) i++;
    return this.order[i]!;
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
