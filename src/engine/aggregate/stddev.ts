import { numberOf, type Aggregate } from './aggregate.js';

/**
 * stddev(x): the sample standard deviation (n − 1), Flink SQL's STDDEV / STDDEV_SAMP; null below
 * two values. Welford's running mean and squared deviations, merged with Chan et al.'s pairwise
 * formula ("Updating Formulae and a Pairwise Algorithm for Computing Sample Variances", 1979).
 * Flink computes (Σx² − (Σx)²/n)/(n − 1), which cancels catastrophically for large values with a
 * small spread; Welford agrees with it to rounding and stays accurate there.
 */
export interface MomentsAccumulator {
  n: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
}

export const stddev: Aggregate<MomentsAccumulator> = {
  create: () => ({ n: 0, mean: 0, m2: 0 }),
  reset(acc) {
    acc.n = 0;
    acc.mean = 0;
    acc.m2 = 0;
  },
  add(acc, value) {
    if (value === null || value === undefined) return true;
    const x = numberOf(value);
    if (!Number.isFinite(x)) return false;
    acc.n++;
    const delta = x - acc.mean;
    acc.mean += delta / acc.n;
    acc.m2 += delta * (x - acc.mean);
    return true;
  },
  merge(into, from) {
    if (from.n === 0) return;
    if (into.n === 0) {
      into.n = from.n;
      into.mean = from.mean;
      into.m2 = from.m2;
      return;
    }
    const n = into.n + from.n;
    const delta = from.mean - into.mean;
    into.m2 += from.m2 + (delta * delta * into.n * from.n) / n;
    into.mean += (delta * from.n) / n;
    into.n = n;
  },
  result: (acc) => (acc.n < 2 ? null : Math.sqrt(Math.max(0, acc.m2) / (acc.n - 1))),
};
