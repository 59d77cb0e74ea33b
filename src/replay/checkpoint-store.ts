/**
 * The checkpoint store: a SQLite file (default `<out>.checkpoints.db`) holding the last few
 * checkpoints of a replay. Each checkpoint is one row written in one transaction, with a SHA-256
 * of its body: a row whose body does not match its checksum (a torn write, flipped bytes) is
 * skipped and the one before it used. Old rows are pruned in the same transaction, keeping
 * KEEP_CHECKPOINTS so that one bad row never leaves nothing to resume from.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { lazyModule } from '../lazy-module.js';
import { InputError } from '../errors.js';
import type { PipelineSnapshot } from '../engine/pipeline.js';
import { fromSnapshotJson, toSnapshotJson } from '../engine/snapshot/snapshot-json.js';
import type { StepShape } from '../engine/snapshot/step-shape.js';

/** better-sqlite3 is loaded when a run opens a database, not by every command that imports this file. */
const sqlite = lazyModule<typeof Database>('better-sqlite3', import.meta.url);

const KEEP_CHECKPOINTS = 3;
export const CHECKPOINT_FORMAT = 'sw-checkpoint';

/** Where the replay stood: enough to continue with nothing lost or repeated. */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: 1;
  /** The recording and a hash of the pipeline spec: a resume refuses other inputs. */
  readonly recording: string;
  readonly pipelineHash: string;
  /** The next record to read: byte offset (decompressed for .gz) and line; for SQLite, rows with seq > lastSeq. */
  readonly source: { readonly byteOffset: number; readonly nextLine: number; readonly lastSeq: number | null };
  readonly engine: PipelineSnapshot;
  /** The replay's own counters, so the final summary matches an uninterrupted run's. */
  readonly replay: { readonly skipped: number; readonly outputs: number; readonly minTime: number };
  /** Output file length and line count when the checkpoint was taken. */
  readonly output: { readonly bytes: number; readonly records: number };
  readonly deadLetters: { readonly bytes: number; readonly count: number };
  /** Absolute paths of the recording, pipeline and output, and the steps' state shapes: what `sw savepoint create` needs. */
  readonly origin?: { readonly recording: string; readonly pipeline: string; readonly output?: string; readonly steps: readonly StepShape[] };
}

export interface StoredCheckpoint {
  readonly id: number;
  readonly createdAt: string;
  readonly checkpoint: Checkpoint;
}

export interface LatestCheckpoint {
  readonly latest: StoredCheckpoint | null;
  /** Rows skipped because their checksum or body was bad, newest first. */
  readonly rejected: readonly { readonly id: number; readonly reason: string }[];
}

export function checksumOf(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

export class CheckpointStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly prune: Database.Statement;
  private readonly commit: (body: string, records: number) => number;

  private constructor(readonly path: string, db: Database.Database) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      created_at TEXT NOT NULL,
      records INTEGER NOT NULL,
      body TEXT NOT NULL,
      checksum TEXT NOT NULL
    )`);
    this.insert = db.prepare('INSERT INTO checkpoints (created_at, records, body, checksum) VALUES (?, ?, ?, ?)');
    this.prune = db.prepare('DELETE FROM checkpoints WHERE id <= ?');
    this.commit = db.transaction((body: string, records: number) => {
      const id = Number(this.insert.run(new Date().toISOString(), records, body, checksumOf(body)).lastInsertRowid);
      this.prune.run(id - KEEP_CHECKPOINTS);
      return id;
    });
  }

  static open(path: string): CheckpointStore {
    try {
      const db = new (sqlite())(path);
      // WAL + synchronous NORMAL: a commit survives a killed process (kill -9), which is what a
      // replay checkpoint must survive; a power cut may lose the last one, and the one before is used.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      return new CheckpointStore(path, db);
    } catch (error) {
      throw new InputError(`${path}: cannot open the checkpoint store (${(error as Error).message}); delete it or pass another --checkpoint-db`);
    }
  }

  /** Writes one checkpoint atomically; returns its id. */
  write(checkpoint: Checkpoint): number {
    return this.commit(toSnapshotJson(checkpoint), checkpoint.engine.records);
  }

  /** The newest checkpoint whose checksum and body are good, and the bad rows passed over. */
  latestValid(): LatestCheckpoint {
    const rejected: { id: number; reason: string }[] = [];
    const rows = this.db.prepare('SELECT id, created_at, body, checksum FROM checkpoints ORDER BY id DESC').iterate() as Iterable<{
      id: number;
      created_at: string;
      body: string;
      checksum: string;
    }>;
    for (const row of rows) {
      const problem = bodyProblem(row.body, row.checksum);
      if (problem !== null) {
        rejected.push({ id: row.id, reason: problem });
        continue;
      }
      return { latest: { id: row.id, createdAt: row.created_at, checkpoint: fromSnapshotJson<Checkpoint>(row.body) }, rejected };
    }
    return { latest: null, rejected };
  }

  /** Every stored checkpoint, newest first, with whether it is intact (for `--json` listings and tests). */
  list(): { id: number; createdAt: string; records: number; valid: boolean }[] {
    const rows = this.db.prepare('SELECT id, created_at, records, body, checksum FROM checkpoints ORDER BY id DESC').all() as {
      id: number;
      created_at: string;
      records: number;
      body: string;
      checksum: string;
    }[];
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, records: r.records, valid: bodyProblem(r.body, r.checksum) === null }));
  }

  /** Drops every checkpoint (a fresh, non-resumed run starts a new history). */
  clear(): void {
    this.db.exec('DELETE FROM checkpoints');
  }

  close(): void {
    this.db.close();
  }
}

function bodyProblem(body: unknown, checksum: unknown): string | null {
  if (typeof body !== 'string') return 'body is not text';
  if (checksumOf(body) !== checksum) return 'checksum mismatch (corrupted or partly written)';
  try {
    const parsed = fromSnapshotJson<Partial<Checkpoint>>(body);
    if (parsed.format !== CHECKPOINT_FORMAT) return `not a checkpoint (format ${JSON.stringify(parsed.format)})`;
  } catch (error) {
    return `body is not JSON (${(error as Error).message})`;
  }
  return null;
}
