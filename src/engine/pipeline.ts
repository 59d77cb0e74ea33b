/**
 * The running pipeline: fans every record out to the steps' operators in declaration order, then
 * moves the watermark and lets every operator fire what it passed. Output order is therefore
 * deterministic for a given input: per record, the record's own effects step by step, then the
 * firings of the watermark it caused, step by step.
 */
import type { Fields, Operator, Output, RecordContext } from './operator.js';
import { WatermarkGenerator, type WatermarkSnapshot } from './watermark.js';
import { isSnapshottable, type SnapshotOptions } from './snapshot/snapshot-json.js';

/** Everything a pipeline holds between two records: enough to continue as if never stopped. */
export interface PipelineSnapshot {
  readonly format: 'sw-pipeline';
  readonly records: number;
  readonly watermarks: WatermarkSnapshot;
  /** One per step, in declaration order. */
  readonly operators: readonly { readonly step: string; readonly state: unknown }[];
}

/** Steps whose operator cannot be snapshotted (a checkpointed run refuses them up front). */
export function unsnapshottableSteps(operators: readonly Operator[]): string[] {
  return operators.filter((op) => !isSnapshottable(op)).map((op) => op.step);
}

export interface PipelineStats {
  records: number;
  watermark: number;
  maxEventTime: number;
}

export class Pipeline {
  readonly operators: readonly Operator[];
  private readonly watermarks: WatermarkGenerator;
  private readonly output: Output;
  private records = 0;
  private finished = false;
  /** The event time of the record being processed (processAt). */
  readonly time = new Float64Array(1);

  constructor(operators: readonly Operator[], time: { outOfOrderness: number; idleTimeout?: number }, output: Output) {
    this.operators = operators;
    this.watermarks = new WatermarkGenerator(time.outOfOrderness, time.idleTimeout);
    this.output = output;
  }

  get watermark(): number {
    return this.watermarks.watermark;
  }

  get maxEventTime(): number {
    return this.watermarks.maxEventTime;
  }

  get recordCount(): number {
    return this.records;
  }

  process(fields: Fields, ts: number, ctx: RecordContext, split = 0): void {
    this.time[0] = ts;
    this.processAt(fields, ctx, split);
  }

  /**
   * process() for a record whose event time the caller wrote into `time[0]`: the time reaches the
   * operators that take it from there (Operator.processAt) without a heap number per record.
   */
  processAt(fields: Fields, ctx: RecordContext, split = 0): void {
    this.records++;
    const operators = this.operators;
    const time = this.time;
    for (let i = 0; i < operators.length; i++) {
      const op = operators[i]!;
      if (op.processAt !== undefined) op.processAt(fields, time, ctx, this.output);
      else op.process(fields, time[0]!, ctx, this.output);
    }
    if (this.watermarks.observe(time[0]!, split)) this.advance(this.watermarks.watermark);
  }

  /** End of input: the final +∞ watermark fires every open window and pattern. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.advance(this.watermarks.finish());
  }

  stats(): PipelineStats {
    return { records: this.records, watermark: this.watermark, maxEventTime: this.maxEventTime };
  }

  /** The state between two records; call it between `process` calls, never during one. */
  snapshot(options: SnapshotOptions = {}): PipelineSnapshot {
    return {
      format: 'sw-pipeline',
      records: this.records,
      watermarks: this.watermarks.snapshot(),
      operators: this.operators.map((op) => {
        if (!isSnapshottable(op)) throw new Error(`step ${op.step}: its operator has no snapshot form`);
        return { step: op.step, state: op.snapshot(options) };
      }),
    };
  }

  /** Puts a snapshot back into a freshly built pipeline of the same steps. */
  restore(snapshot: PipelineSnapshot): void {
    if (snapshot?.format !== 'sw-pipeline') throw new Error(`not a pipeline snapshot (format ${JSON.stringify(snapshot?.format)})`);
    if (snapshot.operators.length !== this.operators.length) {
      throw new Error(`the snapshot has ${snapshot.operators.length} steps, the pipeline ${this.operators.length}`);
    }
    this.operators.forEach((op, i) => {
      const saved = snapshot.operators[i]!;
      if (saved.step !== op.step) throw new Error(`step ${i + 1} is ${op.step} but the snapshot holds ${saved.step}`);
      if (!isSnapshottable(op)) throw new Error(`step ${op.step}: its operator cannot be restored`);
      op.restore(saved.state);
    });
    this.watermarks.restore(snapshot.watermarks);
    this.records = snapshot.records;
    this.finished = false;
  }

  /**
   * Puts a savepoint's state back into a possibly changed pipeline, matching state to steps by
   * name (the caller has checked the shapes, see step-shape.ts). A step without saved state starts
   * empty at the restored watermark, so it judges lateness as the others do; saved state of steps
   * the pipeline no longer has is dropped.
   */
  restoreByStep(snapshot: PipelineSnapshot): void {
    if (snapshot?.format !== 'sw-pipeline') throw new Error(`not a pipeline snapshot (format ${JSON.stringify(snapshot?.format)})`);
    const saved = new Map(snapshot.operators.map((o) => [o.step, o.state]));
    this.watermarks.restore(snapshot.watermarks);
    const silent: Output = { emit: () => {} };
    for (const op of this.operators) {
      const state = saved.get(op.step);
      if (state === undefined) {
        // Fresh operators hold nothing, so moving their watermark emits nothing.
        op.advanceWatermark(this.watermarks.watermark, silent);
        continue;
      }
      if (!isSnapshottable(op)) throw new Error(`step ${op.step}: its operator cannot be restored`);
      op.restore(state);
    }
    this.records = snapshot.records;
    this.finished = false;
  }

  private advance(watermark: number): void {
    const operators = this.operators;
    for (let i = 0; i < operators.length; i++) operators[i]!.advanceWatermark(watermark, this.output);
  }
}
