import { topLevel, type Check, type CheckContext, type Verdict } from '../rule.js';
import { RuleConfig } from '../rule-config.js';
import type { FieldRow } from '../../replay/field-reader.js';
import { eventTimeMs, formatDuration } from '../event-time.js';

/**
 * Freshness check (002 `_check_data_freshness`): a record's age is the clock minus its event time
 * and must not exceed `max_age` (default 300 s, the document's). The clock is the stream's own
 * event-time clock — the largest event time seen so far, so a late (stale) record is one that
 * arrives more than max_age behind the stream — or the wall clock for live input.
 * Score as the document: max(0, 1 − age / max_age). A missing or unreadable time scores 0.
 */
export function compileFreshness(config: RuleConfig, context: CheckContext): Check {
  config.onlyKeys(['timestamp_field', 'max_age', 'max_age_seconds']);
  const fieldName = config.string('timestamp_field', 'timestamp');
  const field = context.fields.ref(fieldName);
  const maxAge = config.duration('max_age', 'max_age_seconds', 300_000);
  const now = context.now;
  let eventClock = Number.NEGATIVE_INFINITY;
  let oldest = 0;

  return {
    reads: topLevel([fieldName]),
    evaluate(row: FieldRow, verdict: Verdict): boolean {
      const raw = field.read(row);
      const time = eventTimeMs(raw);
      if (Number.isNaN(time)) {
        verdict.score = 0;
        verdict.message = raw === undefined ? `no ${fieldName} field` : `${fieldName} is not an event time (epoch ms or ISO-8601)`;
        return false;
      }
      if (time > eventClock) eventClock = time;
      const age = (now === undefined ? eventClock : now()) - time;
      verdict.score = maxAge > 0 ? Math.max(0, 1 - age / maxAge) : age <= 0 ? 1 : 0;
      if (age <= maxAge) return true;
      if (age > oldest) oldest = age;
      verdict.message = `${formatAge(age)} old > max age ${formatDuration(maxAge)} (${now === undefined ? 'behind the stream clock' : 'behind now'})`;
      return false;
    },
    details: () => ({
      clock: now === undefined ? 'event time (max seen)' : 'now',
      max_age: formatDuration(maxAge),
      ...(oldest > 0 ? { oldest_failing_age: formatAge(oldest) } : {}),
    }),
  };
}

function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)}m`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${(ms / 86_400_000).toFixed(1)}d`;
}
