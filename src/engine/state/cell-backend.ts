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
    return this.handle(descriptor, () => new MapHandle<unknown, unknown>(this, descriptor)) as unknown as MapState<K, V>;
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

class MapHandle<K, V> implements MapState<K, V> {
  constructor(
    private readonly backend: CellBackend,
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
