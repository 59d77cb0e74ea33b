/**
 * Where window (and, next, pattern) steps put the state of keys they evict from the heap: the
 * operator writes an idle key's per-key snapshot form (JSON-ready, the snapshot codec's values)
 * and takes it back when a record or a timer needs the key again. The engine side is pure and
 * synchronous; the SQLite implementation is src/state/sqlite-backend.ts (`SqliteStateStore.spill`).
 */
import { fromSnapshotJson, toSnapshotJson } from '../snapshot/snapshot-json.js';
import type { KeyId } from './state-key.js';

export interface KeySpill {
  /** Stores an evicted key's state (the operator's per-key snapshot form); the id is not stored yet. */
  write(id: KeyId, state: unknown): void;
  /** Takes a spilled key's state back (and forgets it), or undefined. */
  take(id: KeyId): unknown;
  /** Every spilled key with a decoded copy of its state, for snapshots. */
  entries(): Iterable<[KeyId, unknown]>;
  readonly size: number;
}

/** A step's spill and its key budget: keys kept on the heap before idle ones are evicted. */
export interface KeySpillOptions {
  readonly spill: KeySpill;
  readonly budget: number;
}

/** CompileOptions.keySpill: one spill per window step, by step name. */
export type KeySpillFactory = (step: string) => KeySpillOptions;

/**
 * A spill into encoded strings on the heap: the SQLite spill's codec without the file. Tests run
 * operators through it with a budget of one or two keys (every key switch spills and reloads).
 */
export class EncodedKeySpill implements KeySpill {
  private readonly bodies = new Map<KeyId, string>();
  writes = 0;

  write(id: KeyId, state: unknown): void {
    this.writes++;
    this.bodies.set(id, toSnapshotJson(state));
  }

  take(id: KeyId): unknown {
    const body = this.bodies.get(id);
    if (body === undefined) return undefined;
    this.bodies.delete(id);
    return fromSnapshotJson(body);
  }

  *entries(): Iterable<[KeyId, unknown]> {
    for (const [id, body] of this.bodies) yield [id, fromSnapshotJson(body)];
  }

  get size(): number {
    return this.bodies.size;
  }
}
