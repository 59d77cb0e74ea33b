import { UsageError } from '../errors.js';

/**
 * How many events per second the synthesized stream carries at each instant of event time.
 *   constant:200/s                 200 events per event-time second (also /m, /h)
 *   diurnal:20-400/s[@20h]         a daily cosine between 20/s and 400/s, peaking at 20:00 UTC
 *                                  (the trough is 12 hours from the peak)
 *   spike:200/s,x10,2m/1h          200/s, and every hour a 2-minute spike at 10x; the first spike
 *                                  starts half a period into the run
 * Every spike is a traffic anomaly the ground truth lists (kind traffic_spike).
 */
export interface RateProfile {
  readonly text: string;
  /** Events per millisecond of event time at `time` (epoch ms). */
  rateAt(time: number): number;
  /** Spike intervals [start, end) within [from, to). */
  spikes(from: number, to: number): Array<{ start: number; end: number }>;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A span of event time: a number with one unit of ms, s, m, h or d (the spelling pipeline specs use). */
export function parseSpan(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new UsageError(`${what}: "${text}" is not a duration; write a number with ms, s, m, h or d (e.g. 30s, 15m, 1d)`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

function parsePerSecond(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\/(s|m|h)$/.exec(text.trim());
  if (!match) throw new UsageError(`${what}: "${text}" is not a rate; write events per unit like 200/s, 3000/m or 50000/h`);
  const perSecond = (Number(match[1]) * 1000) / UNIT_MS[match[2]!]!;
  if (!(perSecond > 0)) throw new UsageError(`${what}: the rate must be above zero`);
  return perSecond;
}

/** `start` is the run's first event time: spikes are placed relative to it. */
export function parseRateProfile(text: string, start: number): RateProfile {
  const where = `--rate ${text}`;
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const body = colon < 0 ? '' : text.slice(colon + 1);
  switch (kind) {
    case 'constant': {
      const perMs = parsePerSecond(body, where) / 1000;
      return { text, rateAt: () => perMs, spikes: () => [] };
    }
    case 'diurnal': {
      const match = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)\/(s|m|h)(?:@(\d{1,2})h)?$/.exec(body);
      if (!match) throw new UsageError(`${where}: write diurnal:<low>-<high>/s[@<peak hour>h], e.g. diurnal:20-400/s@20h`);
      const low = parsePerSecond(`${match[1]}/${match[3]}`, where) / 1000;
      const high = parsePerSecond(`${match[2]}/${match[3]}`, where) / 1000;
      const peakHour = match[4] === undefined ? 20 : Number(match[4]);
      if (high < low || peakHour > 23) throw new UsageError(`${where}: the high rate must be at least the low one and the peak hour 0-23`);
      const day = UNIT_MS.d!;
      return {
        text,
        rateAt: (time) => {
          const phase = (((time - peakHour * UNIT_MS.h!) % day) + day) % day;
          return low + ((high - low) * (1 + Math.cos((2 * Math.PI * phase) / day))) / 2;
        },
        spikes: () => [],
      };
    }
    case 'spike': {
      const parts = body.split(',');
      const factor = /^x(\d+(?:\.\d+)?)$/.exec(parts[1] ?? '');
      const lengths = (parts[2] ?? '').split('/');
      if (parts.length !== 3 || !factor || lengths.length !== 2) {
        throw new UsageError(`${where}: write spike:<rate>,x<factor>,<length>/<period>, e.g. spike:200/s,x10,2m/1h`);
      }
      const base = parsePerSecond(parts[0]!, where) / 1000;
      const times = Number(factor[1]);
      const length = parseSpan(lengths[0]!, where);
      const period = parseSpan(lengths[1]!, where);
      if (!(times >= 1) || length <= 0 || length >= period) {
        throw new UsageError(`${where}: the factor must be at least 1 and the spike shorter than its period`);
      }
      // Spikes sit at period/2 + k·period from the run's start, so a run shorter than half a period has none.
      const inSpike = (time: number) => {
        const at = (((time - start - period / 2) % period) + period) % period;
        return at < length;
      };
      return {
        text,
        rateAt: (time) => (inSpike(time) ? base * times : base),
        spikes: (from, to) => {
          const out: Array<{ start: number; end: number }> = [];
          for (let at = start + period / 2; at < to; at += period) {
            if (at + length > from) out.push({ start: Math.max(at, from), end: Math.min(at + length, to) });
          }
          return out;
        },
      };
    }
    default:
      throw new UsageError(`${where}: unknown profile "${kind}"; use constant:200/s, diurnal:20-400/s or spike:200/s,x10,2m/1h`);
  }
}

/** The event time at which `count` events are expected, integrating the profile minute by minute. */
export function expectedEnd(profile: RateProfile, start: number, count: number): number {
  const step = 60_000;
  let time = start;
  let total = 0;
  for (;;) {
    const inStep = profile.rateAt(time) * step;
    if (total + inStep >= count) return time + ((count - total) / inStep) * step;
    total += inStep;
    time += step;
  }
}

/** The number of events expected in [start, end). */
export function expectedCount(profile: RateProfile, start: number, end: number): number {
  const step = 60_000;
  let total = 0;
  for (let time = start; time < end; time += step) total += profile.rateAt(time) * Math.min(step, end - time);
  return total;
}
