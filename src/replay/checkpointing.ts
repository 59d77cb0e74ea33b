/**
 * Checkpointed replays: when to take a checkpoint (`--checkpoint-every 500` records or `10m` of
 * event time), what goes in it (the source position, the engine's state, the output and
 * dead-letter positions, made durable first), and how a resumed run puts everything back: the
 * output files are cut to the checkpoint's lengths and the recording is reopened just after the
 * last record the checkpoint covers, so the combined output equals an uninterrupted run's.
 */
import { existsSync, statSync, truncateSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseDuration } from '../engine/duration.js';
import type { CompiledPipeline } from '../engine/compile-pipeline.js';
import { unsnapshottableSteps } from '../engine/pipeline.js';
import { InputError, UsageError } from '../errors.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointStore, type Checkpoint, type StoredCheckpoint } from './checkpoint-store.js';
import type { DeadLetterOutput } from './dead-letter.js';
import { blocksFromChunks, openLineStream, readFileChunks } from './lines.js';
import type { LineWriter } from './record-sink.js';
import type { RecordBlock } from './recording.js';
import type { DueAt, ReplayCheckpointer, ReplayPosition } from './replay.js';
import type { Savepoint } from './savepoint.js';
import { isSqlitePath } from './sqlite-recording.js';
import { stepShapes } from '../engine/snapshot/step-shape.js';
import type { PipelineSnapshot } from '../engine/pipeline.js';
import { resolve } from 'node:path';
import { threadCpuMs } from './cpu-time.js';

export type CheckpointPolicy = { readonly kind: 'records'; readonly every: number } | { readonly kind: 'eventTime'; readonly every: number };

/** `500` or `100000` → every that many records; `10m`, `1h` → every that much event time. */
export function parseCheckpointEvery(text: string): CheckpointPolicy {
  if (/^\d+$/.test(text)) {
    const every = Number(text);
    if (every >= 1) return { kind: 'records', every };
  } else {
    const every = parseDuration(text);
    if (every !== null && every > 0) return { kind: 'eventTime', every };
  }
  throw new UsageError(`--checkpoint-every ${text}: not a record count or an event-time duration; use e.g. 100000 or 10m`);
}

export function defaultCheckpointPath(out: string): string {
  return `${out}.checkpoints.db`;
}

/** A hash of the pipeline as compiled (expressions as written); a resume refuses another pipeline. */
export function pipelineHash(compiled: CompiledPipeline): string {
  return createHash('sha256').update(JSON.stringify(compiled.spec)).digest('hex').slice(0, 16);
}

/** Refuses a checkpointed run up front when a step's state has no snapshot form. */
export function assertCheckpointable(compiled: CompiledPipeline, file: string): void {
  const steps = unsnapshottableSteps(compiled.operators);
  if (steps.length > 0) {
    throw new UsageError(`${file}: step ${steps.join(', ')} cannot be checkpointed (its operator has no snapshot form); drop --checkpoint-every/--resume or run without them`);
  }
}

export interface CheckpointerOptions {
  readonly policy: CheckpointPolicy;
  readonly store: CheckpointStore;
  readonly recording: string;
  readonly pipelineHash: string;
  readonly output: LineWriter;
  readonly deadLetters: DeadLetterOutput;
  /** Absolute paths and step shapes, so `sw savepoint create` can make a savepoint of a checkpoint. */
  readonly origin: NonNullable<Checkpoint['origin']>;
  /** The checkpoint (or savepoint) a resumed run started from: the next one is due one interval later. */
  readonly after?: { readonly engine: PipelineSnapshot };
}

/**
 * The event-time policy's first boundary: any record's time reaches it (and sets the real one), a
 * line that is no record does not (the pipeline's largest event time is −∞ until the first
 * record). With −∞ here, the replay loop returned to ask `due` after every skipped, blank or
 * bad line before the first record.
 */
const FIRST_RECORD = -Number.MAX_VALUE;

export class Checkpointer implements ReplayCheckpointer {
  private nextRecords: number;
  private nextTime: number;
  private readonly everyRecords: number;
  taken = 0;
  /**
   * [0]: CPU ms the replay thread spent in take (the checkpoints' synchronous part). In an array:
   * a field going from 0 to a fraction changes the object's layout (V8's map), and the replay's
   * loop, which checks this object's map where `due` is inlined, was deoptimized by it.
   */
  private readonly takeMs = new Float64Array(1);

  constructor(private readonly options: CheckpointerOptions) {
    const { policy, after } = options;
    this.everyRecords = policy.kind === 'records' ? policy.every : Infinity;
    this.nextRecords = policy.kind === 'records' ? (after?.engine.records ?? 0) + policy.every : Infinity;
    this.nextTime = policy.kind === 'eventTime' ? (after ? nextBoundary(after.engine.watermarks.maxTime, policy.every) : FIRST_RECORD) : Infinity;
  }

  dueAt(): DueAt {
    return { records: this.nextRecords, time: this.nextTime };
  }

  due(records: number, maxEventTime: number): boolean {
    if (records >= this.nextRecords) {
      this.nextRecords = records + this.everyRecords;
      return true;
    }
    if (maxEventTime >= this.nextTime) {
      const first = this.nextTime === FIRST_RECORD;
      this.nextTime = nextBoundary(maxEventTime, this.options.policy.every);
      // The first record only sets the first boundary: a checkpoint of nothing is no use.
      return !first;
    }
    return false;
  }

  take(position: () => ReplayPosition): void {
    const started = threadCpuMs();
    try {
      this.write(position);
    } finally {
      this.takeMs[0]! += threadCpuMs() - started;
    }
    this.taken++;
  }

  /**
   * What the checkpoints cost so far, per thread: the replay thread's (take, and committing small
   * rows after their sync) and the writer thread's. The checkpoint in flight is settled (committed,
   * or its failure thrown) first.
   */
  settledCost(): CheckpointCost {
    const store = this.options.store;
    // A small row whose files' sync has not called back yet is committed by settle, here: counted too.
    const started = threadCpuMs();
    store.settle();
    this.takeMs[0]! += threadCpuMs() - started;
    return { taken: this.taken, replayThreadMs: round(this.takeMs[0]! + store.replayThreadMs), writerThreadMs: round(store.writerThreadMs) };
  }

  private write(position: () => ReplayPosition): void {
    // The previous checkpoint's commit first: its copied state's buffers are then free for this one.
    this.options.store.settle();
    const at = position();
    // Outputs first: a checkpoint must never point past what is on disk.
    // Flushed here; synced by the store (on this thread or its writer thread) before the checkpoint commits.
    const output = { bytes: this.options.output.flushedPosition(), records: this.options.output.lines };
    const { file: deadLetterFile, ...deadLetters } = this.options.deadLetters.flushedPosition();
    const sqlite = isSqlitePath(this.options.recording);
    const durable = deadLetterFile === null ? [this.options.output.path] : [this.options.output.path, deadLetterFile];
    this.options.store.writeDurable(durable, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      recording: this.options.recording,
      pipelineHash: this.options.pipelineHash,
      source: { byteOffset: at.byteOffset, nextLine: at.line + 1, lastSeq: sqlite ? at.line : null },
      engine: at.engine,
      replay: { skipped: at.skipped, outputs: at.outputs, minTime: at.minTime },
      output,
      deadLetters,
      origin: this.options.origin,
    });
  }
}

/** A replay's checkpoints and their CPU time per thread (the summary's `checkpoints`). */
export interface CheckpointCost {
  readonly taken: number;
  readonly replayThreadMs: number;
  readonly writerThreadMs: number;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function nextBoundary(time: number, every: number): number {
  return Math.floor(time / every) * every + every;
}

/**
 * The checkpoint to resume from, checked against this run's inputs; reports bad rows passed over
 * on `warn`. Null when the store holds no usable checkpoint (the run starts from the beginning).
 */
export function checkpointToResume(store: CheckpointStore, recording: string, hash: string, warn: (line: string) => void): StoredCheckpoint | null {
  const { latest, rejected } = store.latestValid();
  for (const bad of rejected) warn(`${store.path}: checkpoint ${bad.id} skipped: ${bad.reason}; using the one before`);
  if (latest === null) return null;
  const cp = latest.checkpoint;
  if (cp.pipelineHash !== hash) {
    throw new UsageError(`${store.path}: checkpoint ${latest.id} was taken with another pipeline; resume with the same pipeline, or drop --resume to start over`);
  }
  if (cp.recording !== recording) {
    throw new UsageError(`${store.path}: checkpoint ${latest.id} is of ${cp.recording}, not ${recording}; resume with the same recording`);
  }
  return latest;
}

/** Cuts an output file back to a checkpoint's length (what came after it is produced again). */
export function truncateTo(path: string, bytes: number, what: string): void {
  if (!existsSync(path)) {
    if (bytes === 0) return;
    throw new InputError(`${path}: the ${what} is gone but the checkpoint expects ${bytes} bytes; start over without --resume`);
  }
  const size = statSync(path).size;
  if (size < bytes) throw new InputError(`${path}: the ${what} has ${size} bytes, fewer than the checkpoint's ${bytes}; start over without --resume`);
  truncateSync(path, bytes);
}

/**
 * The recording from a checkpoint's position on. Plain JSONL is opened at the byte offset; .gz
 * has no random access, so it is decompressed and the first bytes dropped; SQLite reads rows with
 * seq > lastSeq.
 */
export async function openRecordingAt(path: string, source: Checkpoint['source']): Promise<AsyncIterable<RecordBlock>> {
  if (isSqlitePath(path)) {
    const { readSqliteBlocks } = await import('./sqlite-blocks.js');
    return readSqliteBlocks(path, source.lastSeq ?? 0);
  }
  const chunks: AsyncIterable<Buffer> =
    path.endsWith('.gz') ? dropBytes((await openLineStream(path)) as AsyncIterable<Buffer>, source.byteOffset) : readFileChunks(path, source.byteOffset);
  return renumber(blocksFromChunks(chunks), source.nextLine - 1);
}

async function* dropBytes(chunks: AsyncIterable<Buffer>, count: number): AsyncGenerator<Buffer> {
  let left = count;
  for await (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

async function* renumber(blocks: AsyncIterable<RecordBlock>, linesBefore: number): AsyncGenerator<RecordBlock> {
  for await (const block of blocks) yield { buffer: block.buffer, firstLine: block.firstLine + linesBefore };
}

export interface CheckpointedRunOptions {
  readonly recording: string;
  readonly compiled: CompiledPipeline;
  readonly pipelinePath: string;
  readonly out: string | undefined;
  readonly deadLetterPath: string | null;
  readonly every: string | undefined;
  readonly db: string | undefined;
  readonly resume: boolean;
  /** `--from-savepoint`: where the run starts when there is no checkpoint to resume from. */
  readonly savepoint?: Savepoint;
  readonly warn: (line: string) => void;
}

/** What a checkpointed (or resumed) replay needs: its output writer, source and start position. */
export interface CheckpointedRun {
  readonly store: CheckpointStore;
  readonly output: LineWriter;
  readonly resumed: StoredCheckpoint | null;
  readonly source?: AsyncIterable<RecordBlock>;
  readonly resumeFrom?: ReplayPosition;
  /** True when the run starts from the savepoint (state goes to steps by name), not from a checkpoint. */
  readonly resumeByStep: boolean;
  /** Call once the Replay exists: restores its dead-letter count and starts taking checkpoints. */
  attach(replay: { deadLetters: DeadLetterOutput; checkpointWith(checkpointer: ReplayCheckpointer): void }): Checkpointer | null;
}

/**
 * Opens the checkpoint store and, with --resume, puts the run back at its last valid checkpoint:
 * outputs cut to the checkpoint's lengths, the recording reopened after its last record.
 */
export async function startCheckpointedRun(
  options: CheckpointedRunOptions,
  openWriter: (path: string, append: boolean) => LineWriter,
): Promise<CheckpointedRun> {
  const { recording, compiled, out } = options;
  if (out === undefined || out === '-') throw new UsageError('--checkpoint-every and --resume need --out <file>: stdout cannot be cut back to a checkpoint');
  if (recording === '-') throw new UsageError('--checkpoint-every and --resume need a recording file: stdin cannot be read again from a position');
  assertCheckpointable(compiled, options.pipelinePath);
  const policy = options.every === undefined ? null : parseCheckpointEvery(options.every);
  const store = CheckpointStore.open(options.db ?? defaultCheckpointPath(out));
  const hash = pipelineHash(compiled);
  const resumed = options.resume ? checkpointToResume(store, recording, hash, options.warn) : null;
  if (options.resume && resumed === null) options.warn(`${store.path}: no usable checkpoint; starting from the beginning`);
  if (resumed === null) store.clear();
  else options.warn(`${store.path}: resuming from checkpoint ${resumed.id} after record ${resumed.checkpoint.engine.records} (line ${resumed.checkpoint.source.nextLine - 1})`);

  let output: LineWriter;
  let source: AsyncIterable<RecordBlock> | undefined;
  let resumeFrom: ReplayPosition | undefined;
  if (resumed !== null) {
    const cp = resumed.checkpoint;
    truncateTo(out, cp.output.bytes, 'output');
    if (options.deadLetterPath !== null) truncateTo(options.deadLetterPath, cp.deadLetters.bytes, 'dead-letter file');
    output = openWriter(out, true);
    output.resumeCount(cp.output.records);
    source = await openRecordingAt(recording, cp.source);
    resumeFrom = { byteOffset: cp.source.byteOffset, line: cp.source.nextLine - 1, ...cp.replay, engine: cp.engine };
  } else if (options.savepoint !== undefined) {
    // A savepoint's output went elsewhere: this run writes a new output from the savepoint on.
    output = openWriter(out, false);
    ({ source, resumeFrom } = await startAtSavepoint(recording, options.savepoint));
  } else {
    output = openWriter(out, false);
  }
  const startedAfter = resumed?.checkpoint ?? options.savepoint;
  return {
    store,
    output,
    resumed,
    resumeByStep: resumed === null && options.savepoint !== undefined,
    ...(source === undefined ? {} : { source }),
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
    attach(replay) {
      if (resumed !== null) replay.deadLetters.resumeAfter(resumed.checkpoint.deadLetters.count);
      else if (options.savepoint !== undefined) replay.deadLetters.count = options.savepoint.deadLetters.count;
      if (policy === null) return null;
      const checkpointer = new Checkpointer({
        policy,
        store,
        recording,
        pipelineHash: hash,
        output,
        deadLetters: replay.deadLetters,
        origin: { recording: resolve(recording), pipeline: resolve(options.pipelinePath), output: resolve(out), steps: stepShapes(compiled.spec) },
        ...(startedAfter === undefined ? {} : { after: startedAfter }),
      });
      replay.checkpointWith(checkpointer);
      return checkpointer;
    },
  };
}

/** The recording from a savepoint's position, and the position to restore (state by step name). */
export async function startAtSavepoint(recording: string, savepoint: Savepoint): Promise<{ source: AsyncIterable<RecordBlock>; resumeFrom: ReplayPosition }> {
  const { source: at, replay, engine } = savepoint;
  return {
    source: await openRecordingAt(recording, at),
    resumeFrom: { byteOffset: at.byteOffset, line: at.nextLine - 1, ...replay, engine },
  };
}
