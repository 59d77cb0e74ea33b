/**
 * `sw replay --out results.db`: output records into a SQLite table instead of JSON Lines, for
 * querying results with SQL. Schema:
 *   meta(key TEXT PRIMARY KEY, value TEXT)     format = "sw-results", version = "1", recording, pipeline
 *   outputs(seq INTEGER PRIMARY KEY, step TEXT, kind TEXT, key TEXT, start INTEGER, end INTEGER,
 *           time INTEGER, record TEXT)
 * `key` is the key's JSON text, `start`/`end` the window or match bounds, `time` a process
 * result's time, and `record` the whole output record exactly as the JSONL sink writes it.
 */
import type Database from 'better-sqlite3';
import { lazyModule } from '../lazy-module.js';
import { existsSync, rmSync } from 'node:fs';
import type { OutputRecord } from '../engine/operator.js';
import { InputError } from '../errors.js';

/** better-sqlite3 is loaded when a run opens a database, not by every command that imports this file. */
const sqlite = lazyModule<typeof import('../sqlite-database.js')>('../sqlite-database.js', import.meta.url);

/** As for recordings: 10,000 rows per transaction, one fsync per batch. */
const BATCH = 10_000;

export class SqliteOutputWriter {
  private readonly db: Database.Database;
  private readonly insertBatch: (rows: OutputRecord[]) => void;
  private batch: OutputRecord[] = [];
  private written = 0;

  constructor(
    readonly path: string,
    meta: Record<string, string>,
  ) {
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix);
    try {
      this.db = sqlite().openDatabase(path);
    } catch (error) {
      throw new InputError(`${path}: cannot create the results database (${(error as Error).message}); check the folder exists and is writable`);
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE outputs(seq INTEGER PRIMARY KEY, step TEXT NOT NULL, kind TEXT NOT NULL, key TEXT, start INTEGER, "end" INTEGER, time INTEGER, record TEXT NOT NULL);`);
    const setMeta = this.db.prepare('INSERT INTO meta(key, value) VALUES (?, ?)');
    for (const [key, value] of Object.entries({ format: 'sw-results', version: '1', ...meta })) setMeta.run(key, value);
    const insert = this.db.prepare('INSERT INTO outputs(step, kind, key, start, "end", time, record) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.insertBatch = this.db.transaction((rows: OutputRecord[]) => {
      for (const r of rows) {
        const bounds = 'start' in r ? r : null;
        insert.run(r.step, r.kind, r.key === undefined ? null : JSON.stringify(r.key), bounds?.start ?? null, bounds?.end ?? null, 'time' in r ? r.time : null, JSON.stringify(r));
      }
    });
  }

  get count(): number {
    return this.written + this.batch.length;
  }

  readonly write = (record: OutputRecord): void => {
    this.batch.push(record);
    if (this.batch.length >= BATCH) this.commit();
  };

  commit(): void {
    if (this.batch.length === 0) return;
    this.insertBatch(this.batch);
    this.written += this.batch.length;
    this.batch = [];
  }

  close(): void {
    this.commit();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
