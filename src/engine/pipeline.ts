/**
 * The running pipeline: fans every record out to the steps' operators in declaration order, then
 * moves the watermark and lets every operator fire what it passed. Output order is therefore
 * deterministic for a given input: per record, the record's own effects step by step, then the
 * firings of the watermark it caused, step by step.
 */
import type { Fields, Operator, Output, RecordContext } from './operator.js';
import { WatermarkGenerator } from './watermark.js';

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
    this.records++;
    const operators = this.operators;
    for (let i = 0; i < operators.length; i++) operators[i]!.process(fields, ts, ctx, this.output);
    const advanced = this.watermarks.observe(ts, split);
    if (advanced === advanced) this.advance(advanced); // NaN check without a call: NaN !== NaN
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

  private advance(watermark: number): void {
    const operators = this.operators;
    for (let i = 0; i < operators.length; i++) operators[i]!.advanceWatermark(watermark, this.output);
  }
}
