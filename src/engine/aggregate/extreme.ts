import type { Aggregate } from './aggregate.js';

/**
 * min(x) / max(x) over numbers, or over strings (compared by UTF-16 code units, like ISO-8601
 * timestamps sort). The first non-null value fixes the kind; a value of the other kind is a type
 * error, as SQL would reject comparing them.
 */
export interface ExtremeAccumulator {
  value: number | string | null;
}

function extreme(keepNew: (candidate: number | string, current: number | string) => boolean): Aggregate<ExtremeAccumulator> {
  const offer = (acc: ExtremeAccumulator, value: unknown): boolean => {
    if (value === null || value === undefined) return true;
    let v: number | string;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return false;
      v = value;
    } else if (typeof value === 'bigint') v = Number(value);
    else if (typeof value === 'string') v = value;
    else return false;
    const current = acc.value;
    if (current === null) acc.value = v;
    else if (typeof current !== typeof v) return false;
    else if (keepNew(v, current)) acc.value = v;
    return true;
  };
  return {
    create: () => ({ value: null }),
    add: offer,
    merge(into, from) {
      // Both accumulators only ever hold one kind; a mixed merge keeps `into`, like a rejected add.
      if (from.value !== null) offer(into, from.value);
    },
    result: (acc) => acc.value,
  };
}

export const min = extreme((candidate, current) => candidate < current);
export const max = extreme((candidate, current) => candidate > current);
