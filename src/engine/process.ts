/**
 * Keyed process functions: the escape hatch for logic a window or pattern cannot say (Flink's
 * KeyedProcessFunction). A TypeScript pipeline module supplies one; the process operator calls it
 * per record with the record's key in scope, keyed state and event-time timers.
 */
import type { Fields } from './operator.js';

export interface StateTtl {
  /** Time to live in event-time milliseconds since the last write (Flink's OnCreateAndWrite). */
  readonly ttl: number;
  /** Also refresh on read (Flink's OnReadAndWrite). */
  readonly refreshOnRead?: boolean;
}

export interface ValueState<T> {
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

export interface ListState<T> {
  get(): readonly T[];
  add(value: T): void;
  update(values: readonly T[]): void;
  clear(): void;
}

export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  has(key: K): boolean;
  remove(key: K): void;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
  clear(): void;
}

/** State scoped to the current key, as Flink's keyed state. */
export interface KeyedState {
  value<T>(name: string, ttl?: StateTtl): ValueState<T>;
  list<T>(name: string, ttl?: StateTtl): ListState<T>;
  map<K, V>(name: string, ttl?: StateTtl): MapState<K, V>;
}

export interface TimerService {
  /** The current watermark (event-time clock). */
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
}

export interface ProcessContext {
  readonly key: unknown;
  /** Event time of the record being processed, or of the timer that fired. */
  readonly timestamp: number;
  readonly state: KeyedState;
  readonly timers: TimerService;
  /** Emits a result record `{step, kind: "result", key, time, fields}`. */
  emit(fields: Record<string, unknown>, time?: number): void;
}

export interface ElementContext extends ProcessContext {
  /** The whole original record (decoded on demand). */
  original(): Record<string, unknown>;
}

export interface ProcessFunction {
  /** Top-level fields the function reads, so the reader can decode only those; omit for all. */
  readonly fields?: readonly string[];
  processElement(fields: Fields, ctx: ElementContext): void;
  onTimer?(time: number, ctx: ProcessContext): void;
}
