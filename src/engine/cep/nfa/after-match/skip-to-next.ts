/** skipToNext: discard runs that start with the match's first event (the next match starts later). */
import { compareEvents, type BufferedEvent, type MatchPath } from '../shared-buffer.js';
import type { AfterMatchSkipStrategy } from './strategy.js';

export class SkipToNext implements AfterMatchSkipStrategy {
  readonly name = 'skipToNext';
  readonly isSkipStrategy = true;
  pruningEvent(match: readonly MatchPath<unknown>[]): BufferedEvent<unknown> | null {
    let pruning: BufferedEvent<unknown> | null = null;
    for (const path of match)
      for (const events of path.values()) {
        const first = events[0]!;
        if (pruning === null || compareEvents(first, pruning) < 0) pruning = first;
      }
    return pruning;
  }
  shouldPrune(start: BufferedEvent<unknown>, pruning: BufferedEvent<unknown>): boolean {
    return compareEvents(start, pruning) <= 0;
  }
}
