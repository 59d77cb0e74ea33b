/**
 * The checkpoint store: a SQLite file (default `<out>.checkpoints.db`) holding the last few
 * checkpoints of a replay, in checkpoint form 5 (pattern state as its copy, sw-pattern-copy/1;
 * form 3 held window state as JSON):
 *
 * - `checkpoints`: one row per checkpoint: `body`, the checkpoint as JSON except the operators'
 *   binary state (EncodedState, snapshot/binary.ts), which goes to `state` in place of a
 *   `{"$bin": i}` placeholder; `segments`, the record segments it refers to; a CRC-32 over all three.
 * - The records binary state holds are referred to, not written: a record read from the recording
 *   by a checkpointed replay carries its line's position there (SOURCE_POSITION: byte offset in a
 *   JSONL file, seq in a SQLite recording), and reading the checkpoint reads that line again
 *   (`recordsAt`). The recording must not change under its checkpoints, as a resume at a byte
 *   offset already assumes; a position that no longer holds a record makes the checkpoint unusable.
 * - `segments`: the text of the other records (from a .gz recording, restored from a savepoint),
 *   each written once, in the checkpoint that first held it (a JSON array per checkpoint), with its
 *   own CRC-32. A record still held at the next checkpoint is referred to as (segment, index), not
 *   written again: buffered events are immutable and live for many checkpoints. A segment is
 *   deleted with the last kept checkpoint that refers to it.
 *
 * Each checkpoint (its row, its new segment, the pruning) is one transaction. A row whose checksum
 * does not match (a torn write, flipped bytes), or that refers to a missing or damaged segment, is
 * skipped and the one before it used. Old rows are pruned in the same transaction, keeping
 * KEEP_CHECKPOINTS so that one bad row never leaves nothing to resume from.
 */
import { closeSync, fsync, fsyncSync, openSync, readSync } from 'node:fs';
import type { MessagePort, Worker } from 'node:worker_threads';
import { threadCpuMs } from './cpu-time.js';
import { crc32 } from 'node:zlib';
import type Database from 'better-sqlite3';
import { lazyModule } from '../lazy-module.js';
import { InputError, UsageError } from '../errors.js';
import type { PipelineSnapshot } from '../engine/pipeline.js';
import { DeferredState, EncodedState, layoutCodec, SnapshotReader, SnapshotWriter, SOURCE_POSITION, sourcePositionOf, type LayoutCodec } from '../engine/snapshot/binary.js';
import { fromSnapshotJson, toSnapshotJson } from '../engine/snapshot/snapshot-json.js';
import type { StepShape } from '../engine/snapshot/step-shape.js';
// Registers the window layouts (registerLayout) when it loads.
import '../engine/window/window-snapshot-binary.js';
import { isSqlitePath, readRecording, rowLine } from './sqlite-recording.js';

/** better-sqlite3 is loaded when a run opens a database, not by every command that imports this file. */
const sqlite = lazyModule<typeof import('../sqlite-database.js')>('../sqlite-database.js', import.meta.url);

const KEEP_CHECKPOINTS = 3;
/**
 * Rows this large (body, state and new segment) go to the writer thread (writeDurable): a pattern
 * step's state is megabytes (binge: ~4 MB), a window step's hundreds of kilobytes.
 */
const BACKGROUND_BYTES = 1 << 20;
export const CHECKPOINT_FORMAT = 'sw-checkpoint';
/** The checkpoint form this sw writes and reads (SQLite `user_version` of the store). */
export const CHECKPOINT_VERSION = 5;

/**
 * The CEP module that copies pattern state and registers the pattern layouts (registerLayout): loaded
 * when a layout is not known yet (a checkpoint holding pattern state read, the writer thread's
 * first pattern part), not by every replay.
 */
const patternCopy = lazyModule<typeof import('../engine/cep/pattern-snapshot-copy.js')>('../engine/cep/pattern-snapshot-copy.js', import.meta.url);

/** The same for a linear pattern step's copy (linear-snapshot-copy.ts, layout sw-pattern-linear/1). */
const linearCopy = lazyModule<typeof import('../engine/cep/linear-snapshot-copy.js')>('../engine/cep/linear-snapshot-copy.js', import.meta.url);

/** The codec of a binary state layout, from the one table of layouts; undefined for one this sw does not know. */
function codecOf(layout: string): LayoutCodec | undefined {
  let codec = layoutCodec(layout);
  if (codec === undefined) {
    patternCopy();
    codec = layoutCodec(layout);
  }
  if (codec === undefined) {
    linearCopy();
    codec = layoutCodec(layout);
  }
  return codec;
}
const BINARY_TAG = '$bin';
/** Records per segment are addressed as segment * SEGMENT_SPAN + index. */
const SEGMENT_SPAN = 2 ** 26;
/**
 * A held record's reference in the state blob: a record read from the recording (it carries its
 * SOURCE_POSITION) as position * 2 + 1, any other as its segment address * 2.
 */
const IN_SOURCE = 1;

/** Where the replay stood: enough to continue with nothing lost or repeated. */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
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
  /** Rows skipped because their checksum, body or segments were bad, newest first. */
  readonly rejected: readonly { readonly id: number; readonly reason: string }[];
}

const NO_BYTES = new Uint8Array(0);

/** The CRC-32 (hex) of a checkpoint row: its body, its binary state and its segment list. */
export function checksumOf(body: string | Uint8Array, state: Uint8Array = NO_BYTES, segments = '[]'): string {
  return crcOf(segments, crcOf(state, crcOf(body, 0))).toString(16).padStart(8, '0');
}

/**
 * zlib.crc32 continued from `crc`. Text goes through a Buffer (zlib.crc32 of a 3 MB string took
 * 11 ms, Buffer.from and the CRC 1.5 ms); empty data is skipped: zlib takes a null pointer (which
 * an empty buffer may have) as "start over" and returns 0.
 */
function crcOf(data: string | Uint8Array, crc: number): number {
  if (data.length === 0) return crc;
  return crc32(typeof data === 'string' ? Buffer.from(data) : data, crc);
}

interface Row {
  readonly id: number;
  readonly created_at: string;
  readonly records: number;
  readonly body: unknown;
  readonly state: unknown;
  readonly segments: unknown;
  readonly checksum: unknown;
}

export interface CommitResult {
  readonly id: number;
  /** The segments the kept checkpoints refer to, after the commit. */
  readonly live: readonly number[];
}

/**
 * An operator's binary state in a row: its bytes and a reference per record they hold, in order;
 * or a copy still to encode (DeferredState: its data and a reference per held record), encoded
 * by whoever commits the row (the writer thread, or this thread for a synchronous write).
 */
export type RowPart =
  | { readonly layout: string; readonly bytes: Uint8Array; readonly refs: readonly number[] }
  | { readonly layout: string; readonly data: unknown; readonly held: Float64Array; readonly size: number };

export interface NewRow {
  readonly body: string;
  /** The binary state's parts; the blob (`state` column) is made of them at the commit. */
  readonly parts: readonly RowPart[];
  readonly segments: string;
  readonly records: number;
  /** The records first held by this checkpoint, as a JSON array (UTF-8); null when there are none. */
  readonly segment: { readonly id: number; readonly text: Buffer } | null;
}

/** A decoded row, and the records it refers to by address (a resumed run refers to them again). */
interface Decoded {
  readonly checkpoint: Checkpoint;
  readonly records: readonly { readonly value: unknown; readonly address: number }[];
}

export class CheckpointStore {
  private readonly db: Database.Database;
  private commit!: (row: NewRow, state: Uint8Array) => number;
  /** The form of a store written by another sw version (refused for resuming); null for this one's. */
  private otherForm: number | null;
  /** Records already in a segment, by object: their address (segment * SEGMENT_SPAN + index). */
  private written = new WeakMap<object, number>();
  private liveSegments = new Set<number>();
  private segmentIds: Database.Statement | null = null;
  private nextSegment = 1;
  /** Megabytes each, reused from checkpoint to checkpoint: fresh ones cost a page fault per 4 KB. */
  private readonly blob = new SnapshotWriter({ sizeHint: 1 << 16 });
  private readonly partBytes = new SnapshotWriter({ sizeHint: 1 << 16 });
  /** The references of copied parts' held records (shared with the writer thread). */
  private heldRefs = new Float64Array(new SharedArrayBuffer(8 * 1024));
  /** The copies the writer thread may be reading (their buffers are not reused until it answers). */
  private lent: DeferredState[] = [];
  /** The writer thread of writeInBackground, started by the first one (or by writeDurable's first large row). */
  private background: BackgroundCommitter | null = null;
  /** The files writeDurable syncs for the rows it commits on this thread. */
  private readonly synced = new DurableFiles();
  /** writeDurable's small row waiting for its files' sync before it commits on this thread; null when none is. */
  private local: LocalCommit | null = null;
  private readonly segmentText = new ReusedBuffer();
  /** CPU ms this thread spent committing writeDurable's small rows after their sync (outside the checkpoint that made them). */
  replayThreadMs = 0;
  /** The writer threads' own CPU ms (their loading included), as of their last replies: threads replaced before the current one. */
  private earlierWritersMs = 0;
  /** The current writer thread's, as of its last reply (0 while none has run). */
  private writerMs = 0;

  /** The writer threads' CPU ms, loading included, as of their last replies (0 while none has run). */
  get writerThreadMs(): number {
    return this.earlierWritersMs + this.writerMs;
  }

  /** The current writer thread is given up on: the next checkpoint starts another, whose CPU adds to it. */
  private replaceWriter(): void {
    this.background = null;
    this.earlierWritersMs += this.writerMs;
    this.writerMs = 0;
  }

  private constructor(
    readonly path: string,
    db: Database.Database,
    private readonly backgroundBytes: number,
    private readonly writerTimeouts: WriterTimeouts,
  ) {
    this.db = db;
    const version = db.pragma('user_version', { simple: true }) as number;
    const used = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'").get() !== undefined;
    this.otherForm = used && version !== CHECKPOINT_VERSION ? Math.max(version, 1) : null;
    if (this.otherForm === null) this.prepare();
  }

  /**
   * `backgroundBytes`: the row size from which writeDurable moves commits to the writer thread;
   * `writerTimeouts`: how long the replay waits for the writer thread to load and to answer.
   */
  static open(path: string, { backgroundBytes = BACKGROUND_BYTES, writerTimeouts = WRITER_TIMEOUTS }: { backgroundBytes?: number; writerTimeouts?: WriterTimeouts } = {}): CheckpointStore {
    try {
      const db = sqlite().openDatabase(path);
      // Large pages: a checkpoint's state and segment are megabytes each, written and later freed
      // as chains of overflow pages (effective for a new store only).
      db.pragma('page_size = 65536');
      // WAL + synchronous NORMAL: a commit survives a killed process (kill -9), which is what a
      // replay checkpoint must survive; a power cut may lose the last one, and the one before is used.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      return new CheckpointStore(path, db, backgroundBytes, writerTimeouts);
    } catch (error) {
      throw new InputError(`${path}: cannot open the checkpoint store (${(error as Error).message}); delete it or pass another --checkpoint-db`);
    }
  }

  private prepare(): void {
    const db = this.db;
    db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      created_at TEXT NOT NULL,
      records INTEGER NOT NULL,
      body TEXT NOT NULL,
      state BLOB NOT NULL,
      segments TEXT NOT NULL,
      checksum TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS segments (
      id INTEGER PRIMARY KEY,
      body BLOB NOT NULL,
      checksum TEXT NOT NULL
    );
    PRAGMA user_version = ${CHECKPOINT_VERSION};`);
    const insert = db.prepare('INSERT INTO checkpoints (created_at, records, body, state, segments, checksum) VALUES (?, ?, ?, ?, ?, ?)');
    const insertSegment = db.prepare('INSERT INTO segments (id, body, checksum) VALUES (?, ?, ?)');
    const prune = db.prepare('DELETE FROM checkpoints WHERE id <= ?');
    const pruneSegments = db.prepare('DELETE FROM segments WHERE id NOT IN (SELECT s.value FROM checkpoints c, json_each(c.segments) s)');
    this.commit = db.transaction((row: NewRow, state: Uint8Array) => {
      if (row.segment !== null) insertSegment.run(row.segment.id, row.segment.text, checksumOf(row.segment.text));
      const id = Number(insert.run(new Date().toISOString(), row.records, row.body, state, row.segments, checksumOf(row.body, state, row.segments)).lastInsertRowid);
      prune.run(id - KEEP_CHECKPOINTS);
      pruneSegments.run();
      return id;
    });
    const last = db.prepare('SELECT max(id) AS id FROM segments').get() as { id: number | null };
    this.nextSegment = Math.max(this.nextSegment, (last.id ?? 0) + 1);
    this.refreshSegments();
  }

  private refreshSegments(): void {
    this.liveSegments = new Set(this.liveSegmentIds());
  }

  /** The segments the kept checkpoints refer to. */
  private liveSegmentIds(): number[] {
    this.segmentIds ??= this.db.prepare('SELECT id FROM segments').pluck();
    return this.segmentIds.all() as number[];
  }

  /** Refuses a store of another checkpoint form, naming the way out. */
  private assertReadable(): void {
    if (this.otherForm !== null) {
      throw new UsageError(`${this.path}: holds checkpoints of form ${this.otherForm}, written by another sw version (this one reads form ${CHECKPOINT_VERSION}); start the replay over without --resume`);
    }
  }

  /** Writes one checkpoint atomically; returns its id. */
  write(checkpoint: Checkpoint): number {
    this.settle();
    this.assertReadable();
    return this.writing(() => this.committed(this.commitRow(this.rowOf(checkpoint))));
  }

  /**
   * Runs a step of writing a checkpoint (its row, its commit, the writer thread's reply). A
   * failure forgets the record addresses handed out (they point into a segment that may not have
   * been written) and is reported as one line: a disk or SQLite failure (an error with a `code`)
   * with the disk as the fix, any other failure (a checkpoint too large, a writer thread that did
   * not start) with running without checkpoints. A programming error keeps its type and stack.
   */
  private writing<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      this.written = new WeakMap();
      if (error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError) throw error;
      const fix = typeof (error as { code?: unknown }).code === 'string' ? 'check the disk, or run without --checkpoint-every' : 'run without --checkpoint-every';
      throw new InputError(`${this.path}: cannot write a checkpoint (${(error as Error).message}); ${fix}`);
    }
  }

  /**
   * Writes one checkpoint of a running replay: the `durable` files (the output and dead-letter
   * files, flushed up to the checkpoint's positions) are synced, then the row commits; the replay
   * goes on meanwhile, and the next call (or `settle`, `close`) reports a failure. A small row
   * commits on this thread once libuv's thread pool has synced the files (their fsync was the
   * replay's only wait): the writer thread, a second isolate loading SQLite and this module, costs
   * more CPU to start (~0.25 s) than the 20 commits of a 2M-record tumbling replay (~60 KB rows,
   * ~0.5 ms each). From the first row of BACKGROUND_BYTES or more on (a pattern step's state, megabytes)
   * rows go to the writer thread (writeInBackground), which starts with that row: its commit waits
   * there for the thread to load, not here.
   */
  writeDurable(durable: readonly string[], checkpoint: Checkpoint): void {
    this.settle();
    if (this.background !== null) {
      this.writeInBackground(durable, checkpoint);
      return;
    }
    this.assertReadable();
    this.writing(() => {
      const row = this.rowOf(checkpoint);
      if (rowBytes(row) >= this.backgroundBytes) {
        this.background = new BackgroundCommitter(this.path, this.writerTimeouts);
        this.lend(durable, row, checkpoint);
        return;
      }
      // Encoded now: the copies' buffers and the operators' bytes are theirs again at once.
      const local = new LocalCommit(row, this.stateOf(row.parts), durable);
      this.synced.syncLater(durable, (error) => {
        if (error !== null) {
          local.fail(error);
          return;
        }
        const started = threadCpuMs();
        local.commit(this);
        this.replayThreadMs += threadCpuMs() - started;
      });
      // Pending only once its sync has started: a sync that could not start (the output file
      // gone) fails here, once, and is not repeated by the next settle.
      this.local = local;
    });
  }

  /** Whether writeDurable has moved commits to the writer thread (it starts once a row reaches BACKGROUND_BYTES). */
  get writerThread(): boolean {
    return this.background !== null;
  }

  /**
   * Writes one checkpoint atomically on the store's writer thread (Flink's asynchronous part of a
   * checkpoint): the state is encoded here, then the thread syncs the `durable` files (the output
   * and dead-letter files, flushed up to the checkpoint's positions) and commits the row, while
   * the replay goes on. One checkpoint is in flight at a time: the next write, `settle` or `close`
   * waits for it, and throws if it failed. A process killed before the commit keeps the previous
   * checkpoint, as when killed during a synchronous write.
   */
  writeInBackground(durable: readonly string[], checkpoint: Checkpoint): void {
    this.settle();
    this.assertReadable();
    this.background ??= new BackgroundCommitter(this.path, this.writerTimeouts);
    this.writing(() => this.lend(durable, this.rowOf(checkpoint), checkpoint));
  }

  /** Hands a row to the writer thread (its encoded parts copied to shared memory); until it answers, the checkpoint's copies are its to read. */
  private lend(durable: readonly string[], row: NewRow, checkpoint: Checkpoint): void {
    this.background!.start(durable, shared(row));
    for (const op of checkpoint.engine.operators) {
      for (const value of Object.values(op.state ?? {})) {
        if (value instanceof DeferredState) {
          value.busy = true;
          this.lent.push(value);
        }
      }
    }
  }

  /** Waits for the checkpoint in flight (writeDurable, writeInBackground); throws if it failed. */
  settle(): void {
    const local = this.local;
    if (local !== null) {
      this.local = null;
      // Its files' sync may still be running: synced again here (what is on disk already costs nothing).
      if (!local.done) {
        try {
          this.synced.sync(local.durable);
          local.commit(this);
        } catch (error) {
          local.fail(error as Error);
        }
      }
      this.writing(() => this.committed(local.result()));
    }
    const background = this.background;
    const result = background?.finish();
    if (result === undefined || result === null) return;
    if (background!.ended) {
      // No answer: the thread (ended by finish, which takes effect later) may still read the shared
      // buffers. The copies stay busy for good, so that their copiers take new buffers; the
      // references get a new buffer, the next checkpoint a new thread.
      this.heldRefs = new Float64Array(new SharedArrayBuffer(8 * 1024));
      this.replaceWriter();
    } else {
      for (const copy of this.lent) copy.busy = false;
    }
    this.lent = [];
    if (result.cpuMs !== undefined) this.writerMs = result.cpuMs;
    this.writing(() => {
      if ('error' in result) throw Object.assign(new Error(result.error), { code: result.code });
      this.committed(result);
    });
  }

  /**
   * Commits a prepared row, encoding its copied parts first; returns its id and the segments still
   * referred to. (The writer thread calls it: there, the encoding is the checkpoint's asynchronous part.)
   */
  commitRow(row: NewRow): CommitResult {
    return this.commitState(row, this.stateOf(row.parts));
  }

  /** Commits a row whose state blob is made. */
  commitState(row: NewRow, state: Uint8Array): CommitResult {
    this.assertReadable();
    const id = this.commit(row, state);
    return { id, live: this.liveSegmentIds() };
  }

  /** The state blob: the part count, then per part its layout, its bytes and its records' references. */
  private stateOf(parts: readonly RowPart[]): Uint8Array {
    if (parts.length === 0) return NO_BYTES;
    const w = this.blob;
    w.reset();
    w.uint(parts.length);
    for (const part of parts) {
      w.str(part.layout);
      if ('bytes' in part) {
        w.uint(part.bytes.length);
        w.raw(part.bytes);
        writeRefs(w, part.refs);
        continue;
      }
      const into = this.partBytes;
      into.reset();
      // The records written are the held records' references.
      const encode = codecOf(part.layout)?.encode;
      if (encode === undefined) throw new Error(`binary state of layout ${part.layout} has no encoder`);
      const { bytes, records } = encode(part.data, part.held, into);
      w.uint(bytes.length);
      w.raw(bytes);
      writeRefs(w, records as ArrayLike<number>);
    }
    return w.view();
  }

  private committed(result: CommitResult): number {
    this.liveSegments = new Set(result.live);
    return result.id;
  }

  /**
   * The row of a checkpoint; segment addresses are handed out for its new records. An encoded
   * part's bytes are its operator's, valid until its next snapshot (`detached` copies them).
   */
  private rowOf(checkpoint: Checkpoint): NewRow {
    const states: EncodedState[] = [];
    const engine: PipelineSnapshot = {
      ...checkpoint.engine,
      operators: checkpoint.engine.operators.map((op) => ({ step: op.step, state: withPlaceholders(op.state, states) })),
    };
    const body = toSnapshotJson({ ...checkpoint, engine });
    const segment = this.nextSegment++;
    const fresh: unknown[] = [];
    const used = new Set<number>();
    // Consecutive records mostly sit in one segment: the set is written only when it changes.
    let lastUsed = -1;
    // A record read from the recording is referred to by its line's position there: no text to
    // write, no lookup (a WeakMap lookup of 55K records took 25-80 ms). Any other is written as
    // text, once: the whole record it stands for.
    const refOf = (record: unknown, original: (held: unknown) => unknown): number => {
      const position = sourcePositionOf(record);
      if (!Number.isNaN(position)) return position * 2 + IN_SOURCE;
      const address = this.addressOf(record, original, segment, fresh);
      const of = Math.floor(address / SEGMENT_SPAN);
      if (of !== lastUsed) {
        used.add(of);
        lastUsed = of;
      }
      return address * 2;
    };
    let heldCount = 0;
    for (const state of states) if (state instanceof DeferredState) heldCount += state.held.length;
    if (heldCount > this.heldRefs.length) this.heldRefs = new Float64Array(new SharedArrayBuffer(8 * Math.ceil(heldCount * 1.25)));
    let heldAt = 0;
    const parts = states.map((state): RowPart => {
      if (state instanceof DeferredState) {
        const held = state.held;
        const refs = this.heldRefs.subarray(heldAt, (heldAt += held.length));
        // The positions the copier kept beside its records: a record is read only when its position is not known there (NaN).
        const positions = state.positions;
        // An index no state refers to (a free slot of the copied value pool) is never read.
        for (let i = 0; i < held.length; i++) {
          const position = positions === null ? NaN : positions[i]!;
          refs[i] = !Number.isNaN(position) ? position * 2 + IN_SOURCE : held[i] === undefined ? 0 : refOf(held[i], state.original);
        }
        return { layout: state.storedLayout, data: state.data, held: refs, size: state.size };
      }
      const refs = state.records.map((record) => refOf(record, state.original));
      return { layout: state.layout, bytes: state.bytes, refs };
    });
    return {
      body,
      parts,
      segments: JSON.stringify([...used].sort((a, b) => a - b)),
      records: checkpoint.engine.records,
      // Records are values parsed from JSON text: plain JSON gives them back exactly.
      segment: fresh.length === 0 ? null : { id: segment, text: this.segmentText.utf8(JSON.stringify(fresh)) },
    };
  }

  /**
   * Where a held record's text is: in a kept segment when an earlier checkpoint wrote it, else added
   * to this one's. Looked up by the held object itself: `original` of a retained record parses its
   * text into a new object on every call, so keyed by that, no record was ever found again.
   */
  private addressOf(held: unknown, original: (held: unknown) => unknown, segment: number, fresh: unknown[]): number {
    const isObject = typeof held === 'object' && held !== null;
    if (isObject) {
      const known = this.written.get(held);
      if (known !== undefined) {
        const of = Math.floor(known / SEGMENT_SPAN);
        if (of === segment || this.liveSegments.has(of)) return known;
      }
    }
    if (fresh.length === SEGMENT_SPAN) throw new Error(`a checkpoint cannot hold more than ${SEGMENT_SPAN} new records`);
    const address = segment * SEGMENT_SPAN + fresh.length;
    fresh.push(original(held));
    if (isObject) this.written.set(held, address);
    return address;
  }

  /** The newest checkpoint whose checksum, body and segments are good, and the bad rows passed over. */
  latestValid(): LatestCheckpoint {
    this.settle();
    this.assertReadable();
    const rejected: { id: number; reason: string }[] = [];
    const segments = new Map<number, readonly unknown[] | string>();
    for (const row of this.db.prepare('SELECT * FROM checkpoints ORDER BY id DESC').iterate() as Iterable<Row>) {
      const decoded = this.decode(row, segments);
      if (typeof decoded === 'string') {
        rejected.push({ id: row.id, reason: decoded });
        continue;
      }
      // A run resumed from here refers to these records where they are, instead of writing them again.
      for (const { value, address } of decoded.records) if (typeof value === 'object' && value !== null) this.written.set(value, address);
      return { latest: { id: row.id, createdAt: row.created_at, checkpoint: decoded.checkpoint }, rejected };
    }
    return { latest: null, rejected };
  }

  /** Checkpoint `id` as stored; throws with the reason when it is missing or cannot be used. */
  checkpoint(id: number): Checkpoint {
    this.assertReadable();
    const row = this.db.prepare('SELECT * FROM checkpoints WHERE id = ?').get(id) as Row | undefined;
    if (row === undefined) throw new InputError(`${this.path}: has no checkpoint ${id}`);
    const decoded = this.decode(row, new Map());
    if (typeof decoded === 'string') throw new InputError(`${this.path}: checkpoint ${id}: ${decoded}`);
    return decoded.checkpoint;
  }

  /**
   * Every stored checkpoint, newest first, with whether it is intact: its checksum, body, segments
   * and binary state. `valid` says a resume could use it only with `readRecords`: then the records
   * it holds by position are read from the recording too (a changed recording makes it invalid);
   * without, they are not read again for every row.
   */
  list({ readRecords = false }: { readRecords?: boolean } = {}): { id: number; createdAt: string; records: number; valid: boolean }[] {
    this.settle();
    this.assertReadable();
    const segments = new Map<number, readonly unknown[] | string>();
    const rows = this.db.prepare('SELECT * FROM checkpoints ORDER BY id DESC').all() as Row[];
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, records: r.records, valid: typeof this.decode(r, segments, readRecords) !== 'string' }));
  }

  /** Drops every checkpoint (a fresh, non-resumed run starts a new history); a store of another form is emptied and made over. */
  clear(): void {
    this.settle();
    if (this.otherForm !== null) {
      this.db.exec('DROP TABLE IF EXISTS checkpoints; DROP TABLE IF EXISTS segments');
      this.otherForm = null;
      this.prepare();
    } else {
      this.db.exec('DELETE FROM checkpoints; DELETE FROM segments');
    }
    this.written = new WeakMap();
    this.liveSegments.clear();
  }

  /** Waits for the checkpoint in flight, stops the writer thread and closes the database. */
  close(): void {
    try {
      this.settle();
    } finally {
      this.background?.close();
      this.background = null;
      this.synced.close();
      this.db.close();
    }
  }

  /**
   * The checkpoint of a row, or why it cannot be used. `segments` caches the segments read so far.
   * `readRecords`: read the records it holds from the recording (a resume needs them); without,
   * the rest is checked (checksum, body, segments, the binary state decodes) and those records are
   * left undefined.
   */
  private decode(row: Row, segments: Map<number, readonly unknown[] | string>, readRecords = true): Decoded | string {
    const { body, state, segments: list, checksum } = row;
    if (typeof body !== 'string') return 'body is not text';
    if (!(state instanceof Uint8Array) || typeof list !== 'string') return 'not a checkpoint of this form (no binary state or segment list)';
    if (checksumOf(body, state, list) !== checksum) return 'checksum mismatch (corrupted or partly written)';
    let parsed: Partial<Checkpoint>;
    try {
      parsed = fromSnapshotJson<Partial<Checkpoint>>(body);
    } catch (error) {
      return `body is not JSON (${(error as Error).message})`;
    }
    if (parsed?.format !== CHECKPOINT_FORMAT) return `not a checkpoint (format ${JSON.stringify(parsed?.format)})`;
    if (parsed.version !== CHECKPOINT_VERSION) return `checkpoint form ${JSON.stringify(parsed.version)}, not ${CHECKPOINT_VERSION}`;
    const byId = new Map<number, readonly unknown[]>();
    for (const id of JSON.parse(list) as number[]) {
      const records = this.segment(id, segments);
      if (typeof records === 'string') return records;
      byId.set(id, records);
    }
    const records: { value: unknown; address: number }[] = [];
    const decodedParts: unknown[] = [];
    const parts: { layout: string; bytes: Uint8Array; refs: number[] }[] = [];
    const positions: number[] = [];
    try {
      const r = new SnapshotReader(state, []);
      for (let p = 0, n = state.length === 0 ? 0 : r.uint(); p < n; p++) {
        const layout = r.str();
        const bytes = r.raw(r.uint());
        const refs: number[] = [];
        for (let i = 0, m = r.uint(); i < m; i++) {
          const ref = r.uint();
          refs.push(ref);
          if (ref % 2 === IN_SOURCE) positions.push((ref - IN_SOURCE) / 2);
        }
        parts.push({ layout, bytes, refs });
      }
      if (!r.done) throw new Error('bytes left over');
    } catch (error) {
      return `binary state is damaged (${(error as Error).message})`;
    }
    // A layout of another sw version (a newer form of some step's state) is refused before any is read.
    for (const { layout } of parts) if (codecOf(layout)?.decode === undefined) return `it holds a state part of layout ${layout}, which this sw does not read (written by another sw version)`;
    const fromSource = !readRecords || positions.length === 0 ? new Map<number, object>() : recordsAt(parsed.origin?.recording ?? String(parsed.recording), positions);
    if (typeof fromSource === 'string') return fromSource;
    try {
      for (const { layout, bytes, refs } of parts) {
        const held: unknown[] = [];
        for (const ref of refs) {
          if (ref % 2 === IN_SOURCE) {
            held.push(fromSource.get((ref - IN_SOURCE) / 2));
            continue;
          }
          const address = ref / 2;
          const segment = byId.get(Math.floor(address / SEGMENT_SPAN));
          const index = address % SEGMENT_SPAN;
          if (segment === undefined || index >= segment.length) throw new Error(`record ${address} is in no segment of the checkpoint`);
          held.push(segment[index]);
          records.push({ value: segment[index], address });
        }
        const decode = codecOf(layout)?.decode;
        if (decode === undefined) throw new Error(`unknown layout ${layout}`);
        decodedParts.push(new EncodedState(layout, { bytes, records: held }, decode).plain());
      }
      const engine = parsed.engine as PipelineSnapshot;
      const operators = engine.operators.map((op) => ({ step: op.step, state: withParts(op.state, decodedParts) }));
      return { checkpoint: { ...(parsed as Checkpoint), engine: { ...engine, operators } }, records };
    } catch (error) {
      return `binary state is damaged (${(error as Error).message})`;
    }
  }

  private segment(id: number, cache: Map<number, readonly unknown[] | string>): readonly unknown[] | string {
    let records = cache.get(id);
    if (records === undefined) {
      const row = this.db.prepare('SELECT body, checksum FROM segments WHERE id = ?').get(id) as { body: unknown; checksum: unknown } | undefined;
      const body = row?.body;
      if (row === undefined) records = `segment ${id} is missing`;
      else if (!(typeof body === 'string' || body instanceof Uint8Array) || checksumOf(body) !== row.checksum) records = `segment ${id}: checksum mismatch (corrupted or partly written)`;
      else {
        try {
          const parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as unknown;
          records = Array.isArray(parsed) ? parsed : `segment ${id} is not a list of records`;
        } catch (error) {
          records = `segment ${id} is not JSON (${(error as Error).message})`;
        }
      }
      cache.set(id, records);
    }
    return records;
  }
}

/** A buffer kept for the next use; what it returns is valid until then (SQLite copies what it binds). */
class ReusedBuffer {
  private buffer: Buffer = Buffer.alloc(0);

  utf8(text: string): Buffer {
    const n = Buffer.byteLength(text);
    if (this.buffer.length < n) this.buffer = Buffer.allocUnsafe(Math.ceil(n * 1.25));
    return this.buffer.subarray(0, this.buffer.write(text, 0, 'utf8'));
  }
}

/** A part's record references, after their count. */
function writeRefs(w: SnapshotWriter, refs: ArrayLike<number>): void {
  w.uint(refs.length);
  w.uints(refs, 0, refs.length);
}

/** About how many bytes a row takes (its copied parts by their estimate). */
function rowBytes(row: NewRow): number {
  let n = row.body.length + (row.segment?.text.length ?? 0);
  for (const part of row.parts) n += 'bytes' in part ? part.bytes.length : part.size;
  return n;
}

/**
 * A row for the writer thread: its encoded parts' bytes copied (their operators reuse theirs) into
 * SharedArrayBuffers of their own, which postMessage shares with the thread (no second copy). Not
 * transferred: a transfer detaches the buffer, and the first ArrayBuffer detached in an isolate
 * invalidates V8's ArrayBufferDetaching protector for good, deoptimizing every typed-array reader
 * of the replay for the rest of the run (docs/live-view.md, "Session 12").
 */
function shared(row: NewRow): NewRow {
  const parts = row.parts.map((part): RowPart => {
    if (!('bytes' in part)) return part;
    const bytes = new Uint8Array(new SharedArrayBuffer(part.bytes.length));
    bytes.set(part.bytes);
    return { ...part, bytes };
  });
  return { ...row, parts };
}

/**
 * A small row of writeDurable, its state blob made, committed on the replay thread once its files
 * are synced: by the thread pool's fsync (the callback runs between two blocks of the recording),
 * or by `settle` when the next checkpoint comes first. Whichever comes first commits it.
 */
class LocalCommit {
  done = false;
  private committed: CommitResult | null = null;
  private error: Error | null = null;

  constructor(
    private readonly row: NewRow,
    /** The store's reused blob: valid until its next row is made, which waits for this one (settle). */
    private readonly state: Uint8Array,
    readonly durable: readonly string[],
  ) {}

  commit(store: CheckpointStore): void {
    if (this.done) return;
    this.done = true;
    try {
      this.committed = store.commitState(this.row, this.state);
    } catch (error) {
      this.error = error as Error;
    }
  }

  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
  }

  /** The commit's result; throws its failure. */
  result(): CommitResult {
    if (this.error !== null) throw this.error;
    return this.committed!;
  }
}

/** An operator's state with its binary parts (top-level properties) moved to `parts`, a `{"$bin": i}` left in their place. */
function withPlaceholders(state: unknown, parts: EncodedState[]): unknown {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return state;
  let copy: Record<string, unknown> | null = null;
  for (const [name, value] of Object.entries(state)) {
    if (!(value instanceof EncodedState)) continue;
    copy ??= { ...(state as Record<string, unknown>) };
    copy[name] = { [BINARY_TAG]: parts.length };
    parts.push(value);
  }
  return copy ?? state;
}

/** The inverse of withPlaceholders, with each part in its plain form. */
function withParts(state: unknown, parts: readonly unknown[]): unknown {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return state;
  let copy: Record<string, unknown> | null = null;
  for (const [name, value] of Object.entries(state)) {
    const index = (value as Record<string, unknown> | null)?.[BINARY_TAG];
    if (typeof index !== 'number' || Object.keys(value as object).length !== 1) continue;
    if (index >= parts.length) throw new Error(`state ${name} refers to binary part ${index}, which the checkpoint does not have`);
    copy ??= { ...(state as Record<string, unknown>) };
    copy[name] = parts[index];
  }
  return copy ?? state;
}

/** Bytes read at a time when reading records back from a JSONL recording. */
const READ_CHUNK = 1 << 20;

/**
 * The records at `positions` of a recording, parsed as the replay parsed them (JSON.parse of the
 * line), each carrying its SOURCE_POSITION again so the next checkpoint refers to it the same way;
 * or why they cannot be read. JSONL: the line starting at that byte offset (the byte before it
 * must be a newline); SQLite: the row with that seq.
 */
export function recordsAt(recording: string, positions: readonly number[]): Map<number, object> | string {
  const wanted = [...new Set(positions)].sort((a, b) => a - b);
  const found = new Map<number, object>();
  const add = (position: number, text: string): string | null => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${recording}: ${isSqlitePath(recording) ? 'row' : 'the line at byte'} ${position} is not a record (the recording changed since the checkpoint?)`;
    (value as { [SOURCE_POSITION]?: number })[SOURCE_POSITION] = position;
    found.set(position, value);
    return null;
  };
  try {
    if (isSqlitePath(recording)) {
      let next = 0;
      for (const row of readRecording(recording, { afterSeq: wanted[0]! - 1 })) {
        while (next < wanted.length && wanted[next]! < row.seq) next++;
        if (next === wanted.length) break;
        if (wanted[next] !== row.seq) continue;
        const why = add(row.seq, rowLine(row.value));
        if (why !== null) return why;
        next++;
      }
      if (found.size < wanted.length) return `${recording}: row ${wanted.find((p) => !found.has(p))} is missing (the recording changed since the checkpoint?)`;
      return found;
    }
    const fd = openSync(recording, 'r');
    try {
      // The chunk holds the file's bytes [from, from + length); eof: they reach the file's end.
      let chunk = Buffer.allocUnsafe(READ_CHUNK);
      let from = 0;
      let length = 0;
      let eof = false;
      for (const position of wanted) {
        // The line and the byte before it (which must end the previous line) must be in the chunk.
        const before = Math.max(0, position - 1);
        let end = -1;
        if (before >= from && position < from + length) end = chunk.subarray(0, length).indexOf(10, position - from);
        if (end < 0 && !(eof && before >= from && position < from + length)) {
          from = before;
          for (;;) {
            length = readSync(fd, chunk, 0, chunk.length, from);
            eof = length < chunk.length;
            if (length <= position - from) return `${recording}: has no line at byte ${position} (the recording changed since the checkpoint?)`;
            end = chunk.subarray(0, length).indexOf(10, position - from);
            if (end >= 0 || eof) break;
            chunk = Buffer.allocUnsafe(chunk.length * 2);
          }
        }
        if (position > 0 && chunk[position - 1 - from] !== 10) return `${recording}: byte ${position} does not start a line (the recording changed since the checkpoint?)`;
        let stop = end < 0 ? length : end;
        if (stop > position - from && chunk[stop - 1] === 13) stop--;
        const why = add(position, chunk.toString('utf8', position - from, stop));
        if (why !== null) return why;
      }
    } finally {
      closeSync(fd);
    }
    return found;
  } catch (error) {
    return `cannot read the records it holds from ${recording} (${(error as Error).message})`;
  }
}

/**
 * Files synced before each commit (fsync of the output up to what the replay flushed), opened by
 * path once and kept open: fsync acts on the file, so the replay may close its own descriptors.
 */
export class DurableFiles {
  private readonly files = new Map<string, number>();
  /** fsyncs running on the thread pool (syncLater): the descriptors are closed after them. */
  private running = 0;
  private closing = false;

  sync(paths: readonly string[]): void {
    for (const path of paths) fsyncSync(this.fd(path));
  }

  /** Syncs the files on libuv's thread pool; `done` gets null, or the first failure, once all are synced. */
  syncLater(paths: readonly string[], done: (error: Error | null) => void): void {
    const fds = paths.map((path) => this.fd(path));
    let left = fds.length;
    let failure: Error | null = null;
    if (left === 0) {
      queueMicrotask(() => done(null));
      return;
    }
    this.running += fds.length;
    for (const fd of fds) {
      fsync(fd, (error) => {
        failure ??= error;
        if (--this.running === 0 && this.closing) this.close();
        if (--left === 0) done(failure);
      });
    }
  }

  private fd(path: string): number {
    let fd = this.files.get(path);
    if (fd === undefined) this.files.set(path, (fd = openSync(path, 'r')));
    return fd;
  }

  close(): void {
    // A descriptor closed under a running fsync could be reused by another file meanwhile.
    this.closing = this.running > 0;
    if (this.closing) return;
    for (const fd of this.files.values()) closeSync(fd);
    this.files.clear();
  }
}

/**
 * node:worker_threads, loaded when the first writer thread starts: a store whose rows stay small
 * (a window step's) never starts one, and loading the module (five of Node's internal modules) was
 * ≈1.5 ms of CPU before a checkpointed replay's first record (docs/checkpoints.md, "Session 14").
 */
function workerThreads(): typeof import('node:worker_threads') {
  return process.getBuiltinModule('node:worker_threads');
}

/** How long the replay waits for the writer thread: to load (it loads in ~50-100 ms), and to sync and commit a checkpoint. */
export interface WriterTimeouts {
  readonly startMs: number;
  readonly answerMs: number;
  /** Told of each writer thread started (tests wait for one to end). */
  readonly started?: (thread: Worker) => void;
}

const WRITER_TIMEOUTS: WriterTimeouts = { startMs: 20_000, answerMs: 300_000 };

/** A message of the writer thread: the commit's result or why it failed. */
/** `code` is the failure's system or SQLite code, when it had one (a disk failure). */
export type CommitReply = (CommitResult | { readonly error: string; readonly code?: string }) & { readonly cpuMs?: number };

/**
 * The store's writer thread (checkpoint-writer.ts): a second connection to the same SQLite file
 * (WAL lets it write while this one stays open), driven one checkpoint at a time. A job's state
 * goes through a SharedArrayBuffer (no copy, no fresh megabytes per checkpoint); the reply is read
 * synchronously (`receiveMessageOnPort`) after waiting on a shared flag, so the replay stays a
 * plain loop with no await per checkpoint.
 */
class BackgroundCommitter {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** [0]: a reply is waiting; [1]: the thread has loaded (checkpoint-writer.ts sets it); [2]: the replay gave up on the thread. */
  private readonly flag = new Int32Array(new SharedArrayBuffer(12));
  private pending = false;
  /** Set when a job got no answer: the thread was ended (it may run on until terminate takes effect). */
  ended = false;

  constructor(
    path: string,
    private readonly timeouts: WriterTimeouts,
  ) {
    const { MessageChannel, Worker } = workerThreads();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./checkpoint-writer.js', import.meta.url), { workerData: { path, port: port2, flag: this.flag }, transferList: [port2] });
    this.worker.unref();
    timeouts.started?.(this.worker);
    // Its failures reach the replay as the job's reply (one line); the event itself must not end
    // the process with a stack trace.
    this.worker.on('error', () => {});
  }

  /** True once the thread has loaded. */
  loaded(): boolean {
    return Atomics.load(this.flag, 1) === 1;
  }

  /** Posts a job; a thread still loading finds it waiting on its port (the replay does not wait for the load). */
  start(durable: readonly string[], row: NewRow): void {
    Atomics.store(this.flag, 0, 0);
    this.pending = true;
    this.port.postMessage({ durable, row });
  }

  /** The reply to the job in flight (waiting for it), or null when none is. */
  finish(): CommitReply | null {
    if (!this.pending) return null;
    this.pending = false;
    // A thread that cannot load (a missing module) never answers, and its error event cannot
    // arrive while this thread waits: found by the load's own, shorter, timeout.
    if (!this.loaded() && Atomics.wait(this.flag, 1, 0, this.timeouts.startMs) === 'timed-out') {
      return this.end(`the checkpoint writer thread did not start in ${this.timeouts.startMs / 1000} s`);
    }
    // A thread that never answers must not hang the run.
    const answered = Atomics.wait(this.flag, 0, 0, this.timeouts.answerMs) !== 'timed-out';
    const reply = answered ? workerThreads().receiveMessageOnPort(this.port) : undefined;
    if (reply !== undefined) return reply.message as CommitReply;
    return this.end(`the writer thread gave no answer in ${this.timeouts.answerMs / 1000} s`);
  }

  /**
   * Gives up on a thread that did not answer: its port is closed, and the thread ends itself once
   * its job is done (checkpoint-writer.ts). Not terminated: a thread ended inside a SQLite call
   * (waiting for a lock, say) aborted the whole process (better-sqlite3 throwing into a
   * terminating isolate: "FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal"). Its job may still
   * commit, a consistent checkpoint like any other; the buffers it reads are never reused (`ended`).
   * A job it has not started (a thread that loads late still finds it on its port) is skipped:
   * it would commit after the replay reported the failure, and be inside SQLite at exit.
   */
  private end(error: string): CommitReply {
    this.ended = true;
    Atomics.store(this.flag, 2, 1);
    this.port.close();
    return { error };
  }

  /** Lets the thread close its connection (waiting up to 10 s), then ends it. */
  close(): void {
    // A thread that has not loaded yet holds nothing (its job, if any, was settled before).
    if (!this.loaded()) {
      this.port.close();
      void this.worker.terminate();
      return;
    }
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ close: true });
    Atomics.wait(this.flag, 0, 0, 10_000);
    this.port.close();
    void this.worker.terminate();
  }
}
