/**
 * The binary form of a window step's keys (checkpoints), layout `sw-window-keys/2`: the numbers
 * of every key in one stream (per key its creation order, kind and how many windows or panes
 * follow; per window whether the on-time firing is pending, its start, end and timer; per pane
 * its start; a sliding key's two clocks), then, as snapshot JSON, the keys' values and the
 * windows' and panes' accumulators in the same order. Times are integers (ms) nearly always:
 * written as varints of their differences (start from the previous start, end from start, timer
 * from end: 1–4 bytes each), else (a fraction, ±∞) as doubles, said by the window's flags.
 * `readWindowKeys` gives back the plain WindowKeySnapshot[], property for property.
 *
 * Written by one encoder, `WindowKeysWriter`, from the operator's runtime state (its windows
 * themselves, no snapshot object per key and window) or from snapshots (spilled keys). Its hot
 * path is one loop over plain numbers and a native JSON.stringify: the form before
 * (`sw-window-keys/1`, every field through SnapshotWriter.value) ran a dozen small writers per key,
 * which V8 compiled with TurboFan once hot, on helper threads whose CPU time is the checkpoint's
 * (≈170–210 ms of compiler time over a 2M-event tumbling replay's 20 checkpoints at load 8, against
 * ≈50–90 ms now). Form /1 is still read.
 *
 * The JSON form of 1.4K tumbling keys (the 2M-event benchmark) was ≈230 KB and 1–2 ms to build
 * and stringify per checkpoint, plus its share of the CRC and the SQLite row; /1 is ≈45–69 KB and /2
 * ≈30–46 KB for its 2K keys (a row over one 64 KB page cost SQLite ≈0.5 ms more per commit).
 */
import { fromSnapshotJson, toPlainSnapshotJson } from '../snapshot/snapshot-json.js';
import { registerLayout, SnapshotReader, SnapshotWriter } from '../snapshot/binary.js';
import type { WindowKeySnapshot } from './window-operator.js';

export const WINDOW_KEYS_LAYOUT = 'sw-window-keys/2';
/** The form sessions 8–9 wrote (every field through SnapshotWriter.value); read, no longer written. */
export const WINDOW_KEYS_LAYOUT_1 = 'sw-window-keys/1';

const WINDOWS = 1;
const PANES = 2;
/** A window's flags: its on-time firing is pending; its times are doubles (not differences). */
const PENDING = 1;
const DOUBLES = 2;
/** Differences up to this size are varints (their zigzag form stays a safe integer). */
const SMALL = 2 ** 51;

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

/** Whether `b - a` goes as a varint: both integers (−0 is not: a difference cannot carry its sign), the difference small. */
function near(a: number, b: number): boolean {
  return Number.isInteger(a) && Number.isInteger(b) && !Object.is(b, -0) && Math.abs(b - a) < SMALL;
}

/**
 * The one encoder of window keys: `windows` or `panes` per key, in key order, then `finish`.
 * Reused from checkpoint to checkpoint (its buffer grows once); it keeps no key or accumulator
 * after `finish` (nor after `clear`, when encoding failed).
 */
export class WindowKeysWriter {
  private readonly numbers = new SnapshotWriter({ sizeHint: 1 << 16 });
  private count = 0;
  /** The previous start written as a varint (the next one goes as its difference). */
  private start = 0;
  private readonly keys: unknown[] = [];
  private readonly accumulators: (readonly unknown[])[] = [];

  /** A key of windows (tumbling, session), in the order it holds them. */
  windows(key: unknown, order: number, windows: readonly WindowFields[]): void {
    this.head(key, order, WINDOWS, windows.length);
    const n = this.numbers;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      const pending = w.onTimePending ? PENDING : 0;
      if (near(this.start, w.start) && near(w.start, w.end) && near(w.end, w.timerAt)) {
        n.uint(pending);
        n.int(w.start - this.start);
        n.int(w.end - w.start);
        n.int(w.timerAt - w.end);
        this.start = w.start;
      } else {
        n.uint(pending | DOUBLES);
        n.float(w.start);
        n.float(w.end);
        n.float(w.timerAt);
      }
      this.accumulators.push(w.accumulators);
    }
  }

  /** A key of panes (sliding), with its two clocks. */
  panes(key: unknown, order: number, panes: readonly PaneFields[], fireAt: number, cleanupAt: number): void {
    this.head(key, order, PANES, panes.length);
    const n = this.numbers;
    for (let i = 0; i < panes.length; i++) {
      const start = panes[i]!.start;
      if (near(this.start, start)) {
        n.uint(0);
        n.int(start - this.start);
        this.start = start;
      } else {
        n.uint(DOUBLES);
        n.float(start);
      }
      this.accumulators.push(panes[i]!.accumulators);
    }
    n.float(fireAt);
    n.float(cleanupAt);
  }

  private head(key: unknown, order: number, kind: number, count: number): void {
    const n = this.numbers;
    n.uint(order);
    n.uint(kind);
    n.uint(count);
    this.keys.push(key);
    this.count++;
  }

  /** Writes the keys given since the last finish into `w` (the JSON is made now: the accumulators as they are at this moment). */
  finish(w: SnapshotWriter): void {
    try {
      const numbers = this.numbers.view();
      w.uint(this.count);
      w.uint(numbers.length);
      w.raw(numbers);
      w.str(toPlainSnapshotJson([this.keys, this.accumulators]));
    } finally {
      this.clear();
    }
  }

  /** Forgets the keys given since the last finish (none stays reachable from here). */
  clear(): void {
    this.numbers.reset();
    this.count = 0;
    this.start = 0;
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
  const n = new SnapshotReader(r.raw(r.uint()), []);
  const parts = fromSnapshotJson<unknown>(r.str());
  if (!Array.isArray(parts) || parts.length !== 2 || !Array.isArray(parts[0]) || !Array.isArray(parts[1])) throw new Error('window keys: the keys and accumulators are not two lists');
  const [values, accumulators] = parts as [unknown[], unknown[][]];
  if (values.length !== count) throw new Error(`window keys: ${count} keys, but ${values.length} values`);
  const keys: WindowKeySnapshot[] = [];
  let acc = 0;
  let previous = 0;
  const accumulatorsOf = (): unknown[] => {
    const list = accumulators[acc++];
    if (!Array.isArray(list)) throw new Error('window keys: a window has no accumulators');
    return list;
  };
  for (let i = 0; i < count; i++) {
    const key = values[i] ?? null;
    const order = n.uint();
    const kind = n.uint();
    const size = n.uint();
    if (kind === PANES) {
      const panes: { start: number; accumulators: unknown[] }[] = [];
      for (let p = 0; p < size; p++) {
        const start = (n.uint() & DOUBLES) !== 0 ? n.float() : (previous += n.int());
        panes.push({ start, accumulators: accumulatorsOf() });
      }
      keys.push({ key, order, panes, fireAt: n.float(), cleanupAt: n.float() });
    } else if (kind === WINDOWS) {
      const windows: { start: number; end: number; onTimePending: boolean; timerAt: number; accumulators: unknown[] }[] = [];
      for (let p = 0; p < size; p++) {
        const flags = n.uint();
        let start: number;
        let end: number;
        let timerAt: number;
        if ((flags & DOUBLES) !== 0) {
          start = n.float();
          end = n.float();
          timerAt = n.float();
        } else {
          start = previous += n.int();
          end = start + n.int();
          timerAt = end + n.int();
        }
        windows.push({ start, end, onTimePending: (flags & PENDING) !== 0, timerAt, accumulators: accumulatorsOf() });
      }
      keys.push({ key, order, windows });
    } else {
      throw new Error(`window key ${i} is of unknown kind ${kind}`);
    }
  }
  if (!n.done || acc !== accumulators.length) throw new Error('window keys: numbers or accumulators left over');
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

registerLayout(WINDOW_KEYS_LAYOUT, { decode: readWindowKeys });
registerLayout(WINDOW_KEYS_LAYOUT_1, { decode: readWindowKeys1 });
