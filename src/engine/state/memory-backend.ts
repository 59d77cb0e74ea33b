/**
 * Keyed state on the JS heap (Flink's HashMapStateBackend): key → state name → cell.
 * Handles returned by `value/list/map` are created once per state name and read the current key
 * on every call, so a process function may ask `ctx.state.value("x")` per record for free.
 */
import type { ListState, MapState, StateTtl, ValueState } from '../process.js';
import {
  KEYED_STATE_FORMAT,
  type CellSnapshot,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type KeyStateSnapshot,
  type StateDescriptor,
  type StateStats,
} from './state-backend.js';
import { StateDescriptors, StateMisuseError } from './state-descriptors.js';
import { keyIdOf, type KeyId } from './state-key.js';

interface ValueCell {
  readonly kind: 'value';
  value: unknown;
  stamp: number;
}

/**
 * Elements and their stamps in parallel arrays: one number per element, no wrapper object.
 * Stamps never decrease along the list (add appends the clock, which only moves forward; update
 * and refresh stamp all alike), so expired elements are always a prefix.
 */
interface ListCell {
  readonly kind: 'list';
  values: unknown[];
  stamps: number[];
}

interface MapEntry {
  readonly id: KeyId;
  readonly key: unknown;
  value: unknown;
  stamp: number;
}

interface MapCell {
  readonly kind: 'map';
  readonly entries: Map<KeyId, MapEntry>;
  /** No entry is stamped earlier: while this is unexpired, nothing in the map is (O(1) checks). */
  oldest: number;
}

type Cell = ValueCell | ListCell | MapCell;

interface KeyRow {
  readonly id: KeyId;
  readonly key: unknown;
  readonly cells: Map<string, Cell>;
}

/** Before any record: far in the past but finite, so `stamp + ttl` stays ordered. */
const CLOCK_START = Number.MIN_SAFE_INTEGER;

export class MemoryStateBackend implements KeyedStateBackend {
  private readonly rows = new Map<KeyId, KeyRow>();
  private readonly descriptors = new StateDescriptors();
  private readonly handles = new Map<string, ValueHandle<unknown> | ListHandle<unknown> | MapHandle<unknown, unknown>>();
  private cursor: Iterator<KeyRow> | null = null;
  /** The current key's row, looked up once per setCurrentKey. */
  private row: KeyRow | undefined = undefined;
  private key: unknown = null;
  private id: KeyId = null;
  private clock = CLOCK_START;

  get currentKey(): unknown {
    return this.key;
  }

  get currentKeyId(): KeyId {
    return this.id;
  }

  get time(): number {
    return this.clock;
  }

  setCurrentKey(key: unknown, id: KeyId = keyIdOf(key)): void {
    this.key = key;
    this.id = id;
    this.row = this.rows.get(id);
  }

  advanceTime(time: number): void {
    if (time > this.clock && Number.isFinite(time)) this.clock = time;
  }

  value<T>(name: string, ttl?: StateTtl): ValueState<T> {
    const descriptor = this.descriptors.register(name, 'value', ttl);
    return this.handle(descriptor, () => new ValueHandle<unknown>(this, descriptor)) as ValueState<T>;
  }

  list<T>(name: string, ttl?: StateTtl): ListState<T> {
    const descriptor = this.descriptors.register(name, 'list', ttl);
    return this.handle(descriptor, () => new ListHandle<unknown>(this, descriptor)) as ListState<T>;
  }

  map<K, V>(name: string, ttl?: StateTtl): MapState<K, V> {
    const descriptor = this.descriptors.register(name, 'map', ttl);
    return this.handle(descriptor, () => new MapHandle<unknown, unknown>(this, descriptor)) as unknown as MapState<K, V>;
  }

  private handle<H extends ValueHandle<unknown> | ListHandle<unknown> | MapHandle<unknown, unknown>>(
    descriptor: StateDescriptor,
    create: () => H,
  ): H {
    let handle = this.handles.get(descriptor.name);
    if (!handle) {
      handle = create();
      this.handles.set(descriptor.name, handle);
    }
    return handle as H;
  }

  /** The current key's cell of a state, or undefined. */
  cell(name: string): Cell | undefined {
    return this.row?.cells.get(name);
  }

  putCell(name: string, cell: Cell): void {
    let row = this.row;
    if (!row) {
      row = { id: this.id, key: this.key, cells: new Map() };
      this.rows.set(this.id, row);
      this.row = row;
    }
    row.cells.set(name, cell);
  }

  removeCell(name: string): void {
    const row = this.row;
    if (!row) return;
    row.cells.delete(name);
    if (row.cells.size === 0) {
      this.rows.delete(this.id);
      this.row = undefined;
    }
  }

  expired(stamp: number, ttl: StateTtl | null): boolean {
    return ttl !== null && stamp + ttl.ttl <= this.clock;
  }

  cleanupIncrementally(keys: number): void {
    if (!this.descriptors.anyTtl || this.rows.size === 0) return;
    // A live Map iterator is a cursor that survives inserts and deletes; restart it at the end.
    let visited = 0;
    let restarted = false;
    while (visited < keys) {
      if (!this.cursor) this.cursor = this.rows.values();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = null;
        if (restarted) return;
        restarted = true;
        continue;
      }
      visited++;
      this.purgeRow(next.value);
    }
  }

  private purgeRow(row: KeyRow): void {
    for (const [name, cell] of row.cells) {
      const ttl = this.descriptors.get(name)?.ttl ?? null;
      if (ttl === null) continue;
      if (purgeCell(cell, ttl.ttl, this.clock)) row.cells.delete(name);
    }
    if (row.cells.size === 0) {
      this.rows.delete(row.id);
      if (row === this.row) this.row = undefined;
    }
  }

  snapshot(): KeyedStateSnapshot {
    const keys: KeyStateSnapshot[] = [];
    for (const row of this.rows.values()) {
      const states: Record<string, CellSnapshot> = {};
      for (const [name, cell] of row.cells) states[name] = snapshotCell(cell);
      keys.push({ key: row.key, states });
    }
    return {
      format: KEYED_STATE_FORMAT,
      time: this.clock,
      states: this.descriptors.all().map((d) => ({ name: d.name, kind: d.kind, ttl: d.ttl })),
      keys,
    };
  }

  restore(snapshot: KeyedStateSnapshot): void {
    if (snapshot?.format !== KEYED_STATE_FORMAT) {
      throw new StateMisuseError(`not a keyed state snapshot (format ${JSON.stringify(snapshot?.format)}, expected ${KEYED_STATE_FORMAT})`);
    }
    this.descriptors.restored(snapshot.states);
    this.rows.clear();
    this.cursor = null;
    this.clock = Math.max(CLOCK_START, snapshot.time);
    for (const k of snapshot.keys) {
      const cells = new Map<string, Cell>();
      for (const [name, cell] of Object.entries(k.states)) cells.set(name, restoreCell(name, cell));
      const id = keyIdOf(k.key);
      if (cells.size > 0) this.rows.set(id, { id, key: k.key, cells });
    }
    this.row = this.rows.get(this.id);
  }

  stats(): StateStats {
    let entries = 0;
    for (const row of this.rows.values()) {
      for (const cell of row.cells.values()) {
        entries += cell.kind === 'value' ? 1 : cell.kind === 'list' ? cell.values.length : cell.entries.size;
      }
    }
    return { keys: this.rows.size, entries };
  }
}

/** Drops expired parts of a cell (expired: stamp + ttl <= clock); true when nothing is left. */
function purgeCell(cell: Cell, ttl: number, clock: number): boolean {
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

function snapshotCell(cell: Cell): CellSnapshot {
  switch (cell.kind) {
    case 'value':
      return { kind: 'value', value: cell.value, stamp: cell.stamp };
    case 'list':
      return { kind: 'list', values: cell.values.slice(), stamps: cell.stamps.slice() };
    case 'map':
      return { kind: 'map', entries: [...cell.entries.values()].map((e) => [e.key, e.value, e.stamp] as const) };
  }
}

function restoreCell(name: string, cell: CellSnapshot): Cell {
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

function cellOf<C extends Cell>(backend: MemoryStateBackend, descriptor: StateDescriptor): C | undefined {
  const cell = backend.cell(descriptor.name);
  if (cell !== undefined && cell.kind !== descriptor.kind) {
    throw new StateMisuseError(`state "${descriptor.name}" holds a ${cell.kind} but is used as a ${descriptor.kind} state`);
  }
  return cell as C | undefined;
}

class ValueHandle<T> implements ValueState<T> {
  constructor(
    private readonly backend: MemoryStateBackend,
    private readonly descriptor: StateDescriptor,
  ) {}

  value(): T | undefined {
    const cell = cellOf<ValueCell>(this.backend, this.descriptor);
    if (!cell) return undefined;
    const ttl = this.descriptor.ttl;
    if (this.backend.expired(cell.stamp, ttl)) {
      this.backend.removeCell(this.descriptor.name);
      return undefined;
    }
    if (ttl?.refreshOnRead) cell.stamp = this.backend.time;
    return cell.value as T;
  }

  update(value: T): void {
    // As Flink's update(null): writing "no value" clears the state.
    if (value === undefined) return this.clear();
    const cell = cellOf<ValueCell>(this.backend, this.descriptor);
    if (cell) {
      cell.value = value;
      cell.stamp = this.backend.time;
    } else {
      this.backend.putCell(this.descriptor.name, { kind: 'value', value, stamp: this.backend.time });
    }
  }

  clear(): void {
    this.backend.removeCell(this.descriptor.name);
  }
}

class ListHandle<T> implements ListState<T> {
  constructor(
    private readonly backend: MemoryStateBackend,
    private readonly descriptor: StateDescriptor,
  ) {}

  /** A copy of the unexpired elements, oldest first (Flink's TtlListState drops expired ones). */
  get(): readonly T[] {
    const cell = cellOf<ListCell>(this.backend, this.descriptor);
    if (!cell) return [];
    const ttl = this.descriptor.ttl;
    if (ttl !== null) {
      if (purgeCell(cell, ttl.ttl, this.backend.time)) {
        this.backend.removeCell(this.descriptor.name);
        return [];
      }
      if (ttl.refreshOnRead) cell.stamps.fill(this.backend.time);
    }
    return cell.values.slice() as T[];
  }

  add(value: T): void {
    if (value === undefined) throw new StateMisuseError(`state "${this.descriptor.name}": cannot add undefined to a list state`);
    const cell = cellOf<ListCell>(this.backend, this.descriptor);
    if (cell) {
      cell.values.push(value);
      cell.stamps.push(this.backend.time);
    } else {
      this.backend.putCell(this.descriptor.name, { kind: 'list', values: [value], stamps: [this.backend.time] });
    }
  }

  update(values: readonly T[]): void {
    if (values.length === 0) return this.clear();
    if (values.includes(undefined as T)) throw new StateMisuseError(`state "${this.descriptor.name}": a list state cannot hold undefined`);
    const now = this.backend.time;
    this.backend.putCell(this.descriptor.name, { kind: 'list', values: values.slice(), stamps: values.map(() => now) });
  }

  clear(): void {
    this.backend.removeCell(this.descriptor.name);
  }
}

class MapHandle<K, V> implements MapState<K, V> {
  constructor(
    private readonly backend: MemoryStateBackend,
    private readonly descriptor: StateDescriptor,
  ) {}

  /** The unexpired entry of `key` (refreshed on read when configured), else undefined. */
  private live(key: K): MapEntry | undefined {
    const cell = cellOf<MapCell>(this.backend, this.descriptor);
    if (!cell) return undefined;
    const id = keyIdOf(key);
    const entry = cell.entries.get(id);
    if (!entry) return undefined;
    const ttl = this.descriptor.ttl;
    if (this.backend.expired(entry.stamp, ttl)) {
      this.drop(cell, id);
      return undefined;
    }
    if (ttl?.refreshOnRead) entry.stamp = this.backend.time;
    return entry;
  }

  private drop(cell: MapCell, id: KeyId): void {
    cell.entries.delete(id);
    if (cell.entries.size === 0) this.backend.removeCell(this.descriptor.name);
  }

  /** The unexpired entries in insertion order; expired ones are removed on the way. */
  private liveEntries(refresh: boolean): MapEntry[] {
    const cell = cellOf<MapCell>(this.backend, this.descriptor);
    if (!cell) return [];
    const ttl = this.descriptor.ttl;
    if (ttl !== null && purgeCell(cell, ttl.ttl, this.backend.time)) {
      this.backend.removeCell(this.descriptor.name);
      return [];
    }
    const out = [...cell.entries.values()];
    if (refresh && ttl?.refreshOnRead) for (const entry of out) entry.stamp = this.backend.time;
    return out;
  }

  get(key: K): V | undefined {
    return this.live(key)?.value as V | undefined;
  }

  has(key: K): boolean {
    return this.live(key) !== undefined;
  }

  put(key: K, value: V): void {
    if (value === undefined) throw new StateMisuseError(`state "${this.descriptor.name}": cannot put undefined in a map state; use remove()`);
    let cell = cellOf<MapCell>(this.backend, this.descriptor);
    if (!cell) {
      cell = { kind: 'map', entries: new Map(), oldest: this.backend.time };
      this.backend.putCell(this.descriptor.name, cell);
    }
    const id = keyIdOf(key);
    const entry = cell.entries.get(id);
    if (entry) {
      entry.value = value;
      entry.stamp = this.backend.time;
    } else {
      cell.entries.set(id, { id, key, value, stamp: this.backend.time });
    }
  }

  remove(key: K): void {
    const cell = cellOf<MapCell>(this.backend, this.descriptor);
    if (cell) this.drop(cell, keyIdOf(key));
  }

  entries(): IterableIterator<[K, V]> {
    return this.liveEntries(true)
      .map((e): [K, V] => [e.key as K, e.value as V])
      .values();
  }

  keys(): IterableIterator<K> {
    return this.liveEntries(true)
      .map((e) => e.key as K)
      .values();
  }

  values(): IterableIterator<V> {
    return this.liveEntries(true)
      .map((e) => e.value as V)
      .values();
  }

  /** Does not count as a read for OnReadAndWrite: it looks at no value. */
  isEmpty(): boolean {
    return this.liveEntries(false).length === 0;
  }

  clear(): void {
    this.backend.removeCell(this.descriptor.name);
  }
}
