/**
 * The cells every row-shaped backend keeps for the current key: a value, a list or a map with the
 * TTL stamps of their parts, and the pure functions over them (expiry, snapshot form, restore).
 * The memory backend keeps cells for every key; the SQLite backend (src/state/) keeps them for its
 * cached keys and stores the others in their snapshot form, so both read and expire alike.
 */
import { StateMisuseError } from './state-descriptors.js';
import type { CellSnapshot } from './state-backend.js';
import { keyIdOf, type KeyId } from './state-key.js';

export interface ValueCell {
  readonly kind: 'value';
  value: unknown;
  stamp: number;
}

/**
 * Elements and their stamps in parallel arrays: one number per element, no wrapper object.
 * Stamps never decrease along the list (add appends the clock, which only moves forward; update
 * and refresh stamp all alike), so expired elements are always a prefix.
 */
export interface ListCell {
  readonly kind: 'list';
  values: unknown[];
  stamps: number[];
}

export interface MapEntry {
  readonly id: KeyId;
  readonly key: unknown;
  value: unknown;
  stamp: number;
}

export interface MapCell {
  readonly kind: 'map';
  readonly entries: Map<KeyId, MapEntry>;
  /** No entry is stamped earlier: while this is unexpired, nothing in the map is (O(1) checks). */
  oldest: number;
}

export type Cell = ValueCell | ListCell | MapCell;

/** Before any record: far in the past but finite, so `stamp + ttl` stays ordered. */
export const CLOCK_START = Number.MIN_SAFE_INTEGER;

/** Drops expired parts of a cell (expired: stamp + ttl <= clock); true when nothing is left. */
export function purgeCell(cell: Cell, ttl: number, clock: number): boolean {
  switch (cell.kind) {
    case 'value':
      return cell.stamp + ttl <= clock;
    case 'list': {
      // Stamps are ascending: find the first live element and cut the prefix.
      const stamps = cell.stamps;
      let first = 0;
      while (first < stamps.length && stamps[first]! + ttl <= clock) first++;
      if (first > 0) {
        cell.values.splice(0, first);
        stamps.splice(0, first);
      }
      return stamps.length === 0;
    }
    case 'map': {
      if (cell.oldest + ttl > clock) return false;
      let oldest = Infinity;
      for (const entry of cell.entries.values()) {
        if (entry.stamp + ttl <= clock) cell.entries.delete(entry.id);
        else if (entry.stamp < oldest) oldest = entry.stamp;
      }
      cell.oldest = oldest;
      return cell.entries.size === 0;
    }
  }
}

/** Values, list elements or map entries in the cell (what `stats().entries` counts). */
export function cellEntries(cell: Cell): number {
  return cell.kind === 'value' ? 1 : cell.kind === 'list' ? cell.values.length : cell.entries.size;
}

export function snapshotCell(cell: Cell): CellSnapshot {
  switch (cell.kind) {
    case 'value':
      return { kind: 'value', value: cell.value, stamp: cell.stamp };
    case 'list':
      return { kind: 'list', values: cell.values.slice(), stamps: cell.stamps.slice() };
    case 'map':
      return { kind: 'map', entries: [...cell.entries.values()].map((e) => [e.key, e.value, e.stamp] as const) };
  }
}

/** The earliest stamp in a snapshot cell (Infinity for an empty one): when its first part expires. */
export function oldestStamp(cell: CellSnapshot): number {
  switch (cell.kind) {
    case 'value':
      return cell.stamp;
    case 'list':
      return cell.stamps.length === 0 ? Infinity : cell.stamps[0]!;
    case 'map': {
      let oldest = Infinity;
      for (const entry of cell.entries) if (entry[2] < oldest) oldest = entry[2];
      return oldest;
    }
  }
}

/** A cell from its snapshot form, checked: a bad snapshot fails with the state's name. */
export function restoreCell(name: string, cell: CellSnapshot): Cell {
  switch (cell.kind) {
    case 'value':
      return { kind: 'value', value: cell.value, stamp: cell.stamp };
    case 'list':
      if (cell.values.length !== cell.stamps.length) throw new StateMisuseError(`state "${name}": list snapshot has ${cell.values.length} values but ${cell.stamps.length} stamps`);
      for (let i = 1; i < cell.stamps.length; i++) {
        if (cell.stamps[i]! < cell.stamps[i - 1]!) throw new StateMisuseError(`state "${name}": list snapshot stamps must not decrease (element ${i})`);
      }
      return { kind: 'list', values: cell.values.slice(), stamps: cell.stamps.slice() };
    case 'map': {
      const entries = new Map<KeyId, MapEntry>();
      let oldest = Infinity;
      for (const [key, value, stamp] of cell.entries) {
        const id = keyIdOf(key);
        entries.set(id, { id, key, value, stamp });
        oldest = Math.min(oldest, stamp);
      }
      return { kind: 'map', entries, oldest };
    }
    default:
      throw new StateMisuseError(`state "${name}": unknown cell kind ${JSON.stringify((cell as { kind: unknown }).kind)}`);
  }
}

/**
 * Incremental cleanup's cursor over a Map's values: each sweep visits up to `count` values,
 * resuming where the last stopped and restarting at the end, never visiting a value twice in one
 * sweep. A live Map iterator survives inserts and deletes, so the Map may change in between.
 */
export class SweepCursor<T> {
  private cursor: Iterator<T> | null = null;

  constructor(
    private readonly values: () => Iterator<T>,
    private readonly visit: (value: T) => void,
  ) {}

  sweep(count: number): void {
    let visited = 0;
    let restarted = false;
    while (visited < count) {
      if (!this.cursor) this.cursor = this.values();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = null;
        if (restarted) return;
        restarted = true;
        continue;
      }
      visited++;
      this.visit(next.value);
    }
  }

  reset(): void {
    this.cursor = null;
  }
}
