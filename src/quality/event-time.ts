/**
 * Event time and durations as pipeline-spec.md writes them: an event time is epoch ms (number) or
 * an ISO-8601 string; a duration is a number of ms or `500ms`, `5s`, `15m`, `2h`, `7d`.
 */

/** Epoch ms of an event-time value, or NaN when it is neither a finite number nor an ISO-8601 date. */
export function eventTimeMs(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'string' && value.length >= 10) {
    // Date.parse also accepts loose forms ("March 7"); a digit-led check keeps it to ISO-like input.
    const first = value.charCodeAt(0);
    if (first < 48 || first > 57) return Number.NaN;
    return Date.parse(value);
  }
  return Number.NaN;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration, or NaN when it is not one. */
export function durationMs(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : Number.NaN;
  if (typeof value !== 'string') return Number.NaN;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
  if (!match) return Number.NaN;
  return Number(match[1]) * UNIT_MS[match[2] as string]!;
}

/** `300000` → `5m`: the largest unit that divides the duration. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
