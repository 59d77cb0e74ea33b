import { UsageError } from '../errors.js';
import { parseSpan } from './rate-profile.js';
import type { Random } from './random.js';
import type { SynthEvent } from './domain.js';
import { TimeHeap } from './time-heap.js';

/**
 * Faults injected into background records (never into an injected case's records, so every
 * case stays detectable). `--faults` is a comma-separated list of <kind>:<fraction>[@<delay>]:
 *   late:0.01@30s-5m       1% of records written 30 s-5 min of event time after their place
 *                          (beyond a 5 s out-of-orderness bound: dropped or sent to late output)
 *   disorder:0.05@0-3s     5% written up to 3 s late (within the bound: reordered, not dropped)
 *   dup:0.005[@0-10s]      0.5% written twice (the copy right after, or after the delay)
 *   missing:0.002          0.2% lose one required field (userId, timestamp, ...)
 *   malformed:0.001        0.1% cut short: the line is not valid JSON
 * A delay is <min>-<max> (uniform) or exp:<mean> (exponential). Each record gets at most one
 * fault; fractions are of background records and must add up to at most 1.
 */
export type FaultKind = 'late' | 'disorder' | 'duplicate' | 'missing' | 'malformed';

export interface FaultRule {
  readonly kind: FaultKind;
  readonly fraction: number;
  /** Draws a delay in ms (0 for faults without one). */
  readonly delay: (random: Random) => number;
  readonly delayText: string;
}

const NAMES: Record<string, FaultKind> = { late: 'late', disorder: 'disorder', dup: 'duplicate', duplicate: 'duplicate', missing: 'missing', malformed: 'malformed' };
const DEFAULT_DELAY: Partial<Record<FaultKind, string>> = { late: '30s-5m', disorder: '0-3s' };

export function parseFaults(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  let total = 0;
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z]+):(\d*\.?\d+)(?:@(.+))?$/.exec(part);
    const kind = match ? NAMES[match[1]!] : undefined;
    if (!match || !kind) {
      throw new UsageError(`--faults ${spec}: "${part}" is not <kind>:<fraction>[@<delay>] with kind late, disorder, dup, missing or malformed`);
    }
    const fraction = Number(match[2]);
    if (!(fraction >= 0 && fraction <= 1)) throw new UsageError(`--faults ${spec}: the fraction in "${part}" must be between 0 and 1`);
    const delayText = match[3] ?? DEFAULT_DELAY[kind] ?? '0-0s';
    if (match[3] && (kind === 'missing' || kind === 'malformed')) throw new UsageError(`--faults ${spec}: "${part}": ${kind} takes no delay`);
    rules.push({ kind, fraction, delay: parseDelay(delayText, `--faults ${spec}`), delayText });
    total += fraction;
  }
  if (total > 1) throw new UsageError(`--faults ${spec}: the fractions add up to ${total}; keep them at most 1`);
  return rules;
}

function parseDelay(text: string, where: string): (random: Random) => number {
  const exp = /^exp:(.+)$/.exec(text);
  if (exp) {
    const mean = parseSpan(exp[1]!, where);
    return (random) => Math.round(random.exponential(mean));
  }
  const range = /^([^-]+)-(.+)$/.exec(text);
  if (!range) throw new UsageError(`${where}: the delay "${text}" must be <min>-<max> (e.g. 30s-5m) or exp:<mean> (e.g. exp:1m)`);
  const span = (value: string) => (value === '0' ? 0 : parseSpan(value, where));
  const min = span(range[1]!);
  const max = span(range[2]!);
  if (max < min) throw new UsageError(`${where}: the delay "${text}" has its maximum below its minimum`);
  return (random) => random.intBetween(min, max);
}

/** One line of the ground truth. */
export type TruthEntry = { kind: string; key: string | null; time: number; line: number } & Record<string, unknown>;

/** Writes a record and returns its 1-based line. */
export type WriteRecord = (event: SynthEvent, text: string) => number;

interface Held {
  readonly event: SynthEvent;
  readonly kind: FaultKind;
  readonly delay: number;
  /** For a delayed duplicate: the line of the original. */
  readonly of: number;
}

/** Applies fault rules to the time-ordered record stream on its way to the output. */
export class FaultStage {
  private readonly held = new TimeHeap<Held>();
  private readonly thresholds: number[] = [];
  private readonly write: WriteRecord;
  readonly counts: Record<FaultKind, number> = { late: 0, disorder: 0, duplicate: 0, missing: 0, malformed: 0 };
  /** The latest event time written so far. */
  private maxTime = -Infinity;

  constructor(
    private readonly rules: readonly FaultRule[],
    private readonly random: Random,
    private readonly requiredFieldsOf: (record: Record<string, unknown>) => readonly string[],
    write: WriteRecord,
    private readonly truth: (entry: TruthEntry) => void,
  ) {
    this.write = (event, text) => {
      if (event.time > this.maxTime) this.maxTime = event.time;
      return write(event, text);
    };
    let total = 0;
    for (const rule of rules) this.thresholds.push((total += rule.fraction));
  }

  push(event: SynthEvent): void {
    if (this.held.size > 0) this.release(event.time);
    if (event.owner !== null || this.rules.length === 0) {
      this.write(event, event.text);
      return;
    }
    const r = this.random.float();
    let index = 0;
    while (index < this.thresholds.length && r >= this.thresholds[index]!) index++;
    if (index === this.thresholds.length) {
      this.write(event, event.text);
      return;
    }
    const rule = this.rules[index]!;
    switch (rule.kind) {
      case 'late':
      case 'disorder': {
        const delay = rule.delay(this.random);
        if (delay <= 0) this.write(event, event.text);
        else this.held.push(event.time + delay, { event, kind: rule.kind, delay, of: 0 });
        return;
      }
      case 'duplicate': {
        const line = this.write(event, event.text);
        const delay = rule.delay(this.random);
        if (delay <= 0) this.duplicate(event, line, 0);
        else this.held.push(event.time + delay, { event, kind: 'duplicate', delay, of: line });
        return;
      }
      case 'missing': {
        const record = JSON.parse(event.text) as Record<string, unknown>;
        const present = this.requiredFieldsOf(record).filter((field) => field in record);
        if (present.length === 0) {
          this.write(event, event.text);
          return;
        }
        const field = present[this.random.int(present.length)]!;
        delete record[field];
        const line = this.write(event, JSON.stringify(record));
        this.note({ kind: 'missing', key: event.key, time: event.time, line, field });
        return;
      }
      case 'malformed': {
        // A proper prefix of a JSON object is never valid JSON: the object is not closed.
        const cut = 1 + this.random.int(event.text.length - 2);
        const line = this.write(event, event.text.slice(0, cut));
        this.note({ kind: 'malformed', key: event.key, time: event.time, line });
        return;
      }
    }
  }

  /** Writes every held record; call once at the end of the stream. */
  finish(): void {
    this.release(Infinity);
  }

  private release(upTo: number): void {
    while (this.held.size > 0 && this.held.peekTime() <= upTo) {
      const held = this.held.pop()!;
      if (held.kind === 'duplicate') {
        this.duplicate(held.event, held.of, held.delay);
        continue;
      }
      // The truth gives the lag a watermark sees: how far behind the latest record written so far
      // it is (about the drawn delay; less for records still held when the stream ends).
      const lag = this.maxTime - held.event.time;
      const line = this.write(held.event, held.event.text);
      if (lag > 0) this.note({ kind: held.kind, key: held.event.key, time: held.event.time, line, delay: lag, planned: held.delay });
    }
  }

  private duplicate(event: SynthEvent, of: number, delay: number): void {
    const line = this.write(event, event.text);
    this.note({ kind: 'duplicate', key: event.key, time: event.time, line, of, ...(delay > 0 ? { delay } : {}) });
  }

  private note(entry: TruthEntry): void {
    this.counts[entry.kind as FaultKind]++;
    this.truth(entry);
  }
}
