/**
 * Shared by skipToFirst / skipToLast (Flink's SkipToElementStrategy): prune runs that start strictly
 * before the chosen event of the named stage. With throwOnMiss, a match without that stage, or a skip
 * to the match's own first event (which would loop forever), is an error.
 */
import { compareEvents, type BufferedEvent, type MatchPath } from '../shared-buffer.js';

export class SkipToElementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SkipToElementError';
  }
}

export function pruningEventOf(
  match: readonly MatchPath<unknown>[],
  stage: string,
  pick: (events: readonly BufferedEvent<unknown>[]) => BufferedEvent<unknown>,
  throwOnMiss: boolean,
): BufferedEvent<unknown> | null {
  let pruning: BufferedEvent<unknown> | null = null;
  for (const path of match) {
    const events = path.get(stage);
    if (events === undefined || events.length === 0) {
      if (throwOnMiss) throw new SkipToElementError(`Could not skip to ${stage}. No such element in the found match`);
    } else {
      const candidate = pick(events);
      if (pruning === null || compareEvents(candidate, pruning) > 0) pruning = candidate;
    }
    if (throwOnMiss) {
      let first: BufferedEvent<unknown> | null = null;
      for (const list of path.values()) for (const e of list) if (first === null || compareEvents(e, first) < 0) first = e;
      // The same event (extractPatterns hands out a new object per path: compared by (time, seq)).
      if (pruning !== null && first !== null && compareEvents(pruning, first) === 0) throw new SkipToElementError('Could not skip to first element of a match.');
    }
  }
  return pruning;
}

export function prunesBefore(start: BufferedEvent<unknown>, pruning: BufferedEvent<unknown>): boolean {
  return compareEvents(start, pruning) < 0;
}
