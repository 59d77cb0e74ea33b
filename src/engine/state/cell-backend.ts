/**
 * What every row-shaped keyed state backend shares: the registered states, the current key, the
 * TTL clock and the state handles. A backend says only where the current key's cells live
 * (`cell`, `putCell`, `removeCell`), how expired cells are swept, and how all state is snapshot
 * and restored. Handles returned by `value/list/map` are created once per state name and read the
 * current key on every call, so a process function may ask `ctx.state.value("x")` per record for free.
 */
import type { ListState, MapState, StateTtl, ValueState } from '../process.js';
import { CLOCK_START, purgeCell, type Cell, type ListCell, type MapCell, type MapEntry, type ValueCell } from './cells.js';
import {
  KEYED_STATE_FORMAT,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type StateDescriptor,
  type StateStats,
} from './state-backend.js';
import { StateDescriptors, StateMisuseError } from './state-descriptors.js';
import { keyIdOf, type KeyId } from './state-key.js';

type Handle = ValueHandle<unknown> | ListHandle<unknown> | MapHandle<unknown, unknown>;

export abstract class CellBackend implements KeyedStateBackend {
  protected readonly descriptors = new StateDescriptors();
  private readonly handles = new Map<string, Handle>();
  protected key: unknown = null;
  protected id: KeyId = null;
  protected clock = CLOCK_START;

  get currentKey(): unknown {
    return this.key;
  }

  get currentKeyId(): KeyId {
    return this.id;
  }

  get time(): number {
    return this.clock;
  }

  abstract setCurrentKey(key: unknown, id?: KeyId): void;
  /** The current key's cell of a state, or undefined. */
  abstract cell(name: string): Cell | undefined;
  abstract putCell(name: string, cell: Cell): void;
  abstract removeCell(name: string): void;
  abstract cleanupIncrementally(keys: number): void;
  abstract snapshot(): KeyedStateSnapshot;
  abstract restore(snapshot: KeyedStateSnapshot): void;
  abstract stats(): StateStats;

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
    return this.handle(descriptor, () => new MapHandle<unknown, unknown>(this, descriptor, this.mapEntries(descriptor))) as unknown as MapState<K, V>;
  }

  /** Where a map state's entries live; the heap's form is one cell per map (see MapEntries). */
  protected mapEntries(descriptor: StateDescriptor): MapEntries {
    return new CellMapEntries(this, descriptor);
  }

  private handle<H extends Handle>(descriptor: StateDescriptor, create: () => H): H {
    let handle = this.handles.get(descriptor.name);
    if (!handle) {
      handle = create();
      this.handles.set(descriptor.name, handle);
    }
    return handle as H;
  }

  expired(stamp: number, ttl: StateTtl | null): boolean {
    return ttl !== null && stamp + ttl.ttl <= this.clock;
  }

  /** The TTL of a registered state (null without TTL or not registered yet: such cells are not swept). */
  protected ttlOf(name: string): number | null {
    return this.descriptors.get(name)?.ttl?.ttl ?? null;
  }

  /** Drops the expired parts of a key's cells, telling `removed` each cell that went whole; true when none is left. */
  protected purgeCells(cells: Map<string, Cell>, removed?: (name: string) => void): boolean {
    for (const [name, cell] of cells) {
      const ttl = this.ttlOf(name);
      if (ttl === null) continue;
      if (purgeCell(cell, ttl, this.clock)) {
        cells.delete(name);
        removed?.(name);
      }
    }
    return cells.size === 0;
  }

  /** The snapshot's header: format, clock and every state registered or restored. */
  protected snapshotOf(keys: KeyedStateSnapshot['keys']): KeyedStateSnapshot {
    return {
      format: KEYED_STATE_FORMAT,
      time: this.clock,
      states: this.descriptors.all().map((d) => ({ name: d.name, kind: d.kind, ttl: d.ttl })),
      keys,
    };
  }

  /** Checks a snapshot and takes its clock and states; the caller then replaces the keys. */
  protected beginRestore(snapshot: KeyedStateSnapshot): void {
    if (snapshot?.format !== KEYED_STATE_FORMAT) {
      throw new StateMisuseError(`not a keyed state snapshot (format ${JSON.stringify(snapshot?.format)}, expected ${KEYED_STATE_FORMAT})`);
    }
    this.descriptors.restored(snapshot.states);
    this.clock = Math.max(CLOCK_START, snapshot.time);
  }

  /** Whether any registered state has a TTL (incremental cleanup has work only then). */
  protected get anyTtl(): boolean {
    return this.descriptors.anyTtl;
  }
}

function cellOf<C extends Cell>(backend: CellBackend, descriptor: StateDescriptor): C | undefined {
  const cell = backend.cell(descriptor.name);
  if (cell !== undefined && cell.kind !== descriptor.kind) {
    throw new StateMisuseError(`state "${descriptor.name}" holds a ${cell.kind} but is used as a ${descriptor.kind} state`);
  }
  return cell as C | undefined;
}

class ValueHandle<T> implements ValueState<T> {
  constructor(
    private readonly backend: CellBackend,
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
    private readonly backend: CellBackend,
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

/**
 * One map state of the current key, entry by entry: what MapHandle reads and writes. The heap
 * backend keeps the map as one cell (`CellMapEntries`); the SQLite backend keeps a row per entry
 * and loads entries one at a time (src/state/sqlite-backend.ts), so a put to a map of 100K
 * entries writes one row, not the map.
 */
export interface MapEntries {
  /** The entry (expired or not), or undefined; its `value` and `stamp` may be changed in place. */
  get(id: KeyId, key: unknown): MapEntry | undefined;
  /** Replaces an entry's value and stamp (keeping its place in the order) or appends a new one. */
  put(id: KeyId, key: unknown, value: unknown, stamp: number): void;
  remove(id: KeyId): void;
  /** Every unexpired entry in insertion order, expired ones removed on the way (`ttl` null: none expire). */
  live(ttl: number | null, clock: number): MapEntry[];
  /** Whether an unexpired entry exists. */
  any(ttl: number | null, clock: number): boolean;
  clear(): void;
}

/** A map state as one cell of the current key (the heap backend's form). */
export class CellMapEntries implements MapEntries {
  constructor(
    private readonly backend: CellBackend,
    private readonly descriptor: StateDescriptor,
  ) {}

  private cell(): MapCell | undefined {
    return cellOf<MapCell>(this.backend, this.descriptor);
  }

  get(id: KeyId): MapEntry | undefined {
    return this.cell()?.entries.get(id);
  }

  put(id: KeyId, key: unknown, value: unknown, stamp: number): void {
    let cell = this.cell();
    if (!cell) {
      cell = { kind: 'map', entries: new Map(), oldest: stamp };
      this.backend.putCell(this.descriptor.name, cell);
    }
    const entry = cell.entries.get(id);
    if (entry) {
      entry.value = value;
      entry.stamp = stamp;
    } else {
      cell.entries.set(id, { id, key, value, stamp });
    }
  }

  remove(id: KeyId): void {
    const cell = this.cell();
    if (!cell) return;
    cell.entries.delete(id);
    if (cell.entries.size === 0) this.backend.removeCell(this.descriptor.name);
  }

  live(ttl: number | null, clock: number): MapEntry[] {
    const cell = this.cell();
    if (!cell) return [];
    if (ttl !== null && purgeCell(cell, ttl, clock)) {
      this.backend.removeCell(this.descriptor.name);
      return [];
    }
    return [...cell.entries.values()];
  }

  any(ttl: number | null, clock: number): boolean {
    return this.live(ttl, clock).length > 0;
  }

  clear(): void {
    this.backend.removeCell(this.descriptor.name);
  }
}

class MapHandle<K, V> implements MapState<K, V> {
  constructor(
    private readonly backend: CellBackend,
    private readonly descriptor: StateDescriptor,
    private readonly store: MapEntries,
  ) {}

  private get ttl(): number | null {
    return this.descriptor.ttl?.ttl ?? null;
  }

  /** The unexpired entry of `key` (refreshed on read when configured), else undefined. */
  private live(key: K): MapEntry | undefined {
    const id = keyIdOf(key);
    const entry = this.store.get(id, key);
    if (!entry) return undefined;
    const ttl = this.descriptor.ttl;
    if (this.backend.expired(entry.stamp, ttl)) {
      this.store.remove(id);
      return undefined;
    }
    if (ttl?.refreshOnRead) entry.stamp = this.backend.time;
    return entry;
  }

  /** The unexpired entries in insertion order; expired ones are removed on the way. */
  private liveEntries(): MapEntry[] {
    const out = this.store.live(this.ttl, this.backend.time);
    if (this.descriptor.ttl?.refreshOnRead) for (const entry of out) entry.stamp = this.backend.time;
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
    this.store.put(keyIdOf(key), key, value, this.backend.time);
  }

  remove(key: K): void {
    this.store.remove(keyIdOf(key));
  }

  entries(): IterableIterator<[K, V]> {
    return this.liveEntries()
      .map((e): [K, V] => [e.key as K, e.value as V])
      .values();
  }

  keys(): IterableIterator<K> {
    return this.liveEntries()
      .map((e) => e.key as K)
      .values();
  }

  values(): IterableIterator<V> {
    return this.liveEntries()
      .map((e) => e.value as V)
      .values();
  }

  /** Does not count as a read for OnReadAndWrite: it looks at no value. */
  isEmpty(): boolean {
    return !this.store.any(this.ttl, this.backend.time);
  }

  clear(): void {
    this.store.clear();
  }
}
