/**
 * timestamp() and duration() give plain numbers of milliseconds, the unit of event time in sw, so
 * `timestamp - timestamp('2026-01-01T00:00:00Z') < duration('7d')` is ordinary arithmetic.
 */
import { UNIT_MS } from '../duration.js';

/** RFC 3339 as CEL's timestamp() takes it, plus a bare date (UTC midnight). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2}))?$/;

/** Epoch milliseconds, or null when the text is not an RFC 3339 timestamp. */
export function parseTimestamp(text: string): number | null {
  if (!RFC3339.test(text) || !validDay(text)) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : ms;
}

/** Date.parse rolls 2026-02-30 over into March; a real day survives the round trip. */
function validDay(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/** One or more `<number><unit>` parts with the spec's units (500ms, 5s, 15m, 2h, 7d, 1h30m); may start with '-'. */
const DURATION = /^-?(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  if (!DURATION.test(text)) return null;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  return text.startsWith('-') ? -ms : ms;
}
