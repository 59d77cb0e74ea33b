/**
 * Output records between two frames, as they arrive: per window step a ring of the last RING
 * results, per other step the last FEED_LIMIT feed items, and timeouts counted. Memory and the
 * next frame's work are bounded by the ring and the feed, not by how many records came: at
 * --speed max a frame may be seconds away and millions of results may arrive meanwhile. The
 * frame folds the ring into the per-key table (the latest window per key, live-state.ts): under
 * the runner, a copy of it (copyTaken) in the view's worker, which keeps the tables.
 *
 * Adding a result costs a copy into flat arrays, no lookup and no allocation, and the record is
 * dropped at once. Keeping the latest record per key in a Map (session 2) cost a hash lookup per
 * result (250 ns over 50K keys alone, ~900 ns inside a replay) and kept up to one record per key
 * alive until the next frame: with ~50K keys nearly every result outlived a young-generation
 * collection, and the old-generation collections that followed doubled the CPU of a --speed max
 * replay (user-minutes: 4.9 CPU-s headless, 9.8 with the Map; GC 1.4 s against 3.8 s).
 *
 * The price: when more than RING results of a step arrive between two frames (only at --speed
 * max with thousands of keys), the oldest of them never reach the table; the panel counts them
 * as "passed over". The summary table and the counters count every result.
 */
import type { OutputRecord, WindowResult } from '../engine/operator.js';
import { FEED_LIMIT, type FeedRecord, type LiveAction, type QualityView, type RunStats, type StepCountersView, type StepInfo, type WindowBatch } from './live-state.js';

/**
 * Results kept per window step between frames: a power of two, for the index mask. 4,096: the newest results are the ones the table shows (the latest window per key), and a frame
 * folds the whole ring, a Map lookup each (~0.2 µs warm over 50K keys, twice that before the
 * view's code is optimized); at 16,384 the fold was a fifth of a frame.
 */
export const RING = 4_096;
const MASK = RING - 1;

/**
 * The last RING results of one window step, copied into flat arrays: key, window bounds, firing,
 * and each field's value (numbers in a Float64Array, other values in an array).
 */
class ResultRing implements WindowBatch {
  private readonly keys: unknown[] = new Array<unknown>(RING).fill(undefined);
  private readonly start_ = new Float64Array(RING);
  private readonly end_ = new Float64Array(RING);
  private readonly late_ = new Uint8Array(RING);
  /** Field f of entry e at e × fields + f: a number, or (isNumber 0) the value in `others`. */
  private readonly numbers: Float64Array;
  private readonly isNumber: Uint8Array;
  private readonly others: unknown[];
  /** Whether a value that is not a number was ever kept (`others` holds something). */
  private hasOthers = false;
  /** Results added since the last take (more than RING: the ring wrapped). */
  private added = 0;
  /** Results that never reached a frame, since the start. */
  passedOver = 0;
  /** The last take: where its oldest result sits (before the mask), and how many it has. */
  private first = 0;
  size = 0;

  constructor(private readonly fields: readonly string[]) {
    this.numbers = new Float64Array(RING * fields.length);
    this.isNumber = new Uint8Array(RING * fields.length);
    // Packed from the start: holes would turn the array into a dictionary.
    this.others = new Array<unknown>(RING * fields.length).fill(undefined);
  }

  add(record: WindowResult): void {
    const entry = this.added++ & MASK;
    this.keys[entry] = record.key;
    this.start_[entry] = record.start;
    this.end_[entry] = record.end;
    this.late_[entry] = record.firing === 'late' ? 1 : 0;
    const fields = this.fields;
    const base = entry * fields.length;
    for (let f = 0; f < fields.length; f++) {
      const value = record.fields[fields[f]!];
      if (typeof value === 'number') {
        this.numbers[base + f] = value;
        this.isNumber[base + f] = 1;
      } else {
        this.isNumber[base + f] = 0;
        this.others[base + f] = value;
        this.hasOthers = true;
      }
    }
  }

  /**
   * The last take's results copied out, oldest first (valid after the next add): a slice of each
   * of the ring's arrays, two where the take wraps round the ring's end (every take starts at the
   * ring's first entry, so only a take that overflowed the ring wraps). `others` is left empty
   * when every value ever kept was a number.
   */
  copy(): WindowBatchData {
    const from = this.first & MASK;
    const { size } = this;
    const fields = this.fields.length;
    return {
      size,
      fields,
      keys: unwrap(this.keys, from, size, 1),
      start: unwrap(this.start_, from, size, 1),
      end: unwrap(this.end_, from, size, 1),
      late: unwrap(this.late_, from, size, 1),
      numbers: unwrap(this.numbers, from, size, fields),
      isNumber: unwrap(this.isNumber, from, size, fields),
      others: this.hasOthers ? unwrap(this.others, from, size, fields) : [],
    };
  }

  /**
   * The results since the last take, oldest first, read in place (WindowBatch): valid until the
   * next add, so a frame folds them at once. No record object is made per result.
   */
  take(): WindowBatch | null {
    const kept = Math.min(this.added, RING);
    this.passedOver += this.added - kept;
    this.first = this.added - kept;
    this.size = kept;
    this.added = 0;
    return kept === 0 ? null : this;
  }

  /** Where the last take's result n sits in the ring. */
  private at(n: number): number {
    return (this.first + n) & MASK;
  }

  key(n: number): unknown {
    return this.keys[this.at(n)];
  }

  start(n: number): number {
    return this.start_[this.at(n)]!;
  }

  end(n: number): number {
    return this.end_[this.at(n)]!;
  }

  late(n: number): boolean {
    return this.late_[this.at(n)] === 1;
  }

  value(n: number, field: number): unknown {
    const at = this.at(n) * this.fields.length + field;
    return this.isNumber[at] === 1 ? this.numbers[at] : this.others[at];
  }
}

export class PendingOutputs {
  private readonly index: Map<string, number>;
  private readonly windows: (ResultRing | null)[];
  private feeds: FeedRecord[][];
  private readonly timeouts: number[];
  private count = 0;

  constructor(steps: readonly StepInfo[]) {
    this.index = new Map(steps.map((s, i) => [s.name, i]));
    this.windows = steps.map((s) => (s.kind === 'window' ? new ResultRing(s.fields) : null));
    this.feeds = steps.map(() => []);
    this.timeouts = steps.map(() => 0);
  }

  get empty(): boolean {
    return this.count === 0;
  }

  add = (record: OutputRecord): void => {
    const i = this.index.get(record.step);
    if (i === undefined) return;
    this.count++;
    if (record.kind === 'window') {
      this.windows[i]?.add(record);
      return;
    }
    if (record.kind === 'timeout') this.timeouts[i]!++;
    const feed = this.feeds[i]!;
    feed.push(record);
    // Trim in chunks, not per record: splice(0, 1) per record would be O(FEED_LIMIT) each.
    if (feed.length >= 2 * FEED_LIMIT) feed.splice(0, feed.length - FEED_LIMIT);
  };

  /**
   * The records since the last take: the feed items, and per window step its results in place
   * (valid until the next add: fold them at once); the timeouts and the results passed over, per
   * step, since the start.
   */
  take(): { outputs: FeedRecord[]; windows: (WindowBatch | null)[]; timeouts: number[]; passedOver: number[] } {
    const outputs: FeedRecord[] = [];
    const windows = this.windows.map((ring) => ring?.take() ?? null);
    for (const feed of this.feeds) outputs.push(...feed.slice(-FEED_LIMIT));
    this.feeds = this.feeds.map(() => []);
    this.count = 0;
    return { outputs, windows, timeouts: [...this.timeouts], passedOver: this.windows.map((ring) => ring?.passedOver ?? 0) };
  }

  /**
   * The last take's window results copied out of the rings (slices of their arrays, cloned to the
   * view's worker with its message), per step; null for a step with none.
   */
  copyTaken(): (WindowBatchData | null)[] {
    return this.windows.map((ring) => (ring === null || ring.size === 0 ? null : ring.copy()));
  }

  /**
   * The frame action for a view whose worker keeps the tables (run-live-view.ts): without the
   * window results, which come copied out for the worker (copyTaken); null when there are none.
   */
  workerFrame(stats: RunStats, counters: readonly StepCountersView[], quality?: QualityView): { action: Extract<LiveAction, { type: 'frame' }>; windows: (WindowBatchData | null)[] | null } {
    const { windows, ...action } = this.frame(stats, counters, quality);
    return { action, windows: windows?.some((batch) => batch !== null) ? this.copyTaken() : null };
  }

  /** The frame action of the records since the last take, with the replay's counters as they are now. */
  frame(stats: RunStats, counters: readonly StepCountersView[], quality?: QualityView): Extract<LiveAction, { type: 'frame' }> {
    return { type: 'frame', ...this.take(), stats, counters, ...(quality ? { quality } : {}) };
  }
}

/**
 * A batch of window results copied out of the ring as plain arrays, oldest first: what the runner
 * posts to the view's worker, which keeps the tables (cloned with the message, not transferred: a
 * transfer detaches the buffers, which slows every typed array read of the replay's thread, see
 * run-live-view.ts). Field f of result n at n × fields + f: a number, or (isNumber 0) the value in
 * `others`.
 */
export interface WindowBatchData {
  readonly size: number;
  readonly fields: number;
  readonly keys: unknown[];
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly late: Uint8Array;
  readonly numbers: Float64Array;
  readonly isNumber: Uint8Array;
  readonly others: unknown[];
}

/**
 * Entries from … from + count (wrapping round RING) of a ring's array of `per` values an entry,
 * in order: a slice, or two copied into one array where the entries wrap round the ring's end.
 */
function unwrap<T extends Float64Array | Uint8Array | unknown[]>(ring: T, from: number, count: number, per: number): T {
  const head = Math.min(count, RING - from);
  const first = ring.slice(from * per, (from + head) * per) as T;
  if (head === count) return first;
  const rest = ring.slice(0, (count - head) * per) as T;
  if (Array.isArray(first)) return first.concat(rest) as T;
  const whole = new (first.constructor as new (length: number) => Float64Array | Uint8Array)(count * per);
  whole.set(first as Float64Array | Uint8Array);
  whole.set(rest as Float64Array | Uint8Array, head * per);
  return whole as T;
}

/** A WindowBatchData read as a WindowBatch (to fold it). */
export class CopiedBatch implements WindowBatch {
  readonly size: number;

  constructor(private readonly data: WindowBatchData) {
    this.size = data.size;
  }

  key(n: number): unknown {
    return this.data.keys[n];
  }

  start(n: number): number {
    return this.data.start[n]!;
  }

  end(n: number): number {
    return this.data.end[n]!;
  }

  late(n: number): boolean {
    return this.data.late[n] === 1;
  }

  value(n: number, field: number): unknown {
    const at = n * this.data.fields + field;
    return this.data.isNumber[at] === 1 ? this.data.numbers[at] : this.data.others[at];
  }
}
