/**
 * The JSON form of engine snapshots. Operator and watermark snapshots are plain objects, but they
 * hold values plain JSON cannot carry: ±Infinity (the initial watermark is −∞), NaN, sets
 * (count_distinct accumulators) and bigints (CEL integers in a first/last value). The codec tags
 * those as one-key objects ({"$n":"-Infinity"}, {"$set":[...]}) so that
 * `fromSnapshotJson(toSnapshotJson(x))` gives back an equal value; bigints become numbers, as
 * every output record carries them.
 */

const NUMBER_TAG = '$n';
const SET_TAG = '$set';

export function toSnapshotJson(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key: string, v: unknown) {
    if (typeof v === 'number') return Number.isFinite(v) ? v : { [NUMBER_TAG]: String(v) };
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Set) return { [SET_TAG]: [...v] };
    return v;
  });
}

export function fromSnapshotJson<T = unknown>(text: string): T {
  return JSON.parse(text, (_key: string, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    if (keys.length !== 1) return v;
    const tagged = v as Record<string, unknown>;
    if (keys[0] === NUMBER_TAG && typeof tagged[NUMBER_TAG] === 'string') return Number(tagged[NUMBER_TAG]);
    if (keys[0] === SET_TAG && Array.isArray(tagged[SET_TAG])) return new Set(tagged[SET_TAG] as unknown[]);
    return v;
  }) as T;
}

/** An operator whose state can be saved and put back (window, pattern and process steps). */
export interface Snapshottable {
  snapshot(): unknown;
  restore(snapshot: unknown): void;
}

export function isSnapshottable(value: unknown): value is Snapshottable {
  const candidate = value as Partial<Snapshottable> | null;
  return typeof candidate?.snapshot === 'function' && typeof candidate.restore === 'function';
}
