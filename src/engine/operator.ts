/**
 * The contract between the pipeline driver and each step's operator. As in Flink, the whole
 * engine is driven by two calls, `process(record, ts)` and `advanceWatermark(watermark)`; it never
 * reads a clock and does no I/O. Output records go to an `Output` in a deterministic order.
 */

/** A record's fields as the engine sees them: every top-level field the pipeline reads. */
export type Fields = Record<string, unknown>;

/** Extra facts about the record being processed; valid only during `process()`. */
export interface RecordContext {
  /** 1-based line (or row) number of the record in its source. */
  readonly line: number;
  /** The whole original record, decoded on demand (operators that store or emit events call it). */
  original(): Record<string, unknown>;
  /**
   * The record to keep past `process()` for an operator that reads only `fields` (the fields the
   * pipeline reads) until it outputs the record: `fields` itself carrying the line's text, whose
   * whole record `originalOf` (retained-record.ts) decodes when asked; or original() when the
   * source has no text to keep. Absent: keep original().
   */
  retain?(fields: Fields): Record<string, unknown>;
}

/** Output records, exactly as pipeline-spec.md fixes them. */
export interface WindowResult {
  readonly step: string;
  readonly kind: 'window';
  readonly key: unknown;
  readonly start: number;
  readonly end: number;
  readonly firing: 'onTime' | 'late';
  readonly fields: Record<string, unknown>;
}

export interface MatchResult {
  readonly step: string;
  readonly kind: 'match';
  readonly key: unknown;
  readonly start: number;
  readonly end: number;
  readonly events: Record<string, unknown[]>;
  readonly fields: Record<string, unknown>;
}

export interface TimeoutResult {
  readonly step: string;
  readonly kind: 'timeout';
  readonly key: unknown;
  readonly start: number;
  readonly end: number;
  readonly events: Record<string, unknown[]>;
  readonly fields: Record<string, unknown>;
}

export interface LateRecord {
  readonly step: string;
  readonly kind: 'late';
  readonly key: unknown;
  readonly event: unknown;
}

/** What a process function emits: any fields, under its step and key. */
export interface ProcessResult {
  readonly step: string;
  readonly kind: 'result';
  readonly key: unknown;
  readonly time: number;
  readonly fields: Record<string, unknown>;
}

export type OutputRecord = WindowResult | MatchResult | TimeoutResult | LateRecord | ProcessResult;

export interface Output {
  emit(record: OutputRecord): void;
}

/** Counters every operator keeps; the replay summary and the live view show them. */
export interface StepCounters {
  /** Records that reached the step (before its filter). */
  seen: number;
  /** Records that passed the step's filter. */
  accepted: number;
  /** Output records emitted, late records excluded. */
  results: number;
  /** Records dropped as late (emitted as kind "late" when lateOutput is on). */
  late: number;
  /** Expression evaluation errors (missing field, wrong type): the condition counted as false. */
  exprErrors: number;
}

export interface Operator {
  readonly step: string;
  readonly counters: StepCounters;
  /** The first error counted in `counters.exprErrors`, as one line (step, where, message), if the operator keeps it. */
  readonly firstError?: string | null;
  /** One record, with its event time; the watermark has not moved yet. */
  process(fields: Fields, ts: number, ctx: RecordContext, out: Output): void;
  /**
   * process() with the event time in `time[0]` instead of an argument, called by the pipeline in
   * its place when present: a double handed to a call that is not inlined is a fresh heap number,
   * one per record per call (docs/speed.md).
   */
  processAt?(fields: Fields, time: Float64Array, ctx: RecordContext, out: Output): void;
  /** The watermark advanced to `watermark` (Infinity at end of input): fire every timer ≤ it. */
  advanceWatermark(watermark: number, out: Output): void;
}

/** An operator that finds its key states by the field reader's hints first (KeyHints in replay/field-reader.ts). */
export interface KeyHinted {
  /** The top-level field the step is keyed by, when it is keyed by one: hints apply only then. */
  readonly keyField: string | undefined;
  /** Per record, `slots[at]` (below `size`, −1 for none) is equal for equal key strings. */
  useKeyHints(slots: Int32Array, at: number, size: number): void;
}

export function newCounters(): StepCounters {
  return { seen: 0, accepted: 0, results: 0, late: 0, exprErrors: 0 };
}
