/** skipPastLastEvent: discard runs that start at or before the match's last event (no overlap). */
import { compareEvents, type BufferedEvent, type MatchPath } from '../shared-buffer.js';
import type { AfterMatchSkipStrategy } from './strategy.js';

export class SkipPastLastEvent implements AfterMatchSkipStrategy {
  readonly name = 'skipPastLastEvent';
  readonly isSkipStrategy = true;
  pruningEvent(match: readonly MatchPath<unknown>[]): BufferedEvent<unknown> | null {
    let pruning: BufferedEvent<unknown> | null = null;
    for (const path of match)
      for (const events of path.values()) {
        const last = events[events.length - 1]!;
        if (pruning === null || compareEvents(last, pruning) > 0) pruning = last;
      }
    return pruning;
  }
  shouldPrune(start: BufferedEvent<unknown>, pruning: BufferedEvent<unknown>): boolean {
    return compareEvents(start, pruning) <= 0;
  }
}
