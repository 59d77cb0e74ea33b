/**
 * Durations as pipeline-spec.md fixes them: a number is milliseconds, a string is a number with
 * one unit of ms, s, m, h or d (500ms, 5s, 15m, 2h, 7d). Deliberately stricter than libraries
 * such as `ms`, which also take "15 minutes" or "1y": the spec promises one spelling, and
 * `sw export flink-sql` must translate every accepted value exactly.
 */
/** Milliseconds per unit, shared with CEL's duration() (src/engine/expression/time.ts). */
export const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** Milliseconds, or null when the value is not a duration. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/** The shortest exact spelling of a duration: 900000 → "15m", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Suggests the spec spelling for common long forms ("15 minutes" → "15m"), or null. */
export function suggestDuration(value: string): string | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(value);
  if (!match) return null;
  const word = match[2]!.toLowerCase();
  const unit = word.startsWith('mil') || word === 'msec' || word === 'msecs'
    ? 'ms'
    : word.startsWith('sec')
      ? 's'
      : word.startsWith('min')
        ? 'm'
        : word.startsWith('h')
          ? 'h'
          : word.startsWith('d')
            ? 'd'
            : null;
  return unit ? `${match[1]}${unit}` : null;
}

/**
 * Event time from a record's field value: epoch milliseconds (a number, or a string of digits)
 * or an ISO-8601 string. NaN when it is neither.
 */
export function parseEventTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value !== 'string' || value.length === 0) return NaN;
  const first = value.charCodeAt(0);
  if (value.length >= 10 && first >= 48 && first <= 57 && /^\d+$/.test(value)) return Number(value);
  // A date-time without a zone is read as UTC, not the machine's zone: results must not depend on TZ.
  if (value.length > 10 && value.charCodeAt(10) === 84 /* T */ && !ZONE.test(value)) return Date.parse(value + 'Z');
  return Date.parse(value);
}

const ZONE = /(Z|[+-]\d\d:?\d\d)$/i;
