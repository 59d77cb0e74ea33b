/**
 * The binary form of a window step's keys (checkpoints), layout `sw-window-keys/1`: the key count,
 * then per key its value, its creation order and either its windows (tumbling, session: start,
 * end, whether the on-time firing is pending, timer, accumulators) or its panes (sliding: start,
 * accumulators) with the key's two clocks. Accumulators are written by type (SnapshotWriter.value).
 * `readWindowKeys` gives back the plain WindowKeySnapshot[], property for property.
 *
 * The JSON form of 1.4K tumbling keys (the 2M-event benchmark) was ≈230 KB and 1–2 ms to build
 * and stringify per checkpoint, plus its share of the CRC and the SQLite row; this is ≈60 KB.
 */
import type { SnapshotReader, SnapshotWriter } from '../snapshot/binary.js';
import type { WindowKeySnapshot } from './window-operator.js';

export const WINDOW_KEYS_LAYOUT = 'sw-window-keys/1';

const WINDOWS = 1;
const PANES = 2;

export function writeWindowKeys(w: SnapshotWriter, keys: readonly WindowKeySnapshot[]): void {
  w.uint(keys.length);
  for (const saved of keys) {
    if (saved.panes !== undefined) {
      writePanesHead(w, saved.key, saved.order, saved.panes.length);
      for (const pane of saved.panes) writePane(w, pane);
      writeClocks(w, saved.fireAt ?? Infinity, saved.cleanupAt ?? Infinity);
      continue;
    }
    const windows = saved.windows ?? [];
    writeWindowsHead(w, saved.key, saved.order, windows.length);
    for (const window of windows) writeWindow(w, window);
  }
}

/*
 * The parts of a key, for writers that encode a key straight from an operator's runtime state
 * (window-operator.ts: no snapshot object per key and window). After the key count, each key is
 * a head, then its windows, or its panes and clocks.
 */

/** A key's head: its value, place in key order, kind (WINDOWS or PANES) and how many follow. */
function writeKeyHead(w: SnapshotWriter, key: unknown, order: number, kind: number, count: number): void {
  w.value(key);
  w.uint(order);
  w.uint(kind);
  w.uint(count);
}

/** A key of windows (tumbling, session), `count` windows to follow. */
export function writeWindowsHead(w: SnapshotWriter, key: unknown, order: number, count: number): void {
  writeKeyHead(w, key, order, WINDOWS, count);
}

/** What a window is written from: its snapshot, or the operator's window itself. */
export interface WindowFields {
  readonly start: number;
  readonly end: number;
  readonly onTimePending: boolean;
  readonly timerAt: number;
  readonly accumulators: readonly unknown[];
}

export function writeWindow(w: SnapshotWriter, window: WindowFields): void {
  w.float(window.start);
  w.float(window.end);
  w.uint(window.onTimePending ? 1 : 0);
  w.float(window.timerAt);
  writeAccumulators(w, window.accumulators);
}

/** A key of panes (sliding), `count` panes to follow, then its clocks. */
export function writePanesHead(w: SnapshotWriter, key: unknown, order: number, count: number): void {
  writeKeyHead(w, key, order, PANES, count);
}

export function writePane(w: SnapshotWriter, pane: { readonly start: number; readonly accumulators: readonly unknown[] }): void {
  w.float(pane.start);
  writeAccumulators(w, pane.accumulators);
}

export function writeClocks(w: SnapshotWriter, fireAt: number, cleanupAt: number): void {
  w.float(fireAt);
  w.float(cleanupAt);
}

function writeAccumulators(w: SnapshotWriter, values: readonly unknown[]): void {
  w.uint(values.length);
  for (let i = 0; i < values.length; i++) w.value(values[i]);
}

export function readWindowKeys(r: SnapshotReader): WindowKeySnapshot[] {
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
