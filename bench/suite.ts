/** What a benchmark suite in bench/suites/ exports, and the rows it reports. */
import type { Timing } from './timing.js';

export interface BenchOptions {
  /** The repository root: .bench/ (cached inputs) and bin/sw live here. */
  readonly root: string;
  /** `--large`: also run the slow, large-input measurements (the 10M-event RSS run). */
  readonly large: boolean;
  /** `--runs <n>`: alternating rounds for suites that compare subjects run by run (at least 1). */
  readonly runs: number;
}

export interface BenchRow {
  readonly suite: string;
  /** What was measured, in the reader's words: "JSON.parse floor", "sw / DuckDB". */
  readonly subject: string;
  readonly events?: number;
  /** Wall-clock seconds and events per wall-clock second. */
  readonly seconds?: number;
  readonly eventsPerSec?: number;
  /** CPU seconds (user + system) and events per CPU second: the figure that survives a busy machine. */
  readonly cpuSeconds?: number;
  readonly eventsPerCpuSec?: number;
  readonly maxRssBytes?: number;
  /** For comparison rows: subject A's events/s divided by subject B's, by wall clock and by CPU. */
  readonly ratio?: number;
  readonly cpuRatio?: number;
  /** Anything else: "not available (...)", a bound, a checksum mismatch. */
  readonly note?: string;
}

export interface BenchSuite {
  readonly name: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

/** A measured row: events/s from events and the timing. */
export function throughputRow(suite: string, subject: string, events: number, timing: Timing, extra: Partial<BenchRow> = {}): BenchRow {
  const { seconds, cpuSeconds } = timing;
  return {
    suite,
    subject,
    events,
    seconds,
    eventsPerSec: events / seconds,
    ...(cpuSeconds === undefined ? {} : { cpuSeconds, eventsPerCpuSec: events / cpuSeconds }),
    ...extra,
  };
}

/** A comparison row "a / b", or a row saying why it cannot be computed. */
export function ratioRow(suite: string, a: BenchRow, b: BenchRow): BenchRow {
  const subject = `${a.subject} / ${b.subject}`;
  if (a.eventsPerSec === undefined || b.eventsPerSec === undefined) return { suite, subject, note: 'not available' };
  const cpuRatio = a.eventsPerCpuSec !== undefined && b.eventsPerCpuSec !== undefined ? a.eventsPerCpuSec / b.eventsPerCpuSec : undefined;
  return { suite, subject, ratio: a.eventsPerSec / b.eventsPerSec, ...(cpuRatio === undefined ? {} : { cpuRatio }) };
}
