import type { Check, Verdict } from '../rule.js';
import { RuleConfig } from '../rule-config.js';
import { fieldReader, valueKey, type FieldReader } from '../field-path.js';
import { eventTimeMs, formatDuration } from '../event-time.js';

/**
 * Duplicate check (002 `_check_duplicate_detection`): a record whose key fields equal those of an
 * earlier record less than `window` apart in event time (default 1 h, the document's
 * window_size 3600) is a duplicate, score 0. As in the document the first occurrence is kept.
 *
 * Memory is bounded two ways:
 * 1. keys whose first occurrence is older than the stream's event-time clock minus the window are
 *    evicted (a FIFO queue in arrival order, so eviction is O(1) per record);
 * 2. at most `max_keys` keys (default 1,000,000, about 100 MB of short keys) are kept; beyond it
 *    the oldest are dropped early and the report says how many, since a duplicate of a dropped
 *    key can no longer be seen.
 * A record missing a key field is not checked (completeness reports the gap).
 */
const DEFAULT_MAX_KEYS = 1_000_000;
/** The queue's consumed prefix is cut once it is this long, so compaction costs O(1) amortized per record. */
const COMPACT_AT = 1 << 16;

export function compileDuplicates(config: RuleConfig): Check {
  config.onlyKeys(['key_fields', 'window', 'window_size', 'timestamp_field', 'max_keys']);
  const keyFields = config.fieldList('key_fields');
  const readers: FieldReader[] = keyFields.map(fieldReader);
  const window = config.duration('window', 'window_size', 3_600_000);
  const timeField = config.string('timestamp_field', 'timestamp');
  const readTime = fieldReader(timeField);
  const maxKeys = config.number('max_keys', { fallback: DEFAULT_MAX_KEYS, min: 1 });

  const firstSeen = new Map<string, number>();
  let queueKeys: string[] = [];
  let queueTimes: number[] = [];
  let head = 0;
  let clock = 0;
  let evictedByCap = 0;
  let peakKeys = 0;

  function keyOf(record: Record<string, unknown>): string | undefined {
    if (readers.length === 1) {
      const value = readers[0]!(record);
      return value === undefined || value === null ? undefined : valueKey(value);
    }
    let key = '';
    for (let i = 0; i < readers.length; i++) {
      const value = readers[i]!(record);
      if (value === undefined || value === null) return undefined;
      // \u0001 cannot occur in JSON text unescaped, so joined keys never collide.
      key += i === 0 ? valueKey(value) : `\u0001${valueKey(value)}`;
    }
    return key;
  }

  function evict(): void {
    const horizon = clock - window;
    while (head < queueKeys.length) {
      const overCap = firstSeen.size > maxKeys;
      if (!overCap && queueTimes[head]! >= horizon) break;
      const key = queueKeys[head]!;
      // A key re-admitted after leaving the window has a newer entry further on; skip the stale one.
      if (firstSeen.get(key) === queueTimes[head]) {
        firstSeen.delete(key);
        if (overCap) evictedByCap++;
      }
      head++;
    }
    if (head >= COMPACT_AT && head * 2 >= queueKeys.length) {
      queueKeys = queueKeys.slice(head);
      queueTimes = queueTimes.slice(head);
      head = 0;
    }
  }

  return {
    evaluate(record: Record<string, unknown>, verdict: Verdict): boolean {
      const key = keyOf(record);
      if (key === undefined) {
        verdict.score = 1;
        return true;
      }
      const parsed = eventTimeMs(readTime(record));
      const time = Number.isNaN(parsed) ? clock : parsed;
      if (time > clock) clock = time;
      const seen = firstSeen.get(key);
      if (seen !== undefined && Math.abs(time - seen) < window) {
        verdict.score = 0;
        verdict.message = `duplicate of ${keyFields.join('+')} = ${key.replaceAll('\u0001', '+')} seen ${formatDuration(Math.abs(time - seen))} earlier in event time`;
        return false;
      }
      firstSeen.set(key, time);
      queueKeys.push(key);
      queueTimes.push(time);
      if (firstSeen.size > peakKeys) peakKeys = firstSeen.size;
      evict();
      verdict.score = 1;
      return true;
    },
    details: () => ({
      window: formatDuration(window),
      keys_held: firstSeen.size,
      peak_keys: peakKeys,
      max_keys: maxKeys,
      ...(evictedByCap > 0 ? { evicted_by_cap: evictedByCap } : {}),
    }),
  };
}
