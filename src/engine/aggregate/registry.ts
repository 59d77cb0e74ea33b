import type { AggregateFunction } from '../spec.js';
import type { Aggregate } from './aggregate.js';
import { count } from './count.js';
import { sum, avg } from './sum.js';
import { min, max } from './extreme.js';
import { countDistinct } from './count-distinct.js';
import { first, last } from './first-last.js';
import { stddev } from './stddev.js';
import { percentile } from './percentile.js';

/** The aggregates without parameters, by their spec names; percentile takes its quantile. */
const fixed: Record<Exclude<AggregateFunction, 'percentile'>, Aggregate<unknown>> = {
  count: count as Aggregate<unknown>,
  sum: sum as Aggregate<unknown>,
  avg: avg as Aggregate<unknown>,
  min: min as Aggregate<unknown>,
  max: max as Aggregate<unknown>,
  count_distinct: countDistinct as Aggregate<unknown>,
  first: first as Aggregate<unknown>,
  last: last as Aggregate<unknown>,
  stddev: stddev as Aggregate<unknown>,
};

/** The aggregate behind a spec's function name; percentile needs its quantile in [0, 1]. */
export function aggregateFor(fn: AggregateFunction, quantile?: number): Aggregate<unknown> {
  if (fn !== 'percentile') return fixed[fn];
  if (quantile === undefined) throw new RangeError('percentile needs a quantile between 0.0 and 1.0, e.g. percentile(latency, 0.95)');
  return percentile(quantile) as Aggregate<unknown>;
}
