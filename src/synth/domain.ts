import type { Random } from './random.js';

/**
 * What every domain generator (media, ecommerce, financial) gives the synthesizer.
 * A generator owns its entities and their behaviour; the synthesizer owns the clock, the rate
 * profile, case scheduling, faults and the output.
 */

/** One record of the synthesized stream, already serialized. */
export interface SynthEvent {
  /** Event time, epoch ms. */
  readonly time: number;
  /** The record key a Kafka producer would use (user, product, ...). */
  readonly key: string;
  /** The stream (Kafka topic) the record belongs to. */
  readonly topic: string;
  /** The record as one line of JSON. */
  readonly text: string;
  /** The injected case this record belongs to, or null for background. */
  readonly owner: InjectedCase | null;
}

/** One injected case: its events are written with `owner` set; the truth lists it once its completing event is written. */
export class InjectedCase {
  /** Output lines of the case's events, in the order written. */
  readonly lines: number[] = [];
  /** Number of events the case has; set by `CaseBuilder.build`. */
  total = 0;
  /** The line of the event at which a detector first fires (see `completes`). */
  completingLine = 0;

  constructor(
    readonly kind: string,
    readonly key: string | null,
    /** Index (in event order) of the event that completes the pattern: the 4th watch of a binge, ... */
    public completes: number,
    readonly details: Record<string, unknown>,
  ) {}

}

/** Collects a case's events in time order; reserved entities make them free of interleaved background. */
export class CaseBuilder {
  readonly events: SynthEvent[] = [];
  readonly case: InjectedCase;
  private completing: SynthEvent | null = null;

  constructor(kind: string, key: string | null, details: Record<string, unknown> = {}) {
    this.case = new InjectedCase(kind, key, -1, details);
  }

  add(time: number, key: string, topic: string, text: string): void {
    this.events.push({ time, key, topic, text, owner: this.case });
  }

  /** Marks the event just added as the one that completes the pattern. */
  completesHere(): void {
    this.completing = this.events[this.events.length - 1]!;
  }

  build(): SynthEvent[] {
    // Stable sort keeps same-millisecond events in the order they were added.
    this.events.sort((a, b) => a.time - b.time);
    this.case.total = this.events.length;
    this.case.completes = this.completing ? this.events.indexOf(this.completing) : this.events.length - 1;
    const first = this.events[0]!.time;
    const last = this.events[this.events.length - 1]!.time;
    Object.assign(this.case.details, { start: first, end: last });
    return this.events;
  }
}

export interface DomainSettings {
  readonly seed: number;
  /** Number of users / shoppers / account holders. */
  readonly entities: number;
  /** Zipf exponent of item popularity (content, products, merchants). */
  readonly skew: number;
  /** Zipf exponent of how active users are. */
  readonly userSkew: number;
  /** First and (expected) last event time of the run. */
  readonly start: number;
  readonly end: number;
}

export interface CaseKind {
  readonly kind: string;
  /** Event time the case needs from its start; a case is only planned where it fits in the run. */
  readonly span: number;
}

export interface Domain {
  readonly name: string;
  readonly cases: readonly CaseKind[];
  /** Top-level fields a `missing` fault may remove. */
  readonly requiredFields: readonly string[];
  /**
   * The required fields of one record when they depend on its shape (default: requiredFields).
   * A `missing` fault only removes a field the record's shape requires, so that every one is a
   * fault the built-in quality rules can see.
   */
  requiredFieldsOf?(record: Record<string, unknown>): readonly string[];
  /** Appends the background record(s) of one tick at `time` (usually one; a purchase writes several). */
  background(time: number, out: SynthEvent[]): void;
  /** The events of one case starting at or after `time`, or null when no entity fits (the case is skipped). */
  openCase(kind: string, time: number): SynthEvent[] | null;
  /** Why the last `openCase` returned null, when it is not "no entity fitted". */
  readonly skipReason?: string;
}

/**
 * Entities that cases reserve: background never picks an entity before `busyUntil`, so a case's
 * events for that entity are exactly the ones it wrote (a binge has nothing in between). Background
 * holds an entity it drew for the rest of that millisecond (pickFree), so no case or background
 * event of the same entity shares its millisecond.
 */
export class Reservations {
  private readonly busyUntil: Float64Array;

  constructor(count: number) {
    this.busyUntil = new Float64Array(count);
  }

  isFree(index: number, time: number): boolean {
    return this.busyUntil[index]! <= time;
  }

  reserve(index: number, until: number): void {
    if (until > this.busyUntil[index]!) this.busyUntil[index] = until;
  }

  /** A free entity drawn by `draw` that satisfies `fits`, or -1 after `tries` attempts. */
  find(time: number, random: Random, draw: (random: Random) => number, fits: (index: number) => boolean, tries = 200): number {
    for (let i = 0; i < tries; i++) {
      const index = draw(random);
      if (this.isFree(index, time) && fits(index)) return index;
    }
    return -1;
  }
}

/**
 * The same text as one flat string. A template literal makes a rope (a tree of pieces); a piece
 * kept per entity and spliced into every record would be walked again each time a record is
 * written out. Made flat once (decoded from its bytes), it is copied in one go.
 */
export function flat(text: string): string {
  const copy = Buffer.from(text, 'utf8').toString('utf8');
  return copy === text ? copy : text;
}

/** JSON string literal of a value known to need no escaping beyond what JSON.stringify does once. */
export const quote = (text: string): string => JSON.stringify(text);

/**
 * Draws a background entity that no case holds: a few Zipf draws, then a linear probe. The entity
 * is then held for the rest of this millisecond: two background events of one user in one
 * millisecond (two ticks of the Poisson clock floor to the same ms, and a hot user is drawn twice)
 * can be byte-identical — a browse or a search carries nothing else — and a quality check rightly
 * reports them as exact duplicates (media: ~14 per million events before this). A redraw happens
 * once per ~10^5 events at 100 events/s, so the distributions do not move.
 */
export function pickFree(reservations: Reservations, time: number, random: Random, draw: (random: Random) => number, count: number): number {
  const index = drawFree(reservations, time, random, draw, count);
  if (index >= 0) reservations.reserve(index, time + 1);
  return index;
}

function drawFree(reservations: Reservations, time: number, random: Random, draw: (random: Random) => number, count: number): number {
  for (let i = 0; i < 4; i++) {
    const index = draw(random);
    if (reservations.isFree(index, time)) return index;
  }
  const from = random.int(count);
  for (let i = 0; i < count; i++) {
    const index = (from + i) % count;
    if (reservations.isFree(index, time)) return index;
  }
  return -1;
}

const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * An epoch-ms time as JSON text. Times above 2^31 are heap doubles whose generic formatting cost
 * ~0.8 µs per record here (more than building the rest of it); three small integers go through
 * V8's cached small-integer path: 3.5x faster, same text.
 */
export function epochText(time: number): string {
  if (!(time >= 1_000_000) || time > Number.MAX_SAFE_INTEGER || time !== Math.floor(time)) return String(time);
  const high = Math.floor(time / 1_000_000);
  const low = time - high * 1_000_000;
  const mid = (low / 1000) | 0;
  return `${high}${THREE_DIGITS[mid]}${THREE_DIGITS[low - mid * 1000]}`;
}
