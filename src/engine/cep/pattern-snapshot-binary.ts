/**
 * The binary form of a pattern step's keys (checkpoints), layout `sw-pattern-keys/1`: the key
 * count, then per key its value (a string, a number, or another value as snapshot JSON), its timer
 * and timer registration, its records waiting for the watermark (their times, then the records)
 * and its NFA state (nfa-snapshot-binary.ts). `readPatternKeys` gives back the plain PatternKeySnapshot[].
 */
import type { SnapshotReader, SnapshotWriter } from '../snapshot/binary.js';
import { fromSnapshotJson, toSnapshotJson } from '../snapshot/snapshot-json.js';
import { readNfaState } from './nfa/nfa-snapshot-binary.js';
import type { PatternKeySnapshot } from './pattern-operator.js';
import { NONE, type PendingRecords } from './pending-records.js';

type Rec = Record<string, unknown>;

export const PATTERN_KEYS_LAYOUT = 'sw-pattern-keys/1';

const STRING_KEY = 1;
const NUMBER_KEY = 2;
const OTHER_KEY = 3;

/**
 * One key's fields before its NFA state: its value, timer and timer registration, and the times
 * of its records waiting for the watermark (its list in `pending` from `first` on, read in place). The records
 * themselves are the caller's to hold, in list order (pattern-snapshot-copy.ts).
 */
export function writeKeyHead(w: SnapshotWriter, key: unknown, timer: number, timerSeq: number, pending: PendingRecords, first: number): void {
  if (typeof key === 'string') {
    w.uint(STRING_KEY);
    w.str(key);
  } else if (typeof key === 'number') {
    w.uint(NUMBER_KEY);
    w.float(key);
  } else {
    // Any other key value (an array, an object, a boolean) as its snapshot JSON.
    w.uint(OTHER_KEY);
    w.str(toSnapshotJson(key) ?? 'null');
  }
  writeKeyTimes(w, timer, timerSeq, pending, first);
}

/** writeKeyHead's bytes for a string key given as its ASCII units `units[0, n)` (KeyTable.inlineKeyUnits): no string built per key. */
export function writeAsciiKeyHead(w: SnapshotWriter, units: Uint8Array, n: number, timer: number, timerSeq: number, pending: PendingRecords, first: number): void {
  w.uint(STRING_KEY);
  w.ascii(units, n);
  writeKeyTimes(w, timer, timerSeq, pending, first);
}

/** The rest of a key's head: its timer and registration, its records' times. */
function writeKeyTimes(w: SnapshotWriter, timer: number, timerSeq: number, pending: PendingRecords, first: number): void {
  w.float(timer);
  w.uint(timerSeq);
  w.uint(pending.count(first));
  for (let at = first; at !== NONE; at = pending.after(at)) w.float(pending.timeAt(at));
}

/** What writeKeyHead wrote: the key's value, timer and registration, and its records' times. */
export function readKeyHead(r: SnapshotReader): { key: unknown; timer: number; timerSeq: number; times: number[] } {
  const tag = r.uint();
  let key: unknown;
  if (tag === STRING_KEY) key = r.str();
  else if (tag === NUMBER_KEY) key = r.float();
  else if (tag === OTHER_KEY) key = fromSnapshotJson(r.str());
  else throw new Error(`pattern key tag ${tag} is unknown`);
  const timer = r.float();
  const timerSeq = r.uint();
  const times: number[] = [];
  for (let j = 0, m = r.uint(); j < m; j++) times.push(r.float());
  return { key, timer, timerSeq, times };
}

export function readPatternKeys(r: SnapshotReader): PatternKeySnapshot[] {
  const keys: PatternKeySnapshot[] = [];
  for (let i = 0, n = r.uint(); i < n; i++) {
    const { key, timer, timerSeq, times } = readKeyHead(r);
    const records: Rec[] = [];
    for (let j = 0; j < times.length; j++) records.push(r.record() as Rec);
    keys.push({ key, times, records, timer, timerSeq, nfa: readNfaState<Rec>(r) });
  }
  return keys;
}
