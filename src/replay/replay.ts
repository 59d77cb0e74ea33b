/**
 * A replay: recording → engine → sinks. Streams the recording block by block (never whole),
 * decodes only the fields the pipeline reads, routes unreadable records to the dead-letter
 * output, paces in accelerated event time, and writes output records as JSON Lines.
 * The live view and `sw test` drive the same class.
 */
import { statSync } from 'node:fs';
import type { CompiledPipeline } from '../engine/compile-pipeline.js';
import { parseEventTime } from '../engine/duration.js';
import type { Fields, KeyHinted, OutputRecord, RecordContext } from '../engine/operator.js';
import { Pipeline, type PipelineSnapshot } from '../engine/pipeline.js';
import { WindowOperator } from '../engine/window/window-operator.js';
import { SOURCE_POSITION } from '../engine/snapshot/binary.js';
import { retainFields } from '../engine/retained-record.js';
import { createFieldReader, type FieldReader, type NumberCell } from './field-reader.js';
import { DeadLetterOutput } from './dead-letter.js';
import { Pacer } from './pacer.js';
import { openRecording, type BlockExtent, type RecordBlock } from './recording.js';
import { isSqlitePath } from './sqlite-recording.js';
import type { CheckpointCost } from './checkpointing.js';
import { processCpuMs } from './cpu-time.js';

export interface ReplayOptions {
  readonly recording: string;
  readonly compiled: CompiledPipeline;
  /** Infinity = as fast as possible. */
  readonly speed: number;
  /** Event-time range, inclusive start, exclusive end. */
  readonly from?: number;
  readonly to?: number;
  /** Where unreadable records go; null keeps only the count. */
  readonly deadLetterPath: string | null;
  /** Record blocks to read instead of opening `recording` (tests, in-memory sources, a resumed source). */
  readonly source?: AsyncIterable<RecordBlock>;
  /** Continue from this position; `source` must start at the record after it. */
  readonly resumeFrom?: ReplayPosition;
  /** A savepoint into a possibly changed pipeline: state goes to steps by name (Pipeline.restoreByStep). */
  readonly resumeByStep?: boolean;
}

/** Where a replay stands between two records. */
export interface ReplayPosition {
  /** Bytes of the recording consumed (decompressed for .gz): the next record starts here. */
  readonly byteOffset: number;
  /** Line (row seq for SQLite) of the last record consumed; 0 before the first. */
  readonly line: number;
  readonly skipped: number;
  readonly outputs: number;
  readonly minTime: number;
  readonly engine: PipelineSnapshot;
}

export interface ReplayCheckpointer {
  /**
   * The pipeline's record count and largest event time from which `due` may say yes: the replay
   * checks these after every record and asks `due` only once one is reached (NaN: never).
   */
  dueAt(): DueAt;
  /** Is a checkpoint due now? Moves the next boundary when it is. */
  due(records: number, maxEventTime: number): boolean;
  take(position: () => ReplayPosition): void;
}

export interface DueAt {
  readonly records: number;
  readonly time: number;
}

export interface StepSummary {
  readonly step: string;
  readonly kind: string;
  readonly seen: number;
  readonly accepted: number;
  readonly results: number;
  readonly late: number;
  readonly exprErrors: number;
  /** The first expression or function error's message (which record, what), when the step keeps one. */
  readonly firstError: string | null;
}

export interface ReplaySummary {
  readonly recording: string;
  readonly pipeline: string;
  readonly records: number;
  /** Records outside --from/--to. */
  readonly skipped: number;
  readonly deadLetters: number;
  readonly deadLetterPath: string | null;
  readonly outputs: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  readonly maxRssBytes: number;
  /** CPU time of the whole process (user + system): a rate that does not depend on machine load. */
  readonly cpuSeconds: number;
  readonly watermark: number;
  readonly maxEventTime: number;
  readonly steps: readonly StepSummary[];
  readonly stopped: boolean;
  /** Paced runs: the speed asked for, the speed achieved and the worst lateness against schedule. */
  readonly pacing?: { readonly speed: number; readonly achieved: number | null; readonly maxLateMs: number; readonly behind: boolean };
  /** With --quality: the data-quality headline at the end of the run. */
  readonly quality?: string;
  /** With --checkpoint-every: the checkpoints taken and their CPU time per thread (checkpointing.ts). */
  readonly checkpoints?: CheckpointCost;
}

export type OutputListener = (record: OutputRecord) => void;

/**
 * Sees each input record the engine is about to process (after pacing and the --from/--to
 * range; unreadable records never reach it): its raw text, event time, and the recording's key
 * and headers (SQLite recordings; null for JSONL). A returned promise is awaited before the next
 * record: that is how a Kafka sink applies backpressure.
 */
export type InputListener = (value: string, ts: number, key: string | null, headers: string | null) => void | Promise<void>;
/** A non-blank line read, as its bytes buffer[start, end) and its line number (a SQLite recording's seq). */
export type LineListener = (buffer: Buffer, start: number, end: number, line: number) => void;

/** A time cell that never holds a number (no reader cell for the time field). */
const NO_TIME = new Float64Array([NaN]);

/** Parsed records carry no position: no checkpoints, or a source without random access (stdin, .gz). */
const POSITIONS_NONE = 0;
/** A plain JSONL file: the line's byte offset. */
const POSITIONS_BYTES = 1;
/** A SQLite recording: the row's seq (its line number). */
const POSITIONS_SEQ = 2;

/** Per-record context handed to operators: decodes the whole record only when asked. */
class LazyRecord implements RecordContext {
  line = 0;
  buffer: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  /** The line's byte offset in the recording. */
  offset = 0;
  /** What a parsed record carries as its SOURCE_POSITION (set once per run). */
  positions = POSITIONS_NONE;
  /** The reader decodes whole lines ('all' fields): fields are not a projection to retain (set once per run). */
  whole = false;
  private cached: Record<string, unknown> | null = null;

  set(buffer: Buffer, start: number, end: number, line: number, offset: number): void {
    this.buffer = buffer;
    this.start = start;
    this.end = end;
    this.line = line;
    this.offset = offset;
    this.cached = null;
  }

  original(): Record<string, unknown> {
    if (this.cached === null) {
      const record = JSON.parse(this.buffer.toString('utf8', this.start, this.end)) as Record<string | symbol, unknown>;
      // A checkpointed replay: the record says where its line is (a checkpoint refers to it by that).
      const position = this.position();
      if (position !== undefined) record[SOURCE_POSITION] = position;
      this.cached = record;
    }
    return this.cached;
  }

  retain(fields: Fields): Record<string, unknown> {
    if (this.whole || this.cached !== null) return this.original();
    return retainFields(fields, this.buffer.toString('utf8', this.start, this.end), this.position());
  }

  /** Where the line is, as a checkpoint refers to it: its seq in a SQLite recording, its byte offset in a file; undefined when not kept. */
  private position(): number | undefined {
    return this.positions === POSITIONS_NONE ? undefined : this.positions === POSITIONS_SEQ ? this.line : this.offset;
  }
}

/** The first line of a resumed readLines (Replay.lineReader) has been paced already, or paced and listened to. */
const RESUME_NONE = 0;
const RESUME_PACED = 1;
const RESUME_LISTENED = 2;

/** What the line reader (Replay.lineReader) returns: it read the block to its end (or the replay stops), a line waits (cursor.resume says for what), a checkpoint may be due. */
const BLOCK_READ = 0;
const LINE_WAITS = 1;
const CHECKPOINT_DUE = 2;

/** Where the line reader is in a block, and the line it returned on to wait for. */
class BlockCursor {
  start = 0;
  lineIndex = 0;
  resume = RESUME_NONE;
  fields: Fields | null = null;
  /** The waiting line's end as read (before a trailing \r is dropped). */
  end = 0;
  ts = 0;
  wait: Promise<void> | null = null;

  waitAt(resume: number, start: number, lineIndex: number, fields: Fields, end: number, ts: number, wait: Promise<void> | null): typeof LINE_WAITS {
    this.resume = resume;
    this.start = start;
    this.lineIndex = lineIndex;
    this.fields = fields;
    this.end = end;
    this.ts = ts;
    this.wait = wait;
    return LINE_WAITS;
  }
}

export class Replay {
  readonly pacer: Pacer;
  readonly pipeline: Pipeline;
  readonly deadLetters: DeadLetterOutput;
  private readonly listeners: OutputListener[] = [];
  /** Null when nobody listens: the hot loop then skips decoding the record's text. */
  private inputListener: InputListener | null = null;
  private lineListener: LineListener | null = null;
  private readonly lineListeners: LineListener[] = [];
  private readonly reader: FieldReader;
  private readonly timeOf: (fields: Fields) => unknown;
  private readonly timeField: string;
  /** The reader's cell of a top-level time field's number (null: the time is read from the fields). */
  private readonly timeCell: NumberCell | null;
  private stopRequested = false;
  private checkpointer: ReplayCheckpointer | null = null;
  private skipped = 0;
  private outputs = 0;
  private bytesRead = 0;
  private minTime = Infinity;
  /** When the record count last changed, as seen by snapshot() (idle = no record since). */
  private lastRecordWall = performance.now();
  private lastRecordCount = -1;
  private startedWall = performance.now();
  /** Plain JSONL files: their size, the unit of progress being the bytes read. */
  private readonly plainBytes: number | null;
  /** The current block's extent in the source's own units (.gz, SQLite), and where it starts in bytes read. */
  private extent: BlockExtent | null = null;
  private extentBytesFrom = 0;
  private extentLength = 0;
  /** The whole recording was read (not stopped early). */
  private finished = false;

  constructor(private readonly options: ReplayOptions) {
    this.pacer = new Pacer(options.speed);
    this.deadLetters = new DeadLetterOutput(options.deadLetterPath);
    // Window steps read a record's fields during process() and keep none of them (aggregates keep
    // values), so the reader may hand the same object for every record; process and pattern
    // steps may store the record, and get a fresh one each time.
    const reuseRecord = options.compiled.operators.every((op) => op instanceof WindowOperator);
    this.reader = createFieldReader(options.compiled.fields, { reuseRecord });
    for (const op of options.compiled.operators) {
      // Window and pattern operators take key hints (the pattern operator's module loads lazily: no instanceof).
      const keyed = op as Partial<KeyHinted>;
      const hints = keyed.useKeyHints !== undefined && keyed.keyField !== undefined ? this.reader.internHints(keyed.keyField) : null;
      if (hints !== null) keyed.useKeyHints!(hints.slots, hints.at, hints.size);
    }
    this.timeOf = options.compiled.timeOf;
    this.timeField = options.compiled.spec.time.field;
    this.timeCell = this.timeField.includes('.') ? null : this.reader.numberCell(this.timeField);
    this.pipeline = new Pipeline(options.compiled.operators, options.compiled.spec.time, {
      emit: (record) => {
        this.outputs++;
        for (const listener of this.listeners) listener(record);
      },
    });
    // Decoded bytes are file bytes only in a plain file: a .gz counts compressed bytes and a
    // SQLite recording rows, both from the blocks' extents.
    const path = options.recording;
    this.plainBytes = path.endsWith('.gz') || isSqlitePath(path) ? null : sizeOf(path);
    const resume = options.resumeFrom;
    if (resume !== undefined) {
      if (options.resumeByStep === true) this.pipeline.restoreByStep(resume.engine);
      else this.pipeline.restore(resume.engine);
      this.bytesRead = resume.byteOffset;
      this.skipped = resume.skipped;
      this.outputs = resume.outputs;
      this.minTime = resume.minTime;
    }
  }

  /** The position after the record just consumed (`line`), with the engine's state. */
  position(line: number): ReplayPosition {
    return {
      byteOffset: this.bytesRead,
      line,
      skipped: this.skipped,
      outputs: this.outputs,
      minTime: this.minTime,
      // Binary where an operator has a binary form: checkpoints store it as is; a savepoint
      // (JSON) decodes it.
      engine: this.pipeline.snapshot({ encoded: true }),
    };
  }

  /** Takes checkpoints between records from now on (see checkpointing.ts); a second one (a savepoint) joins the first. */
  checkpointWith(checkpointer: ReplayCheckpointer): void {
    this.checkpointer = this.checkpointer === null ? checkpointer : bothCheckpointers(this.checkpointer, checkpointer);
  }

  onOutput(listener: OutputListener): void {
    this.listeners.push(listener);
  }

  /** Adds a listener for the input records (several are called in the order added). */
  onInput(listener: InputListener): void {
    const previous = this.inputListener;
    this.inputListener =
      previous === null
        ? listener
        : (value, ts, key, headers) => {
            const first = previous(value, ts, key, headers);
            if (first) return first.then(() => listener(value, ts, key, headers));
            return listener(value, ts, key, headers);
          };
  }

  /**
   * Adds a listener for every non-blank line read, in order: records, dead letters and records
   * outside --from/--to alike (`--quality` checks every line, as `sw quality check` does). A
   * record comes when it is replayed (after pacing), a line that goes no further when it is read.
   */
  onLine(listener: LineListener): void {
    const listeners = this.lineListeners;
    listeners.push(listener);
    this.lineListener = listeners.length === 1 ? listener : (...line) => listeners.forEach((each) => each(...line));
  }

  /**
   * How far through the recording the replay is, 0 to 1; null when unknown (stdin, a resumed
   * .gz source). Plain JSONL: bytes read over the file's size. .gz: compressed bytes consumed over
   * the size on disk. SQLite: rows read over the recording's rows. Within a block the extent is
   * interpolated by the bytes read of it, so the bar moves per record, not per 4,096 rows.
   */
  progress(): number | null {
    if (this.finished) return 1;
    const extent = this.extent;
    if (extent !== null) {
      if (extent.total <= 0) return 1;
      const within = this.extentLength > 0 ? (this.bytesRead - this.extentBytesFrom) / this.extentLength : 1;
      return Math.min(1, (extent.from + (extent.to - extent.from) * within) / extent.total);
    }
    // A .gz or SQLite recording before its first block: at 0 when the replay opens it itself.
    if (this.plainBytes === null) return this.options.source === undefined && this.options.recording !== '-' && this.bytesRead === 0 ? 0 : null;
    return this.plainBytes <= 0 ? 1 : Math.min(1, this.bytesRead / this.plainBytes);
  }

  /** Counters for progress displays (the live view polls this each frame). */
  snapshot() {
    const now = performance.now();
    // Polled a few times a second, so the hot loop need not read the clock per record.
    if (this.pipeline.recordCount !== this.lastRecordCount) {
      this.lastRecordCount = this.pipeline.recordCount;
      this.lastRecordWall = now;
    }
    return {
      records: this.pipeline.recordCount,
      deadLetters: this.deadLetters.count,
      watermark: this.pipeline.watermark,
      maxEventTime: this.pipeline.maxEventTime,
      minEventTime: this.minTime,
      progress: this.progress(),
      wallMs: now - this.startedWall,
      speed: this.pacer.speed,
      pacing: this.pacer.status(),
      paused: this.pacer.paused,
      idleMs: now - this.lastRecordWall,
    };
  }

  /** Ends the run after the current record; the final watermark is not emitted. */
  stop(): void {
    this.stopRequested = true;
    this.pacer.resume();
  }

  async run(): Promise<ReplaySummary> {
    const started = performance.now();
    this.startedWall = started;
    this.lastRecordWall = started;
    const ctx = new LazyRecord();
    const paced = this.options.speed !== Infinity;
    const file = this.options.recording;
    const cursor = new BlockCursor();
    // Records kept in state can be read again from a plain JSONL file (at the line's byte offset)
    // or a SQLite recording (by seq); a .gz has no random access: its records are written out.
    ctx.positions = this.checkpointer === null || file === '-' || file.endsWith('.gz') ? POSITIONS_NONE : isSqlitePath(file) ? POSITIONS_SEQ : POSITIONS_BYTES;
    ctx.whole = this.options.compiled.fields === 'all';
    const readLines = this.lineReader(cursor, ctx, paced);
    try {
      for await (const block of this.options.source ?? (await openRecording(file))) {
        if (block.extent !== undefined) {
          this.extent = block.extent;
          this.extentBytesFrom = this.bytesRead;
          this.extentLength = block.buffer.length;
        }
        cursor.start = 0;
        cursor.lineIndex = 0;
        // The block's lines are read synchronously; a line that must wait (pacing, an input
        // listener's promise) returns here to be awaited, and reading resumes at it; so does a
        // record after which a checkpoint may be due.
        for (let read = this.readBlock(readLines, block, cursor); read !== BLOCK_READ; read = this.readBlock(readLines, block, cursor)) {
          if (read === CHECKPOINT_DUE) {
            this.checkpointAfter(lineNumber(block, cursor.lineIndex - 1));
            // A stop-with-savepoint ends here: the next line (even a bad or skipped one) is the resumed run's.
            if (this.stopRequested) break;
          } else if (cursor.resume === RESUME_PACED) await this.pacer.pace(cursor.ts);
          else await cursor.wait;
        }
        if (this.stopRequested) break;
      }
      if (!this.stopRequested) {
        this.pipeline.finish();
        this.finished = true;
      }
    } finally {
      this.deadLetters.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const records = this.pipeline.recordCount;
    const pacing = paced ? this.pacer.status() : null;
    return {
      recording: file,
      pipeline: this.options.compiled.spec.source ?? this.options.compiled.spec.name,
      records,
      skipped: this.skipped,
      deadLetters: this.deadLetters.count,
      deadLetterPath: this.deadLetters.count > 0 ? this.options.deadLetterPath : null,
      outputs: this.outputs,
      seconds,
      eventsPerSec: seconds > 0 ? Math.round(records / seconds) : 0,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      cpuSeconds: processCpuMs() / 1000,
      watermark: this.pipeline.watermark,
      maxEventTime: this.pipeline.maxEventTime,
      steps: this.stepSummaries(),
      stopped: this.stopRequested,
      ...(pacing ? { pacing: { speed: pacing.speed, achieved: pacing.achieved, maxLateMs: Math.round(pacing.maxLateMs), behind: pacing.behind } } : {}),
    };
  }

  /**
   * One call of the run's line reader (lineReader) on `block` from the cursor: what it needs of the
   * block, the cursor and the checkpointer is read here and handed in.
   */
  private readBlock(readLines: LineReader, block: RecordBlock, cursor: BlockCursor): number {
    const dueAt = this.checkpointer === null ? NEVER_DUE : this.checkpointer.dueAt();
    const resume = cursor.resume;
    cursor.resume = RESUME_NONE;
    const buffer = block.buffer;
    return readLines(block, buffer, buffer.length, cursor.start, cursor.lineIndex, resume, dueAt.records, dueAt.time);
  }

  /**
   * The run's line reader: reads a block's lines from `start` into the pipeline. Returns LINE_WAITS
   * when a line must wait (cursor.resume says for what; the line is left in the cursor and read on
   * from there), CHECKPOINT_DUE after a line (a record, or a blank, bad or skipped line) once the
   * checkpointer's boundary is reached (reading goes on from cursor.start), BLOCK_READ at the
   * block's end or a stop. Kept apart from run(): with the awaits in the loop, the bench's
   * 2M-event replay cost ~3% more CPU (docs/speed.md).
   *
   * A closure over what stays the same for the run, called with what changes per call, so that it
   * reads no property before its loop. V8 allocates a function's type feedback only after it has
   * run a while: the first call's loads before the loop (its first block's, a method's) had none.
   * When TurboFan compiled the function (not its loop, on stack) while that first call still ran,
   * it made code that deoptimized at its entry ("insufficient type feedback for generic named
   * access" at bytecode offset 0), and the loop was compiled twice more: in a third of checkpointed
   * runs, 10–30 ms of CPU (docs/checkpoints.md, "Session 14").
   */
  private lineReader(cursor: BlockCursor, ctx: LazyRecord, paced: boolean): LineReader {
    const { from = -Infinity, to = Infinity } = this.options;
    const file = this.options.recording;
    const pacer = this.pacer;
    const checkpointer = this.checkpointer;
    const pipeline = this.pipeline;
    const reader = this.reader;
    const timeCell = this.timeCell;
    // Never null (a cell that is always NaN instead): a NaN constant merged in would make ts a
    // tagged value, boxed per record.
    const numbers = timeCell === null ? NO_TIME : timeCell.numbers;
    const timeAt = timeCell === null ? 0 : timeCell.at;
    const time = this.pipeline.time;
    // The loop only compares numbers with the checkpointer's boundaries (dueRecords, dueTime: NaN
    // without a checkpointer); its own code (due, take) runs in run(). In the loop, compiled by
    // TurboFan before the first checkpoint, that code had never run: the first checkpoint
    // deoptimized the loop ("insufficient type feedback"), which then ran unoptimized and was
    // compiled again (docs/checkpoints.md, "Session 13").
    // `resume`: what the first line (the one that waited, if any) has done already.
    // A named function (not an arrow): V8's traces name it (test/replay/checkpoint-replay-loop.test.ts).
    const replay = this;
    function readLines(block: RecordBlock, buffer: Buffer, length: number, start: number, lineIndex: number, resume: number, dueRecords: number, dueTime: number): number {
      while (start < length) {
        let fields: Fields | null;
        let end: number;
        if (resume === RESUME_NONE) {
          // A valid line is read in passing, and the reader says where it ends; for any other
          // the newline is searched and the line read again on its own (bad lines are rare).
          fields = reader.readLine(buffer, start, length);
          if (fields !== null) end = reader.lineEnd;
          else {
            end = buffer.indexOf(10, start);
            if (end < 0) end = length;
          }
        } else {
          fields = cursor.fields;
          end = cursor.end;
        }
        const lineEnd = end;
        const next = end + 1;
        if (end > start && buffer[end - 1] === 13) end--;
        const line = lineNumber(block, lineIndex++);
        if (end > start) {
          fields ??= reader.read(buffer, start, end);
          if (fields === null) {
            replay.lineListener?.(buffer, start, end, line);
            replay.deadLetter(file, line, buffer, start, end, badJsonReason(buffer, start, end));
          } else {
            // Epoch milliseconds, the common case, from the reader's cell: no heap number (a double
            // read from the fields and handed on is one, and so is one returned from a call).
            let ts = numbers[timeAt]!;
            // `+`: a double either way, so ts is never a tagged value (a heap number per record).
            if (!Number.isFinite(ts)) ts = +replay.eventTime(fields);
            if (ts !== ts) {
              replay.lineListener?.(buffer, start, end, line);
              replay.deadLetter(file, line, buffer, start, end, noTimeReason(replay.timeField, replay.timeOf(fields)));
            } else if (ts < from || ts >= to) {
              replay.lineListener?.(buffer, start, end, line);
              replay.skipped++;
            } else {
              if (resume === RESUME_NONE) {
                if (paced && pacer.mustWait(ts)) return cursor.waitAt(RESUME_PACED, start, lineIndex - 1, fields, lineEnd, ts, null);
                pacer.release(ts);
              }
              if (resume !== RESUME_LISTENED) {
                if (replay.stopRequested) return BLOCK_READ;
                replay.lineListener?.(buffer, start, end, line);
                if (ts < replay.minTime) replay.minTime = ts;
                if (replay.inputListener !== null) {
                  const index = lineIndex - 1;
                  const wait = replay.inputListener(buffer.toString('utf8', start, end), ts, block.keys ? block.keys[index]! : null, block.headers ? block.headers[index]! : null);
                  if (wait) return cursor.waitAt(RESUME_LISTENED, start, index, fields, lineEnd, ts, wait);
                }
              }
              ctx.set(buffer, start, end, line, replay.bytesRead);
              time[0] = ts;
              replay.pipeline.processAt(fields, ctx, block.splits ? block.splits[lineIndex - 1]! : 0);
            }
          }
        }
        resume = RESUME_NONE;
        replay.bytesRead += next - start;
        start = next;
        if (checkpointer !== null) {
          // Stored after every record, not only when a checkpoint is due: code the loop has not run
          // yet when it is compiled (a property store has no type feedback then) deoptimizes it.
          cursor.start = start;
          cursor.lineIndex = lineIndex;
          if (pipeline.recordCount >= dueRecords || pipeline.maxEventTime >= dueTime) return CHECKPOINT_DUE;
        }
      }
      return BLOCK_READ;
    }
    return readLines;
  }

  /**
   * A checkpoint (or savepoint) after the record on `line`, when the checkpointer says one is due.
   * Apart from readLines: a closure there over the loop's `line` made a context for every line
   * (40 bytes a record), checkpointed or not.
   */
  private checkpointAfter(line: number): void {
    const checkpointer = this.checkpointer!;
    if (checkpointer.due(this.pipeline.recordCount, this.pipeline.maxEventTime)) checkpointer.take(() => this.position(line));
  }

  /** The record's event time from its fields (the time is not a finite number in the reader's cell); NaN for none. */
  private eventTime(fields: Fields): number {
    const value = this.timeOf(fields);
    return typeof value === 'number' && Number.isFinite(value) ? value : parseEventTime(value);
  }

  stepSummaries(): StepSummary[] {
    return this.pipeline.operators.map((op, i) => ({
      step: op.step,
      kind: this.options.compiled.spec.steps[i]!.kind,
      ...op.counters,
      firstError: op.firstError ?? null,
    }));
  }

  private deadLetter(file: string, line: number, buffer: Buffer, start: number, end: number, reason: string): void {
    this.deadLetters.add(file, line, reason, buffer.toString('utf8', start, end));
  }
}

/** Replay.lineReader's reader: a block's lines from `start` (at line `lineIndex`), until a checkpoint boundary (NaN: none). */
type LineReader = (block: RecordBlock, buffer: Buffer, length: number, start: number, lineIndex: number, resume: number, dueRecords: number, dueTime: number) => number;

/** A replay without a checkpointer: comparisons with NaN are false. */
const NEVER_DUE: DueAt = { records: NaN, time: NaN };

/** Two checkpointers asked in turn; a position wanted by both is taken once. */
function bothCheckpointers(first: ReplayCheckpointer, second: ReplayCheckpointer): ReplayCheckpointer {
  let firstDue = false;
  let secondDue = false;
  return {
    dueAt() {
      const a = first.dueAt();
      const b = second.dueAt();
      return { records: earliest(a.records, b.records), time: earliest(a.time, b.time) };
    },
    due(records, maxEventTime) {
      // Both are asked every time: due() moves each one's next boundary.
      firstDue = first.due(records, maxEventTime);
      secondDue = second.due(records, maxEventTime);
      return firstDue || secondDue;
    },
    take(position) {
      let at: ReplayPosition | null = null;
      const once = () => (at ??= position());
      if (firstDue) first.take(once);
      if (secondDue) second.take(once);
    },
  };
}


/** The earlier of two boundaries, NaN (never) being later than any. */
function earliest(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b);
}

function lineNumber(block: RecordBlock, index: number): number {
  return block.lineNumbers ? block.lineNumbers[index]! : block.firstLine + index;
}

function badJsonReason(buffer: Buffer, start: number, end: number): string {
  try {
    const value: unknown = JSON.parse(buffer.toString('utf8', start, end));
    return `not a JSON object (a ${Array.isArray(value) ? 'list' : value === null ? 'null' : typeof value})`;
  } catch (error) {
    return `bad JSON: ${(error as Error).message}`;
  }
}

function noTimeReason(field: string, value: unknown): string {
  if (value === undefined) return `no event time: field '${field}' is missing`;
  return `no event time: '${field}' is ${JSON.stringify(value)}, not epoch ms or ISO-8601`;
}

function sizeOf(path: string): number | null {
  if (path === '-') return null;
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}
