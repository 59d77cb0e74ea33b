/**
 * `--state-backend memory|sqlite [--state-db <file>] [--state-cache <keys>]` on the commands that
 * run pipelines (sw replay, sw scenarios run, sw test): which backend holds process steps' keyed
 * state. Memory is the default; sqlite spills to a file, by default in a temporary folder removed
 * when the run ends.
 */
import type { Command } from 'commander';
import type { StateBackendFactory } from '../engine/state/state-backend.js';
import type { KeySpillFactory } from '../engine/state/key-spill.js';
import { UsageError } from '../errors.js';
import { DEFAULT_CACHE_KEYS, SqliteStateStore } from './sqlite-backend.js';

export interface StateFlags {
  stateBackend?: string;
  stateDb?: string;
  stateCache?: string;
}

export const STATE_BACKENDS = ['memory', 'sqlite'] as const;

/** The three options, as every pipeline-running command words them. */
export function addStateOptions(command: Command): Command {
  return command
    .option('--state-backend <memory|sqlite>', 'where process steps keep keyed state and window steps spill idle keys: memory (default) or sqlite for state larger than memory')
    .option('--state-db <file>', 'with --state-backend sqlite: the state file, kept after the run (default: a temporary file, removed)')
    .option('--state-cache <keys>', `with --state-backend sqlite: keys kept decoded in memory, per process or window step (default ${DEFAULT_CACHE_KEYS})`);
}

/** A run's state backends: the factory to compile with (undefined: memory) and what to close after. */
export interface RunState {
  readonly stateBackend: StateBackendFactory | undefined;
  /** Window steps' key spill: with sqlite, keys beyond --state-cache per step go to the file. */
  readonly keySpill: KeySpillFactory | undefined;
  /** Writes back and closes the SQLite file (a temporary one is removed); safe to call twice. */
  close(): void;
}

const MEMORY: RunState = { stateBackend: undefined, keySpill: undefined, close: () => {} };

export function openRunState(flags: StateFlags): RunState {
  const backend = flags.stateBackend ?? 'memory';
  if (!(STATE_BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`--state-backend ${backend}: not a state backend; use memory or sqlite`);
  }
  if (backend === 'memory') {
    if (flags.stateDb !== undefined) throw new UsageError('--state-db needs --state-backend sqlite (the memory backend keeps no file)');
    if (flags.stateCache !== undefined) throw new UsageError('--state-cache needs --state-backend sqlite (the memory backend keeps every key)');
    return MEMORY;
  }
  const cacheKeys = flags.stateCache === undefined ? DEFAULT_CACHE_KEYS : Number(flags.stateCache);
  if (!Number.isInteger(cacheKeys) || cacheKeys < 1) throw new UsageError(`--state-cache ${flags.stateCache}: give a whole number of keys ≥ 1`);
  let store: SqliteStateStore;
  try {
    store = SqliteStateStore.open(flags.stateDb);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--state-db ${flags.stateDb ?? '(temporary)'}: cannot open it as SQLite: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    stateBackend: (step) => store.backend(step, { cacheKeys }),
    keySpill: (step) => ({ spill: store.spill(step), budget: cacheKeys }),
    close: () => store.close(),
  };
}
