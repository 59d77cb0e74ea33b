import type { Aggregate } from './aggregate.js';

/**
 * first(x) / last(x): the value of the earliest / latest record by event time; among records with
 * the same event time, first keeps the earliest arrival and last the latest. Nulls are skipped
 * (Flink's FIRST_VALUE / LAST_VALUE ignore them too).
 */
export interface PickAccumulator {
  value: unknown;
  ts: number;
  seq: number;
  has: boolean;
}

function pick(replaces: (ts: number, seq: number, acc: PickAccumulator) => boolean): Aggregate<PickAccumulator> {
  const offer = (acc: PickAccumulator, value: unknown, ts: number, seq: number): boolean => {
    if (value === null || value === undefined) return true;
    if (!acc.has || replaces(ts, seq, acc)) {
      // CEL integers arrive as bigint, which JSON output cannot carry.
      acc.value = typeof value === 'bigint' ? Number(value) : value;
      acc.ts = ts;
      acc.seq = seq;
      acc.has = true;
    }
    return true;
  };
  return {
    create: () => ({ value: null, ts: 0, seq: 0, has: false }),
    add: offer,
    readsTime: true,
    merge(into, from) {
      if (from.has) offer(into, from.value, from.ts, from.seq);
    },
    result: (acc) => (acc.has ? acc.value : null),
  };
}

export const first = pick((ts, seq, acc) => ts < acc.ts || (ts === acc.ts && seq < acc.seq));
export const last = pick((ts, seq, acc) => ts > acc.ts || (ts === acc.ts && seq > acc.seq));
