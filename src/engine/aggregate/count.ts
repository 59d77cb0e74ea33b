import type { Aggregate } from './aggregate.js';

/** count(x): the number of non-null values; count() passes a non-null marker for every record. */
export interface CountAccumulator {
  n: number;
}

export const count: Aggregate<CountAccumulator> = {
  create: () => ({ n: 0 }),
  reset(acc) {
    acc.n = 0;
  },
  add(acc, value) {
    if (value !== null && value !== undefined) acc.n++;
    return true;
  },
  merge(into, from) {
    into.n += from.n;
  },
  result: (acc) => acc.n,
};
