/**
 * Measures a recording for sizing: mean rate and peak-to-mean ratio of per-second counts (event
 * time), event size, key cardinality and skew, and event-time disorder. Pure: the caller feeds
 * parsed records with their byte length; see measure-recording.ts for the file reading.
 */
import { pathReader } from '../engine/compile-pipeline.js';
import { parseEventTime } from '../engine/duration.js';
import { DisorderTracker, type Disorder } from './lateness.js';

/** A key to measure: one or several dotted paths (several make a composite key). */
export interface KeyField {
  readonly name: string;
  readonly paths: readonly string[];
}

export interface KeyProfile {
  readonly name: string;
  /** Records that had the key (every path present). */
  readonly records: number;
  readonly distinct: number;
  /** True when counting stopped at the distinct-key cap, so `distinct` is a lower bound. */
  readonly capped: boolean;
  readonly topKey: string | null;
  /** The most frequent key's share of records with the key. */
  readonly topShare: number;
  /** The most frequent key's count over the mean count per key (1 = perfectly even). */
  readonly skew: number;
}

export interface RecordingProfile {
  readonly records: number;
  /** Lines that were not a JSON object. */
  readonly unreadable: number;
  /** Records without a usable event time (missing, not a number or ISO-8601 string). */
  readonly missingTime: number;
  readonly timeField: string;
  readonly firstEventTime: number | null;
  readonly lastEventTime: number | null;
  /** Seconds from the first to the last per-second bucket, inclusive. */
  readonly seconds: number;
  readonly meanEventsPerSec: number;
  readonly peakEventsPerSec: number;
  readonly peakToMean: number;
  readonly meanEventBytes: number;
  readonly maxEventBytes: number;
  readonly keys: readonly KeyProfile[];
  readonly disorder: Disorder;
}

/** Past this many distinct keys per field, new keys are no longer stored (about 100 MB of strings). */
export const MAX_DISTINCT_KEYS = 2_000_000;

class KeyCounter {
  readonly counts = new Map<string, number>();
  private readonly readers: Array<(record: Record<string, unknown>) => unknown>;
  records = 0;
  capped = false;

  constructor(readonly field: KeyField) {
    this.readers = field.paths.map((path) => pathReader(path));
  }

  add(record: Record<string, unknown>): void {
    let key: string;
    if (this.readers.length === 1) {
      const value = this.readers[0]!(record);
      if (value === undefined || value === null) return;
      key = typeof value === 'string' ? value : JSON.stringify(value);
    } else {
      const parts: unknown[] = [];
      for (const read of this.readers) {
        const value = read(record);
        if (value === undefined || value === null) return;
        parts.push(value);
      }
      key = JSON.stringify(parts);
    }
    this.records++;
    const count = this.counts.get(key);
    if (count !== undefined) this.counts.set(key, count + 1);
    else if (this.counts.size < MAX_DISTINCT_KEYS) this.counts.set(key, 1);
    else this.capped = true;
  }

  finish(): KeyProfile {
    let topKey: string | null = null;
    let topCount = 0;
    for (const [key, count] of this.counts) {
      if (count > topCount) {
        topKey = key;
        topCount = count;
      }
    }
    const distinct = this.counts.size;
    const mean = distinct === 0 ? 0 : this.records / distinct;
    return {
      name: this.field.name,
      records: this.records,
      distinct,
      capped: this.capped,
      topKey,
      topShare: this.records === 0 ? 0 : topCount / this.records,
      skew: mean === 0 ? 0 : topCount / mean,
    };
  }
}

export class RecordingProfiler {
  private records = 0;
  private unreadable = 0;
  private missingTime = 0;
  private bytes = 0;
  private maxBytes = 0;
  private firstTime: number | null = null;
  private lastTime: number | null = null;
  private minTime = Infinity;
  private maxTime = -Infinity;
  /** Records per event-time second; a day of data is 86,400 entries. */
  private readonly perSecond = new Map<number, number>();
  private readonly disorder = new DisorderTracker();
  private readonly keyCounters: KeyCounter[];
  private readonly readTime: (record: Record<string, unknown>) => unknown;

  constructor(
    readonly timeField: string,
    keys: readonly KeyField[],
  ) {
    this.keyCounters = keys.map((field) => new KeyCounter(field));
    this.readTime = pathReader(timeField);
  }

  addUnreadable(): void {
    this.unreadable++;
  }

  add(record: Record<string, unknown>, byteLength: number): void {
    this.records++;
    this.bytes += byteLength;
    if (byteLength > this.maxBytes) this.maxBytes = byteLength;
    for (const counter of this.keyCounters) counter.add(record);
    // Epoch ms or ISO-8601, read exactly as replay reads it (a zone-less date-time is UTC).
    const time = parseEventTime(this.readTime(record));
    if (Number.isNaN(time)) {
      this.missingTime++;
      return;
    }
    if (this.firstTime === null) this.firstTime = time;
    this.lastTime = time;
    if (time < this.minTime) this.minTime = time;
    if (time > this.maxTime) this.maxTime = time;
    const second = Math.floor(time / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
    this.disorder.add(time);
  }

  finish(): RecordingProfile {
    const timed = this.records - this.missingTime;
    let peak = 0;
    for (const count of this.perSecond.values()) if (count > peak) peak = count;
    // Seconds span the first to the last bucket, empty seconds included: a quiet second lowers the mean.
    const seconds = timed === 0 ? 0 : Math.floor(this.maxTime / 1000) - Math.floor(this.minTime / 1000) + 1;
    const mean = seconds === 0 ? 0 : timed / seconds;
    return {
      records: this.records,
      unreadable: this.unreadable,
      missingTime: this.missingTime,
      timeField: this.timeField,
      firstEventTime: this.firstTime,
      lastEventTime: this.lastTime,
      seconds,
      meanEventsPerSec: mean,
      peakEventsPerSec: peak,
      peakToMean: mean === 0 ? 0 : peak / mean,
      meanEventBytes: this.records === 0 ? 0 : this.bytes / this.records,
      maxEventBytes: this.maxBytes,
      keys: this.keyCounters.map((counter) => counter.finish()),
      disorder: this.disorder.finish(),
    };
  }
}

/** Names tried, in order, when no --key is given and no pipeline names one. */
const LIKELY_KEYS = ['userId', 'user_id', 'accountId', 'account_id', 'customerId', 'customer_id', 'deviceId', 'device_id', 'contentId', 'product_id', 'productId', 'key'];

/** Per-record identifiers make poor keys (every key seen once). */
const UNIQUE_IDS = /^(event|transaction|order|message|record|request)_?id$/i;

/**
 * Guesses the key field from the first record: a familiar entity id (userId, account_id, ...),
 * else the first top-level field named like an id that is not a per-record id.
 */
export function guessKeyField(record: Record<string, unknown>): string | null {
  for (const name of LIKELY_KEYS) if (record[name] !== undefined && record[name] !== null) return name;
  for (const [name, value] of Object.entries(record)) {
    if ((typeof value === 'string' || typeof value === 'number') && /(Id|_id)$/.test(name) && !UNIQUE_IDS.test(name)) return name;
  }
  return null;
}
