/**
 * Keyed state in SQLite for state larger than memory (Flink's EmbeddedRocksDBStateBackend, with
 * SQLite in RocksDB's place): every (key, state name) cell is one row in its snapshot form, and a
 * bounded cache keeps the cells of the hot keys decoded on the heap.
 *
 *  - Cache: up to `cacheKeys` keys, each with all its cells (a key is loaded whole with one
 *    indexed SELECT the first time a record or timer touches its state). Eviction is second
 *    chance (CLOCK): a hit only sets a bit, so the hot path is one Map lookup, no reordering.
 *  - Write-back: a cached cell is written when its key is evicted, before a snapshot and at
 *    close, and only if it was touched. Touched, not only written: a function may change an
 *    object it read in place, and the heap backend keeps such changes, so this one must too
 *    (Flink's RocksDB backend loses them; we keep both backends giving identical results).
 *  - Writes run in one long transaction committed every WRITES_PER_COMMIT statements, through
 *    prepared statements; the file is in WAL mode with synchronous=OFF: it is working storage, not
 *    a durable copy (checkpoints are, as in Flink, where RocksDB's local files are scratch too).
 *  - TTL: the same cells and expiry rules as the heap backend (src/engine/state/cells.ts), so
 *    expired state is never returned. Cleanup on read (a loaded key drops its expired cells),
 *    incremental cleanup of cached keys (a cursor, as the heap backend), and of stored keys by
 *    the `oldest` column: an indexed query per TTL state finds rows whose earliest stamp has
 *    expired (only expired rows are visited, unlike the heap's cursor over every key), once
 *    SWEEP_BATCH keys' worth of cleanup budget has been gathered.
 *  - snapshot()/restore() read and write the same JSON form as the heap backend, so checkpoints
 *    work unchanged and state moves between backends through one. A snapshot materializes all
 *    state as JSON (the checkpoint format is one JSON body): the one place that needs memory in
 *    proportion to the state.
 *
 * Limits: the unit of caching is a key, so one key's state must fit in memory (as a RocksDB
 * ListState must on get()); state values go through the snapshot JSON codec (NaN, ±Infinity and
 * sets survive; bigints become numbers, as in every snapshot).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { lazyModule } from '../lazy-module.js';
import { CellBackend, type MapEntries } from '../engine/state/cell-backend.js';
import { cellEntries, oldestStamp, purgeCell, restoreCell, snapshotCell, SweepCursor, type Cell, type MapEntry } from '../engine/state/cells.js';
import {
  StateStorageError,
  type CellSnapshot,
  type KeyedStateSnapshot,
  type KeyStateSnapshot,
  type StateDescriptor,
  type StateStats,
} from '../engine/state/state-backend.js';
import { keyIdOf, keyOfId, type KeyId } from '../engine/state/state-key.js';
import type { KeySpill } from '../engine/state/key-spill.js';
import { fromSnapshotJson, toSnapshotJson } from '../engine/snapshot/snapshot-json.js';
import { UsageError } from '../errors.js';

/** better-sqlite3 is loaded when a run opens a database, not by every command that imports this file. */
const sqlite = lazyModule<typeof import('../sqlite-database.js')>('../sqlite-database.js', import.meta.url);

/** Keys kept decoded by default: the fraud scorer's ~1 KB per user makes this ~10 MB of heap. */
export const DEFAULT_CACHE_KEYS = 10_000;
/** Statements per commit: a commit (with its WAL work) cost ~3 ms on the counter bench, a write ~5 µs: 4000 writes per commit keep commits ~10% of write time. */
const WRITES_PER_COMMIT = 4000;
/** Cleanup budget (keys) gathered before one indexed sweep query per TTL state: ~1 query per 128 records. */
const SWEEP_BATCH = 256;
/** The table that marks a file as ours, so --state-db never empties someone else's database. */
const META_TABLE = 'sw_state_steps';

export interface SqliteStateOptions {
  /** Keys whose cells stay decoded on the heap; the others live only in the file. */
  readonly cacheKeys?: number;
  /** Cleanup budget (keys) gathered before sweeping the file (default SWEEP_BATCH; 1 sweeps on every call). */
  readonly sweepBatch?: number;
}

/** Cache and I/O counts of one backend since it was made (for the bench and the tests). */
export interface SqliteStateCounters {
  hits: number;
  loads: number;
  evictions: number;
  /** Rows written (upserted or deleted) back to the file. */
  writes: number;
}

/**
 * One SQLite file holding the keyed state of a run's process steps, a table per step. The file is
 * emptied when opened (state is restored from checkpoints, never from here) and, when `temporary`,
 * removed with its folder on close.
 */
export class SqliteStateStore {
  readonly db: Database.Database;
  private writes = 0;
  private closed = false;
  private readonly backends: SqliteStateBackend[] = [];

  private constructor(
    readonly path: string,
    private readonly temporaryDir: string | null,
  ) {
    this.db = sqlite().openDatabase(path);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = OFF');
      this.claim();
      this.db.exec('BEGIN');
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  /** Opens (and empties) `path`, or a new file in a temporary folder removed on close. */
  static open(path?: string): SqliteStateStore {
    if (path !== undefined) return new SqliteStateStore(path, null);
    const dir = mkdtempSync(join(tmpdir(), 'sw-state-'));
    try {
      return new SqliteStateStore(join(dir, 'state.db'), dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Refuses a database that is not ours; drops the state tables a previous run left. */
  private claim(): void {
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (tables.length > 0 && !tables.includes(META_TABLE)) {
      throw new UsageError(`--state-db ${this.path}: the file is a database with tables of its own (${tables.slice(0, 3).join(', ')}); give a new file or a state database sw made`);
    }
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${META_TABLE} (step TEXT PRIMARY KEY, tbl TEXT NOT NULL)`);
    for (const table of this.db.prepare(`SELECT tbl FROM ${META_TABLE}`).pluck().all() as string[]) {
      this.db.exec(`DROP TABLE IF EXISTS ${quoted(table)}`);
    }
    this.db.exec(`DELETE FROM ${META_TABLE}`);
  }

  /** The backend of one process step: a fresh table of its own. */
  backend(step: string, options: SqliteStateOptions = {}): SqliteStateBackend {
    const table = `state:${step}`;
    this.db.exec(`DROP TABLE IF EXISTS ${quoted(table)}`);
    // WITHOUT ROWID: the primary key is the storage order, so a key's cells are adjacent pages.
    this.db.exec(`CREATE TABLE ${quoted(table)} (
      kid TEXT NOT NULL, name TEXT NOT NULL, cell TEXT NOT NULL, oldest REAL, entries INTEGER NOT NULL,
      PRIMARY KEY (kid, name)) WITHOUT ROWID`);
    // Partial: cells of states without TTL (oldest NULL) cost no index update on write.
    this.db.exec(`CREATE INDEX ${quoted(`${table}:expiry`)} ON ${quoted(table)} (name, oldest) WHERE oldest IS NOT NULL`);
    this.db.prepare(`INSERT OR REPLACE INTO ${META_TABLE} (step, tbl) VALUES (?, ?)`).run(step, table);
    // Map states: a row per entry, so a put writes one row however large the map (see MapTable).
    const maps = `map:${step}`;
    this.db.exec(`DROP TABLE IF EXISTS ${quoted(maps)}`);
    this.db.exec(`CREATE TABLE ${quoted(maps)} (
      kid TEXT NOT NULL, name TEXT NOT NULL, ekid TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL, stamp REAL NOT NULL, swept REAL,
      PRIMARY KEY (kid, name, ekid)) WITHOUT ROWID`);
    this.db.exec(`CREATE INDEX ${quoted(`${maps}:expiry`)} ON ${quoted(maps)} (name, swept) WHERE swept IS NOT NULL`);
    this.db.prepare(`INSERT OR REPLACE INTO ${META_TABLE} (step, tbl) VALUES (?, ?)`).run(`map:${step}`, maps);
    const backend = new SqliteStateBackend(this, new StateTable(this.db, table, maps), new MapTable(this.db, maps), options);
    this.backends.push(backend);
    return backend;
  }

  /**
   * The key spill of one window step: a fresh table `"spill:<step>"(kid, body)`, a row per
   * evicted key holding its per-key snapshot form in the snapshot codec's JSON.
   */
  spill(step: string): SqliteKeySpill {
    const table = `spill:${step}`;
    this.db.exec(`DROP TABLE IF EXISTS ${quoted(table)}`);
    this.db.exec(`CREATE TABLE ${quoted(table)} (kid TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID`);
    this.db.prepare(`INSERT OR REPLACE INTO ${META_TABLE} (step, tbl) VALUES (?, ?)`).run(`spill:${step}`, table);
    return new SqliteKeySpill(this, table);
  }

  /** Counts a write; commits the open transaction every WRITES_PER_COMMIT and opens the next. */
  wrote(): void {
    if (++this.writes < WRITES_PER_COMMIT) return;
    this.commit();
  }

  commit(): void {
    this.writes = 0;
    this.db.exec('COMMIT');
    this.db.exec('BEGIN');
  }

  /** Writes back every cache when the file is kept (so it holds the final state), then closes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.temporaryDir === null) for (const backend of this.backends) backend.flush();
      this.db.exec('COMMIT');
    } finally {
      this.db.close();
      if (this.temporaryDir !== null) rmSync(this.temporaryDir, { recursive: true, force: true });
    }
  }
}

/** A window step's evicted keys in the state file (see SqliteStateStore.spill). */
export class SqliteKeySpill implements KeySpill {
  private readonly insert: Database.Statement<[string, string]>;
  private readonly select: Database.Statement<[string], string>;
  private readonly remove: Database.Statement<[string]>;
  private readonly all: Database.Statement<[], { kid: string; body: string }>;
  private count = 0;

  constructor(
    private readonly store: SqliteStateStore,
    table: string,
  ) {
    const t = quoted(table);
    this.insert = store.db.prepare(`INSERT OR REPLACE INTO ${t} (kid, body) VALUES (?, ?)`);
    this.select = store.db.prepare(`SELECT body FROM ${t} WHERE kid = ?`).pluck() as unknown as Database.Statement<[string], string>;
    this.remove = store.db.prepare(`DELETE FROM ${t} WHERE kid = ?`);
    this.all = store.db.prepare(`SELECT kid, body FROM ${t} ORDER BY kid`);
  }

  get size(): number {
    return this.count;
  }

  write(id: KeyId, state: unknown): void {
    this.storage(() => {
      this.insert.run(kidOf(id), toSnapshotJson(state));
      this.store.wrote();
    });
    this.count++;
  }

  take(id: KeyId): unknown {
    const kid = kidOf(id);
    return this.storage(() => {
      const body = this.select.get(kid);
      if (body === undefined) return undefined;
      // Deleted rather than left stale: the table holds exactly the spilled keys (snapshots read it all).
      this.remove.run(kid);
      this.store.wrote();
      this.count--;
      return fromSnapshotJson(body);
    });
  }

  *entries(): Iterable<[KeyId, unknown]> {
    for (const row of this.storage(() => this.all.all())) yield [keyIdOfKid(row.kid), fromSnapshotJson(row.body)];
  }

  private storage<T>(io: () => T): T {
    return storage(this.store.path, io);
  }
}

/** Runs file I/O; a SQLite failure becomes a StateStorageError naming the file (it ends the run). */
function storage<T>(path: string, io: () => T): T {
  try {
    return io();
  } catch (error) {
    if (error instanceof sqlite().SqliteError) throw new StateStorageError(`state file ${path}: ${error.message} (${error.code}); free space there or give --state-db another place`);
    throw error;
  }
}

/** The prepared statements over one step's table. */
class StateTable {
  readonly select: Database.Statement<[string], { name: string; cell: string }>;
  readonly upsert: Database.Statement<[string, string, string, number | null, number]>;
  readonly remove: Database.Statement<[string, string]>;
  readonly clear: Database.Statement<[]>;
  /** Rows of one state whose earliest stamp has expired: `oldest <= clock - ttl` uses the index, the exact test follows. */
  readonly expired: Database.Statement<[string, number, number, number, number], { kid: string; cell: string }>;
  readonly all: Database.Statement<[], { kid: string; name: string; cell: string }>;
  /** Keys with a cell or a map entry, and the cells' entries plus the map entries. */
  readonly counts: Database.Statement<[], { keys: number; entries: number }>;

  constructor(db: Database.Database, table: string, maps: string) {
    const t = quoted(table);
    const m = quoted(maps);
    this.select = db.prepare(`SELECT name, cell FROM ${t} WHERE kid = ?`);
    // An upsert updates the row in place (INSERT OR REPLACE would delete and insert it).
    this.upsert = db.prepare(
      `INSERT INTO ${t} (kid, name, cell, oldest, entries) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kid, name) DO UPDATE SET cell = excluded.cell, oldest = excluded.oldest, entries = excluded.entries`,
    );
    this.remove = db.prepare(`DELETE FROM ${t} WHERE kid = ? AND name = ?`);
    this.clear = db.prepare(`DELETE FROM ${t}`);
    this.expired = db.prepare(
      `SELECT kid, cell FROM ${t} WHERE name = ? AND oldest IS NOT NULL AND oldest <= ? AND oldest + ? <= ? ORDER BY oldest LIMIT ?`,
    );
    this.all = db.prepare(`SELECT kid, name, cell FROM ${t} ORDER BY kid, name`);
    this.counts = db.prepare(
      `SELECT (SELECT count(*) FROM (SELECT kid FROM ${t} UNION SELECT kid FROM ${m})) AS keys,
              CAST((SELECT total(entries) FROM ${t}) AS INTEGER) + (SELECT count(*) FROM ${m}) AS entries`,
    );
  }
}

/**
 * The prepared statements over one step's map entries: a row per (key, map state, entry key),
 * `seq` its insertion order (a map iterates in insertion order, as a JS Map and the heap backend
 * do), `swept` its stamp for states with a TTL (a partial index finds expired entries).
 */
class MapTable {
  readonly get: Database.Statement<[string, string, string], { value: string; stamp: number; seq: number }>;
  readonly all: Database.Statement<[string, string], { ekid: string; value: string; stamp: number; seq: number }>;
  readonly any: Database.Statement<[string, string], number>;
  readonly anyLive: Database.Statement<[string, string, number, number], number>;
  /** Inserts with a new seq, or updates the value and keeps the row's place (an entry not known to be new). */
  readonly upsertKeep: Database.Statement<[string, string, string, number, string, number, number | null]>;
  /** Inserts or updates with the given seq (an entry whose place is known, or new after a remove). */
  readonly upsertSeq: Database.Statement<[string, string, string, number, string, number, number | null]>;
  readonly remove: Database.Statement<[string, string, string]>;
  readonly removeMap: Database.Statement<[string, string]>;
  readonly expired: Database.Statement<[string, number, number, number, number], { kid: string; ekid: string }>;
  readonly rows: Database.Statement<[], { kid: string; name: string; ekid: string; value: string; stamp: number }>;
  readonly clear: Database.Statement<[]>;

  constructor(db: Database.Database, table: string) {
    const m = quoted(table);
    this.get = db.prepare(`SELECT value, stamp, seq FROM ${m} WHERE kid = ? AND name = ? AND ekid = ?`);
    this.all = db.prepare(`SELECT ekid, value, stamp, seq FROM ${m} WHERE kid = ? AND name = ? ORDER BY seq`);
    this.any = db.prepare(`SELECT 1 FROM ${m} WHERE kid = ? AND name = ? LIMIT 1`).pluck() as unknown as Database.Statement<[string, string], number>;
    this.anyLive = db.prepare(`SELECT 1 FROM ${m} WHERE kid = ? AND name = ? AND stamp + ? > ? LIMIT 1`).pluck() as unknown as Database.Statement<
      [string, string, number, number],
      number
    >;
    const insert = `INSERT INTO ${m} (kid, name, ekid, seq, value, stamp, swept) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kid, name, ekid) DO UPDATE SET value = excluded.value, stamp = excluded.stamp, swept = excluded.swept`;
    this.upsertKeep = db.prepare(insert);
    this.upsertSeq = db.prepare(`${insert}, seq = excluded.seq`);
    this.remove = db.prepare(`DELETE FROM ${m} WHERE kid = ? AND name = ? AND ekid = ?`);
    this.removeMap = db.prepare(`DELETE FROM ${m} WHERE kid = ? AND name = ?`);
    this.expired = db.prepare(
      `SELECT kid, ekid FROM ${m} WHERE name = ? AND swept IS NOT NULL AND swept <= ? AND swept + ? <= ? ORDER BY swept LIMIT ?`,
    );
    this.rows = db.prepare(`SELECT kid, name, ekid, value, stamp FROM ${m} ORDER BY kid, name, seq`);
    this.clear = db.prepare(`DELETE FROM ${m}`);
  }
}

interface CachedKey {
  readonly id: KeyId;
  /** The key's text in the table (see kidOf). */
  readonly kid: string;
  /** Every cell the key has: a cached key is complete, the file's rows for it are stale until written back. */
  readonly cells: Map<string, Cell>;
  /** Names whose cell was touched (read, written or removed) since it was last written back. */
  dirty: Set<string> | null;
  /** Second-chance bit: set on every use, cleared as the eviction hand passes. */
  used: boolean;
  /** The map states this key touched since it was loaded (their entries are loaded one by one). */
  maps: Map<string, CachedMap> | null;
}

/** A map entry on the heap, and what the file holds of it. */
interface StoredEntry extends MapEntry {
  /** Insertion order: given at the put that made the entry, so entries new to the file keep their put order. */
  seq: number;
  /**
   * `seq` is the entry's place (loaded from the file, or known to be new). Otherwise the file may
   * have a row for it already, which keeps its own place when written (a JS Map keeps a replaced key's).
   */
  placed: boolean;
  /** The value's text and the stamp as the file has them (text null: not written yet): an entry read and left unchanged is not written back. */
  text: string | null;
  storedStamp: number;
}

/**
 * The part of one map state of a cached key that is on the heap: entries loaded by get/put one at
 * a time, or all of them after an iteration. Its changes go back entry by entry at write-back.
 */
interface CachedMap {
  entries: Map<KeyId, StoredEntry>;
  /** `entries` is the whole map, in insertion order (after an iteration or a clear): absent means absent. */
  complete: boolean;
  /** Entries to write back: upserted when in `entries`, deleted otherwise (so also "removed since loaded"). */
  dirty: Set<KeyId> | null;
  /** The file's rows of this map go before the dirty entries are written (clear()). */
  cleared: boolean;
  /** No loaded entry is stamped earlier (stamps only grow), so the cache sweep checks a map in O(1). */
  oldest: number;
}

export class SqliteStateBackend extends CellBackend {
  readonly counters: SqliteStateCounters = { hits: 0, loads: 0, evictions: 0, writes: 0 };
  /** The next map entry's insertion order (every seq in the file came from here). */
  private nextSeq = 1;
  private readonly capacity: number;
  private readonly cache = new Map<KeyId, CachedKey>();
  private hand: Iterator<CachedKey> = this.cache.values();
  /** The current key's cached row, loaded on the first state access after setCurrentKey. */
  private row: CachedKey | null = null;
  /** Incremental cleanup of the cached keys, as the heap backend sweeps its rows. */
  private readonly sweep = new SweepCursor<CachedKey>(
    () => this.cache.values(),
    (row) => this.purgeRow(row),
  );
  private sweepBudget = 0;
  private readonly sweepBatch: number;
  /** TTLs of the last restored snapshot's states, for rows of states the function has not registered yet. */
  private restoredTtl = new Map<string, number | null>();

  constructor(
    private readonly store: SqliteStateStore,
    private readonly table: StateTable,
    private readonly maps: MapTable,
    options: SqliteStateOptions = {},
  ) {
    super();
    const capacity = options.cacheKeys ?? DEFAULT_CACHE_KEYS;
    if (!Number.isInteger(capacity) || capacity < 1) throw new UsageError(`state cache: ${String(capacity)} keys; give a whole number ≥ 1`);
    this.capacity = capacity;
    this.sweepBatch = options.sweepBatch ?? SWEEP_BATCH;
  }

  /** Keys decoded on the heap now (at most the cache's size). */
  get cachedKeys(): number {
    return this.cache.size;
  }

  setCurrentKey(key: unknown, id: KeyId = keyIdOf(key)): void {
    this.key = key;
    this.id = id;
    // Lazy: a record or timer that touches no state costs no lookup.
    this.row = null;
  }

  /** The current key's row: a cache hit, or one SELECT (after making room). */
  private current(): CachedKey {
    let row = this.cache.get(this.id);
    if (row === undefined) {
      row = this.storage(() => this.load(this.id));
    } else {
      this.counters.hits++;
    }
    row.used = true;
    this.row = row;
    return row;
  }

  private load(id: KeyId): CachedKey {
    if (this.cache.size >= this.capacity) this.evict();
    this.counters.loads++;
    const kid = kidOf(id);
    const cells = new Map<string, Cell>();
    for (const r of this.table.select.all(kid)) cells.set(r.name, decodeCell(r.name, r.cell));
    const row: CachedKey = { id, kid, cells, dirty: null, used: true, maps: null };
    // Cleanup on read: expired cells of the loaded key go now (and from the file at write-back).
    if (cells.size > 0 && this.anyTtl) this.purgeCells(cells, (name) => touch(row, name));
    this.cache.set(id, row);
    return row;
  }

  /**
   * CLOCK: the hand goes round the cache in insertion order, clearing used bits, and evicts the
   * first key it finds unused. The hand is one live iterator kept between calls: a fresh
   * `values()` per eviction would walk the deleted slots at the front of the Map again each time
   * (V8 compacts them only on rehash), which cost 1 s of the 1K-key-cache counter bench's 2.7 s.
   */
  private evict(): void {
    for (let passes = 0; passes < 3; ) {
      const next = this.hand.next();
      if (next.done) {
        this.hand = this.cache.values();
        passes++;
        continue;
      }
      const row = next.value;
      if (row.used) {
        row.used = false;
        continue;
      }
      this.cache.delete(row.id);
      this.writeBack(row);
      this.counters.evictions++;
      if (row === this.row) this.row = null;
      return;
    }
  }

  private writeBack(row: CachedKey): void {
    if (row.maps !== null) for (const [name, map] of row.maps) this.writeMap(row.kid, name, map);
    if (row.dirty === null) return;
    for (const name of row.dirty) this.writeCell(row.kid, name, row.cells.get(name));
    row.dirty = null;
  }

  /** Writes a cached map's changes: a clear as one DELETE, then each dirty entry as an upsert or a delete. */
  private writeMap(kid: string, name: string, map: CachedMap): void {
    if (map.cleared) {
      this.maps.removeMap.run(kid, name);
      this.wrote();
      map.cleared = false;
    }
    const dirty = map.dirty;
    if (dirty === null) return;
    map.dirty = null;
    const swept = this.sweptTtl(name) !== null;
    for (const id of dirty) {
      const entry = map.entries.get(id);
      if (entry === undefined) {
        this.maps.remove.run(kid, name, kidOf(id));
        this.wrote();
      } else {
        this.writeEntry(kid, name, entry, swept);
      }
    }
  }

  private writeEntry(kid: string, name: string, entry: StoredEntry, swept: boolean): void {
    const text = encodeValue(entry.value);
    // Read and left as it was (the usual case for touched entries): nothing to write.
    if (text === entry.text && entry.stamp === entry.storedStamp) return;
    const sweptAt = swept ? entry.stamp : null;
    (entry.placed ? this.maps.upsertSeq : this.maps.upsertKeep).run(kid, name, kidOf(entry.id), entry.seq, text, entry.stamp, sweptAt);
    entry.text = text;
    entry.storedStamp = entry.stamp;
    this.wrote();
  }

  private wrote(): void {
    this.counters.writes++;
    this.store.wrote();
  }

  private writeCell(kid: string, name: string, cell: Cell | undefined): void {
    if (cell === undefined) {
      this.table.remove.run(kid, name);
    } else {
      const snapshot = snapshotCell(cell);
      // The sweep looks for expired rows by `oldest`: only cells of TTL states need it.
      const oldest = this.sweptTtl(name) === null ? null : oldestStamp(snapshot);
      this.table.upsert.run(kid, name, encodeCell(snapshot), oldest, cellEntries(cell));
    }
    this.wrote();
  }

  /** Writes every touched cached cell back to the file; the keys stay cached. */
  flush(): void {
    for (const row of this.cache.values()) this.writeBack(row);
  }

  cell(name: string): Cell | undefined {
    const row = this.row ?? this.current();
    const cell = row.cells.get(name);
    // Touched: the caller may change it in place (see the header).
    if (cell !== undefined) touch(row, name);
    return cell;
  }

  putCell(name: string, cell: Cell): void {
    const row = this.row ?? this.current();
    row.cells.set(name, cell);
    touch(row, name);
  }

  removeCell(name: string): void {
    const row = this.row ?? this.current();
    // A cached key holds all its cells: one it lacks is not in the file either (or is already dirty).
    if (row.cells.delete(name)) touch(row, name);
  }

  private storage<T>(io: () => T): T {
    return storage(this.store.path, io);
  }

  protected override mapEntries(descriptor: StateDescriptor): MapEntries {
    return new SqliteMapEntries(this, descriptor.name);
  }

  /** The current key's cached part of a map state (made empty and incomplete on first touch). */
  private cachedMap(name: string): { row: CachedKey; map: CachedMap } {
    const row = this.row ?? this.current();
    let map = row.maps?.get(name);
    if (map === undefined) {
      map = { entries: new Map(), complete: false, dirty: null, cleared: false, oldest: Infinity };
      (row.maps ??= new Map()).set(name, map);
    }
    return { row, map };
  }

  /** MapEntries.get: a loaded entry, else one indexed SELECT (unless the map is known not to have it). */
  mapGet(name: string, id: KeyId, key: unknown): MapEntry | undefined {
    const { row, map } = this.cachedMap(name);
    let entry = map.entries.get(id);
    if (entry === undefined) {
      if (map.complete || map.dirty?.has(id) === true) return undefined;
      const stored = this.storage(() => this.maps.get.get(row.kid, name, kidOf(id)));
      if (stored === undefined) return undefined;
      entry = { id, key, value: decodeValue(stored.value), stamp: stored.stamp, seq: stored.seq, placed: true, text: stored.value, storedStamp: stored.stamp };
      map.entries.set(id, entry);
      if (entry.stamp < map.oldest) map.oldest = entry.stamp;
    }
    // Touched: the caller may refresh its stamp or change its value in place (see the header).
    markEntry(map, id);
    return entry;
  }

  mapPut(name: string, id: KeyId, key: unknown, value: unknown, stamp: number): void {
    const { map } = this.cachedMap(name);
    const entry = map.entries.get(id);
    if (entry !== undefined) {
      entry.value = value;
      entry.stamp = stamp;
    } else {
      // Known to be new when the whole map is here or it was removed since: it goes last. Otherwise
      // the file's row, if there is one, keeps its place, as a JS Map keeps a replaced key's.
      const placed = map.complete || map.dirty?.has(id) === true;
      map.entries.set(id, { id, key, value, stamp, seq: this.nextSeq++, placed, text: null, storedStamp: stamp });
      if (stamp < map.oldest) map.oldest = stamp;
    }
    markEntry(map, id);
  }

  mapRemove(name: string, id: KeyId): void {
    const { map } = this.cachedMap(name);
    if (map.entries.delete(id) || !map.complete) markEntry(map, id);
  }

  /** Every entry of the map (loaded from the file once, in insertion order), expired ones removed. */
  mapLive(name: string, ttl: number | null, clock: number): MapEntry[] {
    const { row, map } = this.cachedMap(name);
    if (!map.complete) this.storage(() => this.loadMap(row.kid, name, map));
    const out: MapEntry[] = [];
    for (const entry of map.entries.values()) {
      if (ttl !== null && entry.stamp + ttl <= clock) map.entries.delete(entry.id);
      else out.push(entry);
      markEntry(map, entry.id);
    }
    return out;
  }

  /** Whether the map has an unexpired entry: a loaded one, else one indexed SELECT … LIMIT 1. */
  mapAny(name: string, ttl: number | null, clock: number): boolean {
    const { row, map } = this.cachedMap(name);
    for (const entry of map.entries.values()) if (ttl === null || entry.stamp + ttl > clock) return true;
    if (map.complete) return false;
    return this.storage(() => {
      // The file answers for the whole map once the cached changes are in it.
      this.writeMap(row.kid, name, map);
      return (ttl === null ? this.maps.any.get(row.kid, name) : this.maps.anyLive.get(row.kid, name, ttl, clock)) !== undefined;
    });
  }

  mapClear(name: string): void {
    const { map } = this.cachedMap(name);
    map.entries = new Map();
    map.complete = true;
    map.cleared = true;
    map.dirty = null;
    map.oldest = Infinity;
  }

  /** Writes the map's changes, then reads all its rows in insertion order; loaded entries keep their objects. */
  private loadMap(kid: string, name: string, map: CachedMap): void {
    this.writeMap(kid, name, map);
    const entries = new Map<KeyId, StoredEntry>();
    let oldest = Infinity;
    for (const r of this.maps.all.iterate(kid, name)) {
      const id = keyIdOfKid(r.ekid);
      let entry = map.entries.get(id);
      if (entry !== undefined) {
        entry.seq = r.seq;
        entry.placed = true;
      } else {
        entry = { id, key: keyOfKid(r.ekid), value: decodeValue(r.value), stamp: r.stamp, seq: r.seq, placed: true, text: r.value, storedStamp: r.stamp };
      }
      entries.set(id, entry);
      if (entry.stamp < oldest) oldest = entry.stamp;
    }
    map.entries = entries;
    map.oldest = oldest;
    map.complete = true;
  }

  /** The cache sweep's visit: expired cells, and expired loaded map entries (the file's are swept by query). */
  private purgeRow(row: CachedKey): void {
    this.purgeCells(row.cells, (name) => touch(row, name));
    if (row.maps === null) return;
    for (const [name, map] of row.maps) {
      const ttl = this.ttlOf(name);
      if (ttl === null || map.oldest + ttl > this.clock) continue;
      let oldest = Infinity;
      for (const entry of map.entries.values()) {
        if (entry.stamp + ttl <= this.clock) {
          map.entries.delete(entry.id);
          markEntry(map, entry.id);
        } else if (entry.stamp < oldest) oldest = entry.stamp;
      }
      map.oldest = oldest;
    }
  }

  cleanupIncrementally(keys: number): void {
    if (!this.anyTtl) return;
    if (this.cache.size > 0) this.sweep.sweep(keys);
    this.sweepBudget += keys;
    if (this.sweepBudget >= this.sweepBatch) {
      const budget = this.sweepBudget;
      this.sweepBudget = 0;
      this.storage(() => this.sweepStored(budget));
    }
  }

  /** The TTL a state's rows are swept by: the registered state's, else the restored snapshot's. */
  private sweptTtl(name: string): number | null {
    return this.ttlOf(name) ?? this.restoredTtl.get(name) ?? null;
  }

  /** Stored rows whose earliest stamp has expired, up to `limit` per TTL state: purged in place or deleted. */
  private sweepStored(limit: number): void {
    const clock = this.clock;
    for (const descriptor of this.descriptors.all()) {
      const ttl = this.ttlOf(descriptor.name);
      if (ttl === null) continue;
      const name = descriptor.name;
      if (descriptor.kind === 'map') {
        this.sweepEntries(name, ttl, limit);
        continue;
      }
      for (const r of this.table.expired.all(name, clock - ttl, ttl, clock, limit)) {
        const cached = this.cache.get(keyIdOfKid(r.kid));
        if (cached !== undefined) {
          // The cache holds the truth for this key: expire its cell and write that now.
          const cell = cached.cells.get(name);
          if (cell !== undefined && purgeCell(cell, ttl, clock)) cached.cells.delete(name);
          this.writeCell(cached.kid, name, cached.cells.get(name));
          cached.dirty?.delete(name);
          continue;
        }
        const cell = decodeCell(name, r.cell);
        this.writeCell(r.kid, name, purgeCell(cell, ttl, clock) ? undefined : cell);
      }
    }
  }

  /** Expired map entries in the file, up to `limit`: deleted, unless the cache holds a newer stamp (written now instead). */
  private sweepEntries(name: string, ttl: number, limit: number): void {
    const clock = this.clock;
    for (const r of this.maps.expired.all(name, clock - ttl, ttl, clock, limit)) {
      const map = this.cache.get(keyIdOfKid(r.kid))?.maps?.get(name);
      const id = keyIdOfKid(r.ekid);
      const entry = map?.entries.get(id);
      if (map !== undefined && entry !== undefined) {
        map.dirty?.delete(id);
        if (entry.stamp + ttl > clock) {
          this.writeEntry(r.kid, name, entry, true);
          continue;
        }
        map.entries.delete(id);
      }
      this.maps.remove.run(r.kid, name, r.ekid);
      this.wrote();
    }
  }

  snapshot(): KeyedStateSnapshot {
    return this.storage(() => this.snapshotStored());
  }

  /** Both tables in key order (as the text sorts), a key's states by name, a map's entries in insertion order. */
  private snapshotStored(): KeyedStateSnapshot {
    this.flush();
    const byKid = new Map<string, Map<string, CellSnapshot>>();
    const statesOf = (kid: string) => {
      let states = byKid.get(kid);
      if (states === undefined) byKid.set(kid, (states = new Map()));
      return states;
    };
    for (const r of this.table.all.iterate()) statesOf(r.kid).set(r.name, decodeSnapshotCell(r.cell));
    let entries: [unknown, unknown, number][] = [];
    let at = '';
    for (const r of this.maps.rows.iterate()) {
      const here = `${r.kid}\u0000${r.name}`;
      if (here !== at) {
        at = here;
        entries = [];
        statesOf(r.kid).set(r.name, { kind: 'map', entries });
      }
      entries.push([keyOfKid(r.ekid), decodeValue(r.value), r.stamp]);
    }
    const keys: KeyStateSnapshot[] = [];
    for (const kid of [...byKid.keys()].sort()) {
      const states: Record<string, CellSnapshot> = {};
      const cells = byKid.get(kid)!;
      for (const name of [...cells.keys()].sort()) states[name] = cells.get(name)!;
      keys.push({ key: keyOfKid(kid), states });
    }
    return this.snapshotOf(keys);
  }

  restore(snapshot: KeyedStateSnapshot): void {
    this.storage(() => this.restoreStored(snapshot));
  }

  private restoreStored(snapshot: KeyedStateSnapshot): void {
    this.beginRestore(snapshot);
    this.restoredTtl = new Map(snapshot.states.map((state) => [state.name, state.ttl?.ttl ?? null]));
    this.cache.clear();
    this.hand = this.cache.values();
    this.row = null;
    this.sweep.reset();
    this.sweepBudget = 0;
    this.table.clear.run();
    this.maps.clear.run();
    for (const k of snapshot.keys) {
      const kid = kidOf(keyIdOf(k.key));
      for (const [name, snapshotCell] of Object.entries(k.states)) {
        // restoreCell checks the cell as the heap backend does; the rows store its normal form.
        const cell = restoreCell(name, snapshotCell);
        if (cell.kind !== 'map') {
          this.writeCell(kid, name, cell);
          continue;
        }
        const swept = this.sweptTtl(name) !== null;
        for (const entry of cell.entries.values()) {
          this.writeEntry(kid, name, { ...entry, seq: this.nextSeq++, placed: true, text: null, storedStamp: entry.stamp }, swept);
        }
      }
    }
    this.store.commit();
  }

  stats(): StateStats {
    return this.storage(() => {
      this.flush();
      const { keys, entries } = this.table.counts.get()!;
      return { keys, entries };
    });
  }
}

function touch(row: CachedKey, name: string): void {
  (row.dirty ??= new Set()).add(name);
}

function markEntry(map: CachedMap, id: KeyId): void {
  (map.dirty ??= new Set()).add(id);
}

/** MapEntries over the SQLite backend's map rows (the backend does the work; this binds the state name). */
class SqliteMapEntries implements MapEntries {
  constructor(
    private readonly backend: SqliteStateBackend,
    private readonly name: string,
  ) {}

  get(id: KeyId, key: unknown): MapEntry | undefined {
    return this.backend.mapGet(this.name, id, key);
  }

  put(id: KeyId, key: unknown, value: unknown, stamp: number): void {
    this.backend.mapPut(this.name, id, key, value, stamp);
  }

  remove(id: KeyId): void {
    this.backend.mapRemove(this.name, id);
  }

  live(ttl: number | null, clock: number): MapEntry[] {
    return this.backend.mapLive(this.name, ttl, clock);
  }

  any(ttl: number | null, clock: number): boolean {
    return this.backend.mapAny(this.name, ttl, clock);
  }

  clear(): void {
    this.backend.mapClear(this.name);
  }
}

/** A map entry's value as table text (plain JSON unless it needs the codec's tags, as encodeCell). */
function encodeValue(value: unknown): string {
  return needsTags(value) ? toSnapshotJson(value) : JSON.stringify(value);
}

function decodeValue(text: string): unknown {
  return text.includes('"$') ? fromSnapshotJson(text) : JSON.parse(text);
}

/**
 * A cell as table text: plain JSON.stringify when nothing in it needs the snapshot codec's tags
 * (NaN, ±Infinity, bigints, sets), which is nearly always; the codec's replacer and reviver call
 * back into JS for every value and made up half the cost of a cache miss (0.7 + 1.1 s of 2.7 s
 * on the 1K-key-cache counter bench). Both forms decode alike (tags only appear as `"$`).
 */
function encodeCell(cell: CellSnapshot): string {
  return needsTags(cell) ? toSnapshotJson(cell) : JSON.stringify(cell);
}

function decodeCell(name: string, text: string): Cell {
  return restoreCell(name, decodeSnapshotCell(text));
}

function decodeSnapshotCell(text: string): CellSnapshot {
  return (text.includes('"$') ? fromSnapshotJson(text) : JSON.parse(text)) as CellSnapshot;
}

function needsTags(value: unknown): boolean {
  switch (typeof value) {
    case 'number':
      return !Number.isFinite(value);
    case 'bigint':
      return true;
    case 'object': {
      if (value === null) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (needsTags(value[i])) return true;
        return false;
      }
      if (value instanceof Set) return true;
      const record = value as Record<string, unknown>;
      for (const key in record) if (needsTags(record[key])) return true;
      return false;
    }
    default:
      return false;
  }
}

function quoted(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/**
 * A key id as table text, one tag letter per type so `"1"` and `1` stay two keys: s<string>
 * (array and object keys are strings already: NUL + JSON, see state-key.ts), n<number>, t, f,
 * z (null), u (undefined), i<bigint>. keyIdOfKid inverts it exactly.
 */
export function kidOf(id: KeyId): string {
  switch (typeof id) {
    case 'string':
      return 's' + id;
    case 'number':
      return 'n' + String(id);
    case 'boolean':
      return id ? 't' : 'f';
    case 'bigint':
      return 'i' + id.toString();
    default:
      return id === null ? 'z' : 'u';
  }
}

export function keyIdOfKid(kid: string): KeyId {
  switch (kid.charCodeAt(0)) {
    case 115: // s
      return kid.slice(1);
    case 110: // n
      return Number(kid.slice(1));
    case 116: // t
      return true;
    case 102: // f
      return false;
    case 105: // i
      return BigInt(kid.slice(1));
    case 122: // z
      return null;
    default:
      return undefined;
  }
}

/** The key value itself (keyOfId inverts keyIdOf). */
function keyOfKid(kid: string): unknown {
  return keyOfId(keyIdOfKid(kid));
}
