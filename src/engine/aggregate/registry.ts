import type { AggregateFunction } from '../spec.js';
import type { Aggregate } from './aggregate.js';
import { count } from './count.js';
import { sum, avg } from './sum.js';
import { min, max } from './extreme.js';
import { countDistinct } from './count-distinct.js';
import { first, last } from './first-last.js';
import { stddev } from './stddev.js';
import { percentile } from './percentile.js';

/** The aggregate behind a spec's function name; percentile needs its quantile in [0, 1]. */
export function aggregateFor(fn: AggregateFunction, quantile?: number): Aggregate<unknown> {
  switch (fn) {
    case 'count':
      return count as Aggregate<unknown>;
    case 'sum':
      return sum as Aggregate<unknown>;
    case 'avg':
      return avg as Aggregate<unknown>;
    case 'min':
      return min as Aggregate<unknown>;
    case 'max':
      return max as Aggregate<unknown>;
    case 'count_distinct':
      return countDistinct as Aggregate<unknown>;
    case 'first':
      return first as Aggregate<unknown>;
    case 'last':
      return last as Aggregate<unknown>;
    case 'stddev':
      return stddev as Aggregate<unknown>;
    case 'percentile':
      if (quantile === undefined) throw new RangeError('percentile needs a quantile between 0.0 and 1.0, e.g. percentile(latency, 0.95)');
      return percentile(quantile) as Aggregate<unknown>;
  }
}
