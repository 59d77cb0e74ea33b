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
  // One JS walk that copies only the containers holding a value to tag, then the native
  // JSON.stringify without a replacer: a replacer is a call from C++ back into JS for every value,
  // which doubled the cost of a 29 MB pattern checkpoint (0.58 s against 0.28 s for the plain form).
  return JSON.stringify(tagged(value));
}

/**
 * toSnapshotJson of plain data (no toJSON anywhere in it: a window step's keys and accumulators),
 * for which it is JSON.stringify's own text when nothing needs a tag: no JS walk runs then (nor is
 * compiled by TurboFan on V8's threads: ≈10 ms of a checkpointed tumbling replay,
 * docs/checkpoints.md "Session 13"). What needs a tag shows in that text: ±Infinity and NaN as
 * null, a set as {} (no own properties), a bigint as a TypeError; then the walk runs. (With a
 * toJSON in it, the walk would call it a second time: a binary part decoded twice.)
 */
export function toPlainSnapshotJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return text !== undefined && !text.includes('null') && !text.includes('{}') ? text : toSnapshotJson(value);
}

/** `value` with ±Infinity, NaN, bigints and sets replaced by their tagged forms; untouched subtrees are shared, not copied. */
function tagged(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : { [NUMBER_TAG]: String(value) };
    case 'bigint':
      return Number(value);
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const replaced = tagged(item);
      if (replaced !== item && copy === null) copy = value.slice(0, i);
      if (copy !== null) copy.push(replaced);
    }
    return copy ?? value;
  }
  if (value instanceof Set) return { [SET_TAG]: tagged([...value]) };
  // toJSON (Date, ...) decides its own form, as JSON.stringify would call it before a replacer.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return tagged((value as { toJSON(): unknown }).toJSON());
  let copy: Record<string, unknown> | null = null;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const item = record[keys[i]!];
    const replaced = tagged(item);
    if (replaced !== item && copy === null) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]!] = record[keys[j]!];
    }
    if (copy !== null) copy[keys[i]!] = replaced;
  }
  return copy ?? value;
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

export interface SnapshotOptions {
  /**
   * Large state may come as binary (EncodedState, snapshot/binary.ts) instead of plain data, and
   * plain parts may share the operator's objects instead of copies: what checkpoints ask for, and
   * encode at once. JSON.stringify and restore take either form. A binary part is valid until the
   * operator's next encoded snapshot (its buffer is reused), a shared part until the next record.
   */
  readonly encoded?: boolean;
}

/** An operator whose state can be saved and put back (window, pattern and process steps). */
export interface Snapshottable {
  snapshot(options?: SnapshotOptions): unknown;
  restore(snapshot: unknown): void;
}

export function isSnapshottable(value: unknown): value is Snapshottable {
  const candidate = value as Partial<Snapshottable> | null;
  return typeof candidate?.snapshot === 'function' && typeof candidate.restore === 'function';
}
