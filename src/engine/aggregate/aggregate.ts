/**
 * A mergeable aggregate (Flink's AggregateFunction: createAccumulator / add / merge / getResult).
 * One shared, stateless `Aggregate` per aggregate of a step; each window owns one accumulator
 * per aggregate, created once and mutated in place, so adding a record allocates nothing for
 * count, sum, avg, min, max, first, last and stddev.
 *
 * SQL rules: null (and undefined) inputs are skipped silently; a value of the wrong type makes
 * `add` return false (the operator counts an expression error) and leaves the accumulator alone.
 * Merging two accumulators gives the same result as adding all their inputs to one.
 */
export interface Aggregate<A> {
  create(): A;
  /**
   * Makes `acc` as create() makes a new one, where that is cheaper than a new one: a window
   * operator reuses purged windows' accumulators (a new one is made where this is missing).
   */
  reset?(acc: A): void;
  /**
   * Adds one value with its record's event time and arrival sequence (first/last break event-time
   * ties by arrival). Returns false when the value has the wrong type.
   */
  add(acc: A, value: unknown, ts: number, seq: number): boolean;
  /** Whether add reads `ts` (first, last): the others get 0, as passing the time allocates a number per call. */
  readonly readsTime?: boolean;
  /** Folds `from` into `into`; `from` is not used afterwards. */
  merge(into: A, from: A): void;
  result(acc: A): unknown;
}

/**
 * The number a numeric aggregate reads from a value: JSON numbers as they are, CEL integers
 * (bigint) converted. NaN means "not a number" (strings, booleans, objects); numeric aggregates
 * also reject NaN and ±Infinity, which JSON cannot carry and which would poison a whole window.
 */
export function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return NaN;
}
