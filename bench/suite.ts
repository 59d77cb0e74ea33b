/** What a benchmark suite in bench/suites/ exports, and the rows it reports. */

export interface BenchOptions {
  /** The repository root: .bench/ (cached inputs) and bin/sw live here. */
  readonly root: string;
  /** `--large`: also run the slow, large-input measurements (the 10M-event RSS run). */
  readonly large: boolean;
}

export interface BenchRow {
  readonly suite: string;
  /** What was measured, in the reader's words: "JSON.parse floor", "sw / DuckDB". */
  readonly subject: string;
  readonly events?: number;
  readonly seconds?: number;
  readonly eventsPerSec?: number;
  readonly maxRssBytes?: number;
  /** For comparison rows: subject A's events/s divided by subject B's. */
  readonly ratio?: number;
  /** Anything else: "not available (...)", a bound, a checksum mismatch. */
  readonly note?: string;
}

export interface BenchSuite {
  readonly name: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

/** A measured row: events/s from events and seconds. */
export function throughputRow(suite: string, subject: string, events: number, seconds: number, extra: Partial<BenchRow> = {}): BenchRow {
  return { suite, subject, events, seconds, eventsPerSec: events / seconds, ...extra };
}

/** A comparison row "a / b", or a row saying why it cannot be computed. */
export function ratioRow(suite: string, a: BenchRow, b: BenchRow): BenchRow {
  const subject = `${a.subject} / ${b.subject}`;
  if (a.eventsPerSec === undefined || b.eventsPerSec === undefined) return { suite, subject, note: 'not available' };
  return { suite, subject, ratio: a.eventsPerSec / b.eventsPerSec };
}
