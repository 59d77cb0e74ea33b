/**
 * Keyed state storage behind `ctx.state` (Flink's KeyedStateBackend). A backend stores, per key and
 * per state name, one cell: a value, a list or a map. The process operator sets the current key
 * before each record or timer, and the event-time clock that state TTL reads.
 *
 * Backends: `MemoryStateBackend` (default, every key on the heap) and `SqliteStateBackend`
 * (src/state/sqlite-backend.ts: a bounded cache of hot keys over a SQLite table, for state larger
 * than memory). The interface is synchronous and row-shaped (key, state name) so SQLite
 * (better-sqlite3 is synchronous too) implements it with prepared statements; `snapshot()` /
 * `restore()` give checkpoints and savepoints one JSON form that every backend writes and reads,
 * so a checkpoint taken with one backend resumes with the other. docs/state.md says more.
 *
 * TTL (Flink's StateTtlConfig) in event time:
 *  - the clock is the highest event time the operator has processed (records and timers), so it
 *    only moves forward, as processing time does in Flink;
 *  - a value, a list element or a map entry is stamped with the clock when written
 *    (OnCreateAndWrite) and, with `refreshOnRead`, when read (OnReadAndWrite);
 *  - it is expired when `stamp + ttl <= clock` and is never returned once expired
 *    (NeverReturnExpired); reading an expired cell removes it, and `cleanupIncrementally`
 *    sweeps a few keys per call so untouched keys do not keep memory forever.
 */
import type { KeyedState, ListState, MapState, StateTtl, ValueState } from '../process.js';
import type { KeyId } from './state-key.js';

export type StateKind = 'value' | 'list' | 'map';

export interface StateDescriptor {
  readonly name: string;
  readonly kind: StateKind;
  readonly ttl: StateTtl | null;
}

/** Version tag of the snapshot JSON; bump on an incompatible change. */
export const KEYED_STATE_FORMAT = 'sw-keyed-state/1';

/** Every key's state as JSON values (state values must be JSON values to survive a snapshot). */
export interface KeyedStateSnapshot {
  readonly format: typeof KEYED_STATE_FORMAT;
  /** The TTL clock. */
  readonly time: number;
  /** States the function registered, so a restore can refuse an incompatible change. */
  readonly states: readonly { readonly name: string; readonly kind: StateKind; readonly ttl: StateTtl | null }[];
  readonly keys: readonly KeyStateSnapshot[];
}

export interface KeyStateSnapshot {
  readonly key: unknown;
  readonly states: Readonly<Record<string, CellSnapshot>>;
}

export type CellSnapshot =
  | { readonly kind: 'value'; readonly value: unknown; readonly stamp: number }
  | { readonly kind: 'list'; readonly values: readonly unknown[]; readonly stamps: readonly number[] }
  /** Map entries as [mapKey, value, stamp]. */
  | { readonly kind: 'map'; readonly entries: readonly (readonly [unknown, unknown, number])[] };

export interface StateStats {
  /** Keys holding at least one state cell. */
  readonly keys: number;
  /** Values, list elements and map entries, expired ones not yet cleaned included. */
  readonly entries: number;
}

export interface KeyedStateBackend extends KeyedState {
  /** Makes `key` current; `id` is `keyIdOf(key)` when the caller already has it. */
  setCurrentKey(key: unknown, id?: KeyId): void;
  readonly currentKey: unknown;
  readonly currentKeyId: KeyId;
  /** Moves the TTL clock to `time` if that is later (event time of a record or timer). */
  advanceTime(time: number): void;
  /** The TTL clock. */
  readonly time: number;
  /**
   * Removes expired entries of up to `keys` keys, continuing where the last call stopped. A
   * backend may gather the budget of several calls into one pass (SQLite: one indexed query).
   */
  cleanupIncrementally(keys: number): void;
  snapshot(): KeyedStateSnapshot;
  /** Replaces all state with the snapshot's (which the backend may keep: do not reuse it). */
  restore(snapshot: KeyedStateSnapshot): void;
  stats(): StateStats;
}

export type { ValueState, ListState, MapState, StateTtl };

/**
 * Makes the backend of one process step (the engine stays pure: an I/O backend is built outside
 * src/engine and handed in through `compilePipeline`). Called once per step, with its name.
 */
export type StateBackendFactory = (step: string) => KeyedStateBackend;

/**
 * The backend's storage failed (a full disk under the SQLite file, say): not the function's fault,
 * so the process operator lets it end the run instead of counting it as a function error.
 */
export class StateStorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateStorageError';
  }
}
