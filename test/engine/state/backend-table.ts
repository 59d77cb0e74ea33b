/**
 * The keyed state backends every state test runs against: one table of cases, each backend.
 * The SQLite backend runs with a one-key cache (every key switch evicts and writes back, every
 * return loads from the file, expired rows are swept from the file) and with the default cache
 * (nothing evicted: the cache's own sweep), on in-memory SQLite files.
 */
import { after } from 'node:test';
import { MemoryStateBackend } from '../../../src/engine/state/memory-backend.js';
import type { KeyedStateBackend } from '../../../src/engine/state/state-backend.js';
import { SqliteStateStore, type SqliteStateOptions } from '../../../src/state/sqlite-backend.js';

export interface BackendKind {
  readonly name: string;
  make(): KeyedStateBackend;
}

const stores: SqliteStateStore[] = [];
after(() => {
  for (const store of stores) store.close();
});

function sqlite(options: SqliteStateOptions): KeyedStateBackend {
  const store = SqliteStateStore.open(':memory:');
  stores.push(store);
  return store.backend('test', options);
}

export const BACKENDS: readonly BackendKind[] = [
  { name: 'memory', make: () => new MemoryStateBackend() },
  // Sweeps the file on every cleanup call, so "n keys per call" holds per call, as on the heap.
  { name: 'sqlite, 1-key cache', make: () => sqlite({ cacheKeys: 1, sweepBatch: 1 }) },
  { name: 'sqlite, default cache', make: () => sqlite({}) },
];
