/**
 * The binary form of a window step's keys (checkpoints), layout `sw-window-keys/2`: the numbers
 * of every key in one column of doubles (per key its creation order, kind and how many windows or
 * panes follow; per window its start, end, whether the on-time firing is pending and its timer;
 * per pane its start; a sliding key's two clocks), then, as snapshot JSON, the keys' values and
 * the windows' and panes' accumulators in the same order. `readWindowKeys` gives back the plain
 * WindowKeySnapshot[], property for property.
 *
 * Written by one encoder, `WindowKeysWriter`, from the operator's runtime state (its windows
 * themselves, no snapshot object per key and window) or from snapshots (spilled keys). Its hot
 * path is one numeric loop and a native JSON.stringify: the form before (`sw-window-keys/1`, every
 * field through SnapshotWriter.value) ran a dozen small writers per key, which V8 compiled with
 * TurboFan once hot, on helper threads whose CPU time was the checkpoint's (≈0.15 s of a 2M-event
 * tumbling replay's 20 checkpoints, against ≈0.03 s of encoding). Form /1 is still read.
 *
 * The JSON form of 1.4K tumbling keys (the 2M-event benchmark) was ≈230 KB and 1–2 ms to build
 * and stringify per checkpoint, plus its share of the CRC and the SQLite row.
 */
import { fromSnapshotJson, toSnapshotJson } from '../snapshot/snapshot-json.js';
import type { SnapshotReader, SnapshotWriter } from '../snapshot/binary.js';
import type { WindowKeySnapshot } from './window-operator.js';

export const WINDOW_KEYS_LAYOUT = 'sw-window-keys/2';
/** The form sessions 8–9 wrote (every field through SnapshotWriter.value); read, no longer written. */
export const WINDOW_KEYS_LAYOUT_1 = 'sw-window-keys/1';

const WINDOWS = 1;
const PANES = 2;

/** What a window is written from: its snapshot, or the operator's window itself. */
export interface WindowFields {
  readonly start: number;
  readonly end: number;
  readonly onTimePending: boolean;
  readonly timerAt: number;
  readonly accumulators: readonly unknown[];
}

export interface PaneFields {
  readonly start: number;
  readonly accumulators: readonly unknown[];
}

/**
 * The one encoder of window keys: `windows` or `panes` per key, in key order, then `finish`.
 * Reused from checkpoint to checkpoint (its column grows once); it keeps no key or accumulator
 * after `finish` (nor after `clear`, when encoding failed).
 */
export class WindowKeysWriter {
  private numbers = new Float64Array(1 << 12);
  private at = 0;
  private count = 0;
  private readonly keys: unknown[] = [];
  private readonly accumulators: (readonly unknown[])[] = [];

  /** A key of windows (tumbling, session), in the order it holds them. */
  windows(key: unknown, order: number, windows: readonly WindowFields[]): void {
    const n = windows.length;
    this.head(key, order, WINDOWS, n, n * 4);
    const numbers = this.numbers;
    let at = this.at;
    for (let i = 0; i < n; i++) {
      const w = windows[i]!;
      numbers[at] = w.start;
      numbers[at + 1] = w.end;
      numbers[at + 2] = w.onTimePending ? 1 : 0;
      numbers[at + 3] = w.timerAt;
      at += 4;
      this.accumulators.push(w.accumulators);
    }
    this.at = at;
  }

  /** A key of panes (sliding), with its two clocks. */
  panes(key: unknown, order: number, panes: readonly PaneFields[], fireAt: number, cleanupAt: number): void {
    const n = panes.length;
    this.head(key, order, PANES, n, n + 2);
    const numbers = this.numbers;
    let at = this.at;
    for (let i = 0; i < n; i++) {
      numbers[at++] = panes[i]!.start;
      this.accumulators.push(panes[i]!.accumulators);
    }
    numbers[at] = fireAt;
    numbers[at + 1] = cleanupAt;
    this.at = at + 2;
  }

  private head(key: unknown, order: number, kind: number, count: number, more: number): void {
    if (this.at + 3 + more > this.numbers.length) this.grow(3 + more);
    const numbers = this.numbers;
    numbers[this.at] = order;
    numbers[this.at + 1] = kind;
    numbers[this.at + 2] = count;
    this.at += 3;
    this.keys.push(key);
    this.count++;
  }

  private grow(needed: number): void {
    let size = this.numbers.length * 2;
    while (size < this.at + needed) size *= 2;
    const numbers = new Float64Array(size);
    numbers.set(this.numbers.subarray(0, this.at));
    this.numbers = numbers;
  }

  /** Writes the keys given since the last finish into `w` (the JSON is made now: the accumulators as they are at this moment). */
  finish(w: SnapshotWriter): void {
    try {
      w.uint(this.count);
      w.floats(this.numbers, this.at);
      w.str(toSnapshotJson([this.keys, this.accumulators]));
    } finally {
      this.clear();
    }
  }

  /** Forgets the keys given since the last finish (none stays reachable from here). */
  clear(): void {
    this.at = 0;
    this.count = 0;
    this.keys.length = 0;
    this.accumulators.length = 0;
  }
}

/** Snapshots of keys (spilled keys, tests) in the binary form. */
export function writeWindowKeys(w: SnapshotWriter, keys: readonly WindowKeySnapshot[], into = new WindowKeysWriter()): void {
  try {
    for (const saved of keys) {
      if (saved.panes !== undefined) into.panes(saved.key, saved.order, saved.panes, saved.fireAt ?? Infinity, saved.cleanupAt ?? Infinity);
      else into.windows(saved.key, saved.order, saved.windows ?? []);
    }
  } catch (error) {
    into.clear();
    throw error;
  }
  into.finish(w);
}

/** The plain form of what WindowKeysWriter wrote. */
export function readWindowKeys(r: SnapshotReader): WindowKeySnapshot[] {
  const count = r.uint();
  const numbers = r.floats();
  const [values, accumulators] = fromSnapshotJson<[unknown[], unknown[][]]>(r.str());
  if (!Array.isArray(values) || !Array.isArray(accumulators) || values.length !== count) throw new Error(`window keys: ${count} keys, but ${values?.length} values`);
  const keys: WindowKeySnapshot[] = [];
  let at = 0;
  let acc = 0;
  const next = (): number => {
    if (at >= numbers.length) throw new Error('window keys: the numbers end early');
    return numbers[at++]!;
  };
  const accumulatorsOf = (): unknown[] => {
    const list = accumulators[acc++];
    if (!Array.isArray(list)) throw new Error('window keys: a window has no accumulators');
    return list;
  };
  for (let i = 0; i < count; i++) {
    const key = values[i] ?? null;
    const order = next();
    const kind = next();
    const n = next();
    if (kind === PANES) {
      const panes: { start: number; accumulators: unknown[] }[] = [];
      for (let p = 0; p < n; p++) panes.push({ start: next(), accumulators: accumulatorsOf() });
      keys.push({ key, order, panes, fireAt: next(), cleanupAt: next() });
    } else if (kind === WINDOWS) {
      const windows: { start: number; end: number; onTimePending: boolean; timerAt: number; accumulators: unknown[] }[] = [];
      for (let p = 0; p < n; p++) windows.push({ start: next(), end: next(), onTimePending: next() === 1, timerAt: next(), accumulators: accumulatorsOf() });
      keys.push({ key, order, windows });
    } else {
      throw new Error(`window key ${i} is of unknown kind ${kind}`);
    }
  }
  if (at !== numbers.length || acc !== accumulators.length) throw new Error('window keys: numbers or accumulators left over');
  return keys;
}

/** The plain form of `sw-window-keys/1` (every field through SnapshotWriter.value). */
export function readWindowKeys1(r: SnapshotReader): WindowKeySnapshot[] {
  const keys: WindowKeySnapshot[] = [];
  for (let i = 0, n = r.uint(); i < n; i++) {
    const key = r.value() ?? null;
    const order = r.uint();
    const kind = r.uint();
    if (kind === PANES) {
      const panes: { start: number; accumulators: unknown[] }[] = [];
      for (let p = 0, m = r.uint(); p < m; p++) panes.push({ start: r.float(), accumulators: readAccumulators(r) });
      keys.push({ key, order, panes, fireAt: r.float(), cleanupAt: r.float() });
    } else if (kind === WINDOWS) {
      const windows: { start: number; end: number; onTimePending: boolean; timerAt: number; accumulators: unknown[] }[] = [];
      for (let p = 0, m = r.uint(); p < m; p++) {
        windows.push({ start: r.float(), end: r.float(), onTimePending: r.uint() === 1, timerAt: r.float(), accumulators: readAccumulators(r) });
      }
      keys.push({ key, order, windows });
    } else {
      throw new Error(`window key ${i} is of unknown kind ${kind}`);
    }
  }
  return keys;
}

function readAccumulators(r: SnapshotReader): unknown[] {
  const values: unknown[] = [];
  for (let i = 0, n = r.uint(); i < n; i++) values.push(r.value() ?? null);
  return values;
}
