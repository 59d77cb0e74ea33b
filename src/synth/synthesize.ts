import { Random } from './random.js';
import { parseRateProfile, expectedEnd, expectedCount, type RateProfile } from './rate-profile.js';
import { FaultStage, parseFaults, type TruthEntry } from './faults.js';
import { TimeHeap } from './time-heap.js';
import type { Domain, DomainSettings, InjectedCase, SynthEvent } from './domain.js';
import { MediaGenerator } from './media.js';
import { EcommerceGenerator } from './ecommerce.js';
import { FinancialGenerator } from './financial.js';

/**
 * The synthesizer: a clock driven by the rate profile ticks through event time; at each tick
 * the domain's background behaviour writes a record, planned cases inject theirs, and the
 * fault stage delays, duplicates or damages background records on their way to the output.
 * Nothing reads the wall clock, so the same request gives the same bytes.
 */

export const DOMAINS = ['media', 'ecommerce', 'financial'] as const;
export type DomainName = (typeof DOMAINS)[number];

export interface SynthRequest {
  readonly domain: DomainName;
  readonly seed: number;
  /** Stop after this many events (duplicates add their copies on top). */
  readonly count?: number;
  /** Or stop at this much event time (ms). */
  readonly duration?: number;
  /** First event time, epoch ms. */
  readonly start: number;
  readonly rate: string;
  readonly entities: number;
  readonly skew: number;
  readonly userSkew: number;
  readonly faults?: string;
  /** Injected cases per kind; default one per 10,000 expected events, at least 2. */
  readonly cases?: number;
}

/** Where records go: JSONL or a SQLite recording. `write` is synchronous; `flush` drains. */
export interface SynthOutput {
  write(text: string, time: number, key: string, topic: string): void;
  /** True when enough is buffered that the synthesizer should await `flush`. */
  readonly wantsFlush: boolean;
  /** True when nobody reads the output any more (a closed pipe): generation stops. */
  readonly stopped?: boolean;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface SynthSummary {
  readonly domain: DomainName;
  readonly events: number;
  readonly lines: number;
  readonly start: number;
  readonly end: number;
  /** Written cases per kind, and kinds planned but not written (with why). */
  readonly cases: Record<string, number>;
  readonly skipped: Record<string, string>;
  readonly faults: Record<string, number>;
  /** The ground truth, ordered by line. */
  readonly truth: TruthEntry[];
}

export function createDomain(name: DomainName, settings: DomainSettings): Domain {
  switch (name) {
    case 'media':
      return new MediaGenerator(settings);
    case 'ecommerce':
      return new EcommerceGenerator(settings);
    case 'financial':
      return new FinancialGenerator(settings);
  }
}

interface PlannedCase {
  readonly time: number;
  readonly kind: string;
}

export async function synthesize(
  request: SynthRequest,
  output: SynthOutput,
  progress?: (events: number, fraction: number) => void,
): Promise<SynthSummary> {
  const profile = parseRateProfile(request.rate, request.start);
  const rules = request.faults ? parseFaults(request.faults) : [];
  const start = request.start;
  const byCount = request.count !== undefined;
  const end = byCount ? Math.ceil(expectedEnd(profile, start, request.count!)) : start + request.duration!;
  const expected = byCount ? request.count! : expectedCount(profile, start, end);
  const domain = createDomain(request.domain, {
    seed: request.seed,
    entities: request.entities,
    skew: request.skew,
    userSkew: request.userSkew,
    start,
    end,
  });

  const skipped: Record<string, string> = {};
  const plan = planCases(domain, request, start, end, expected, skipped);
  const truth: TruthEntry[] = [];
  const written: Record<string, number> = {};
  const spikes = profile.spikes(start, end);
  let spikeIndex = 0;
  let lines = 0;

  const write = (event: SynthEvent, text: string): number => {
    output.write(text, event.time, event.key, event.topic);
    lines++;
    // The first record inside each spike marks the traffic anomaly's line.
    while (spikeIndex < spikes.length && event.time >= spikes[spikeIndex]!.start) {
      const spike = spikes[spikeIndex++]!;
      if (event.time < spike.end) truth.push({ kind: 'traffic_spike', key: null, time: spike.start, line: lines, end: spike.end, rate: request.rate });
    }
    if (event.owner) noteCaseLine(event.owner, lines);
    return lines;
  };
  // A case is in the truth once its completing record is written (a --count run may cut its
  // tail); `lines` is the live list, so it ends up holding every record that was written.
  const noteCaseLine = (owner: InjectedCase, line: number) => {
    const completing = owner.lines.length === owner.completes;
    owner.lines.push(line);
    if (completing) {
      owner.completingLine = line;
      const events = owner.details as { start: number; end: number };
      truth.push({ kind: owner.kind, key: owner.key, time: completingTime(owner), line, ...owner.details, start: events.start, end: events.end, lines: owner.lines });
      written[owner.kind] = (written[owner.kind] ?? 0) + 1;
    }
  };
  const caseTimes = new Map<InjectedCase, number[]>();
  const completingTime = (owner: InjectedCase) => caseTimes.get(owner)![owner.completes]!;

  const faults = new FaultStage(rules, new Random(request.seed, 'faults'), (record) => domain.requiredFieldsOf?.(record) ?? domain.requiredFields, write, (entry) => truth.push(entry));
  const injected = new TimeHeap<SynthEvent>();
  const clock = new Random(request.seed, 'clock');
  const batch: SynthEvent[] = [];
  const limit = byCount ? request.count! : Infinity;
  let events = 0;
  let planIndex = 0;
  let now = start;
  let nextProgress = 1 << 16;

  while (events < limit) {
    now += clock.exponential(1 / profile.rateAt(now));
    const time = Math.floor(now);
    if (!byCount && time >= end) break;
    while (planIndex < plan.length && plan[planIndex]!.time <= time) {
      const planned = plan[planIndex++]!;
      // At the current tick, not the planned time: nothing may be written before what is already out.
      const caseEvents = domain.openCase(planned.kind, time);
      if (!caseEvents) {
        skipped[planned.kind] ??= domain.skipReason ?? 'no free entity fitted at the planned time';
        continue;
      }
      caseTimes.set(caseEvents[0]!.owner!, caseEvents.map((e) => e.time));
      for (const e of caseEvents) injected.push(e.time, e);
    }
    while (injected.size > 0 && injected.peekTime() <= time && events < limit) {
      faults.push(injected.pop()!);
      events++;
    }
    batch.length = 0;
    domain.background(time, batch);
    for (let i = 0; i < batch.length && events < limit; i++) {
      faults.push(batch[i]!);
      events++;
    }
    if (output.wantsFlush) {
      await output.flush();
      if (output.stopped) break;
    }
    if (progress && events >= nextProgress) {
      nextProgress = events + (1 << 16);
      progress(events, byCount ? events / limit : (time - start) / (end - start));
    }
  }
  // Case events beyond the end are not written; a case whose completing record was not written is not in the truth.
  faults.finish();
  await output.flush();
  for (const kind of Object.keys(skipped)) if (written[kind]) delete skipped[kind];
  truth.sort((a, b) => a.line - b.line || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return { domain: request.domain, events, lines, start, end: Math.max(end, Math.floor(now)), cases: written, skipped, faults: { ...faults.counts }, truth };
}

/** Spreads each kind's cases evenly over the part of the run where they fit, with seeded jitter. */
function planCases(domain: Domain, request: SynthRequest, start: number, end: number, expected: number, skipped: Record<string, string>): PlannedCase[] {
  const random = new Random(request.seed, 'cases');
  const perKind = request.cases ?? Math.max(2, Math.round(expected / 10_000));
  const plan: PlannedCase[] = [];
  if (perKind === 0) return plan;
  for (const { kind, span } of domain.cases) {
    // Leave 5% at the end: a --count run may stop slightly before the expected end.
    const usable = (end - start) * 0.95 - span;
    if (usable <= 0) {
      skipped[kind] = `needs ${Math.ceil(span / 60_000)} min of event time; the run has ${Math.floor((end - start) / 60_000)} min`;
      continue;
    }
    const slot = usable / perKind;
    for (let i = 0; i < perKind; i++) plan.push({ time: Math.floor(start + slot * (i + 0.1 + 0.8 * random.float())), kind });
  }
  plan.sort((a, b) => a.time - b.time);
  return plan;
}

export type { RateProfile };
