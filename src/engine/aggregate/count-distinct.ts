import type { Aggregate } from './aggregate.js';

/**
 * count_distinct(x): exact, a set of the values seen. Numbers and strings are their own set keys
 * (1 and "1" stay distinct, as SQL's typed columns would keep them); CEL integers count as the
 * equal number; lists and maps count by their JSON text.
 */
export interface DistinctAccumulator {
  values: Set<unknown>;
}

/** Prefix for structured values so that the list [1] and the string "[1]" stay distinct. */
const STRUCTURED = '\u0000json:';

function distinctKey(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object') return STRUCTURED + JSON.stringify(value);
  return value;
}

export const countDistinct: Aggregate<DistinctAccumulator> = {
  create: () => ({ values: new Set() }),
  add(acc, value) {
    if (value === null || value === undefined) return true;
    acc.values.add(distinctKey(value));
    return true;
  },
  merge(into, from) {
    for (const v of from.values) into.values.add(v);
  },
  result: (acc) => acc.values.size,
};
