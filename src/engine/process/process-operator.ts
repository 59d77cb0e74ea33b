/**
 * The keyed process operator (Flink's KeyedProcessOperator): runs a ProcessFunction per record
 * with the record's key in scope, its keyed state and event-time timers.
 *
 * Per record: filter → key → set the current key and the TTL clock → processElement.
 * Per watermark advance: fire every timer ≤ the watermark, earliest first, each with its key in
 * scope (timers registered inside onTimer for a time ≤ the watermark fire in the same advance).
 * A process function sees every record, late or not: Flink's KeyedProcessFunction has no
 * lateness; it can compare `ctx.timestamp` with `ctx.timers.currentWatermark()` itself.
 *
 * A throw from the filter, the key or the function counts as an expression error for that record
 * (or timer) and the run goes on; the first message is kept in `firstError` for the summary.
 * State the function changed before throwing stays changed (there is no rollback, as in Flink
 * between checkpoints), so functions should validate input before touching state.
 */
import { newCounters, type Fields, type Operator, type Output, type RecordContext, type StepCounters } from '../operator.js';
import type { ElementContext, KeyedState, ProcessFunction, TimerService } from '../process.js';
import { MemoryStateBackend } from '../state/memory-backend.js';
import { StateStorageError, type KeyedStateBackend, type KeyedStateSnapshot } from '../state/state-backend.js';
import { keyIdOf } from '../state/state-key.js';
import { EventTimeTimers, type TimersSnapshot } from '../timers.js';
import type { ProcessStep } from './process-step.js';

/** Keys swept for expired state per record or timer: above 1, so the sweep outruns new keys. */
const CLEANUP_KEYS_PER_CALL = 2;

export const PROCESS_OPERATOR_FORMAT = 'sw-process-operator/1';

/** Everything the operator needs to resume: JSON-ready (the watermark is null before the first). */
export interface ProcessOperatorSnapshot {
  readonly format: typeof PROCESS_OPERATOR_FORMAT;
  readonly step: string;
  readonly watermark: number | null;
  readonly counters: StepCounters;
  readonly state: KeyedStateSnapshot;
  readonly timers: TimersSnapshot;
}

export class ProcessOperator implements Operator {
  readonly step: string;
  readonly counters: StepCounters = newCounters();
  /** The first error a filter, key or the function threw, with where; null when none. */
  firstError: string | null = null;
  private readonly fn: ProcessFunction;
  private readonly timers = new EventTimeTimers();
  private readonly ctx: OperatorContext;
  private watermark = -Infinity;

  constructor(
    private readonly definition: ProcessStep,
    private readonly backend: KeyedStateBackend = new MemoryStateBackend(),
  ) {
    this.step = definition.name;
    this.fn = definition.create();
    this.ctx = new OperatorContext(this, backend);
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  process(fields: Fields, ts: number, record: RecordContext, out: Output): void {
    this.counters.seen++;
    const { filter, key: keyOf } = this.definition;
    let key: unknown;
    try {
      if (filter !== null && !filter(fields)) return;
      this.counters.accepted++;
      key = keyOf(fields);
      if (key === undefined) throw new Error('the key is missing');
    } catch (error) {
      this.fail(error, `line ${record.line}`);
      return;
    }
    this.backend.setCurrentKey(key);
    this.backend.advanceTime(ts);
    const ctx = this.ctx;
    ctx.enter(key, ts, record, out);
    try {
      this.fn.processElement(fields, ctx);
    } catch (error) {
      this.fail(error, `line ${record.line}`);
    } finally {
      ctx.leave();
    }
    this.backend.cleanupIncrementally(CLEANUP_KEYS_PER_CALL);
  }

  advanceWatermark(watermark: number, out: Output): void {
    // Flink's operators only ever see increasing watermarks; a repeat is not an advance.
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    const ctx = this.ctx;
    for (let timer = this.timers.pollDue(watermark); timer; timer = this.timers.pollDue(watermark)) {
      this.backend.setCurrentKey(timer.key, timer.keyId);
      this.backend.advanceTime(timer.time);
      if (this.fn.onTimer) {
        ctx.enter(timer.key, timer.time, null, out);
        try {
          this.fn.onTimer(timer.time, ctx);
        } catch (error) {
          this.fail(error, `timer ${timer.time} of key ${JSON.stringify(timer.key)}`);
        } finally {
          ctx.leave();
        }
      }
      this.backend.cleanupIncrementally(CLEANUP_KEYS_PER_CALL);
    }
  }

  /** Timers still registered (for the live view and tests). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  registerTimer(time: number): void {
    this.timers.register(this.backend.currentKey, this.backend.currentKeyId, time);
  }

  deleteTimer(time: number): void {
    this.timers.delete(this.backend.currentKeyId, time);
  }

  emitResult(out: Output, key: unknown, time: number, fields: Record<string, unknown>): void {
    if (typeof time !== 'number' || !Number.isFinite(time)) throw new Error(`emit: time must be a finite epoch-ms number, got ${String(time)}`);
    if (fields === null || typeof fields !== 'object') throw new Error('emit: fields must be an object');
    this.counters.results++;
    out.emit({ step: this.step, kind: 'result', key, time, fields });
  }

  snapshot(): ProcessOperatorSnapshot {
    return {
      format: PROCESS_OPERATOR_FORMAT,
      step: this.step,
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      counters: { ...this.counters },
      state: this.backend.snapshot(),
      timers: this.timers.snapshot(),
    };
  }

  restore(snapshot: ProcessOperatorSnapshot): void {
    if (snapshot?.format !== PROCESS_OPERATOR_FORMAT) {
      throw new Error(`step ${this.step}: not a process operator snapshot (format ${JSON.stringify(snapshot?.format)})`);
    }
    if (snapshot.step !== this.step) throw new Error(`step ${this.step}: the snapshot belongs to step ${snapshot.step}`);
    this.backend.restore(snapshot.state);
    this.timers.restore(snapshot.timers, keyIdOf);
    this.watermark = snapshot.watermark ?? -Infinity;
    Object.assign(this.counters, snapshot.counters);
  }

  private fail(error: unknown, where: string): void {
    // Lost state cannot be counted away: the run stops with the storage's reason.
    if (error instanceof StateStorageError) throw error;
    this.counters.exprErrors++;
    if (this.firstError === null) {
      const message = error instanceof Error ? error.message : String(error);
      this.firstError = `step ${this.step}, ${where}: ${message}`;
    }
  }
}

/**
 * The one context object of an operator, re-pointed at each record or timer: no allocation per
 * call. Like Flink's, it is valid only during the call it was passed to.
 */
class OperatorContext implements ElementContext, TimerService {
  key: unknown = null;
  timestamp = 0;
  readonly timers: TimerService = this;
  private record: RecordContext | null = null;
  private out: Output | null = null;

  constructor(
    private readonly operator: ProcessOperator,
    readonly state: KeyedState,
  ) {}

  enter(key: unknown, timestamp: number, record: RecordContext | null, out: Output): void {
    this.key = key;
    this.timestamp = timestamp;
    this.record = record;
    this.out = out;
  }

  leave(): void {
    this.record = null;
    this.out = null;
  }

  original(): Record<string, unknown> {
    if (!this.record) throw new Error('original() is only available while a record is processed');
    return this.record.original();
  }

  emit(fields: Record<string, unknown>, time?: number): void {
    if (!this.out) throw new Error('emit() is only available inside processElement or onTimer');
    this.operator.emitResult(this.out, this.key, time ?? this.timestamp, fields);
  }

  currentWatermark(): number {
    return this.operator.currentWatermark;
  }

  registerEventTimeTimer(time: number): void {
    this.operator.registerTimer(time);
  }

  deleteEventTimeTimer(time: number): void {
    this.operator.deleteTimer(time);
  }
}
