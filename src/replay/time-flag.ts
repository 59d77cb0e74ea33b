import { parseEventTime } from '../engine/duration.js';
import { UsageError } from '../errors.js';

/** A time flag (--from, --to, --from-timestamp): ISO-8601 or epoch ms. */
export function parseTimeFlag(flag: string, text: string): number {
  const time = parseEventTime(/^-?\d+$/.test(text) ? Number(text) : text);
  if (Number.isNaN(time)) throw new UsageError(`${flag} ${text}: not a time; use ISO-8601 (2026-01-01T10:00:00Z) or epoch ms`);
  return time;
}
