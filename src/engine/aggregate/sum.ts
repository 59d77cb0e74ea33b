import { numberOf, type Aggregate } from './aggregate.js';

/**
 * sum(x) and avg(x) share one accumulator: a Neumaier-compensated sum and the value count.
 * Compensation keeps merged windows (sessions) equal to the sequential sum in practice: with
 * plain addition 0.1 + 0.2 + 0.3 depends on the grouping, with the carried error term it does
 * not for any realistic input. Integers are exact up to 2^53 either way.
 */
export interface SumAccumulator {
  sum: number;
  /** Low-order bits lost by `sum` so far. */
  error: number;
  n: number;
}

function addTerm(acc: SumAccumulator, x: number): void {
  const t = acc.sum + x;
  acc.error += Math.abs(acc.sum) >= Math.abs(x) ? acc.sum - t + x : x - t + acc.sum;
  acc.sum = t;
}

function addValue(acc: SumAccumulator, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  const x = numberOf(value);
  if (!Number.isFinite(x)) return false;
  addTerm(acc, x);
  acc.n++;
  return true;
}

function mergeSums(into: SumAccumulator, from: SumAccumulator): void {
  addTerm(into, from.sum);
  into.error += from.error;
  into.n += from.n;
}

const create = (): SumAccumulator => ({ sum: 0, error: 0, n: 0 });
function reset(acc: SumAccumulator): void {
  acc.sum = 0;
  acc.error = 0;
  acc.n = 0;
}

export const sum: Aggregate<SumAccumulator> = {
  create,
  reset,
  add: addValue,
  merge: mergeSums,
  result: (acc) => (acc.n === 0 ? null : acc.sum + acc.error),
};

/** avg(x) of JSON numbers is a double (Flink's AVG over INT columns would truncate). */
export const avg: Aggregate<SumAccumulator> = {
  create,
  reset,
  add: addValue,
  merge: mergeSums,
  result: (acc) => (acc.n === 0 ? null : (acc.sum + acc.error) / acc.n),
};
