/** skipToLast:<stage>: discard runs that start before the last event of <stage> in the match. */
import type { BufferedEvent, MatchPath } from '../shared-buffer.js';
import { pruningEventOf, prunesBefore } from './skip-to-element.js';
import type { AfterMatchSkipStrategy } from './strategy.js';

export class SkipToLast implements AfterMatchSkipStrategy {
  readonly isSkipStrategy = true;
  readonly name: string;
  constructor(
    readonly stage: string,
    private readonly throwOnMiss: boolean,
  ) {
    this.name = `skipToLast:${stage}`;
  }
  pruningEvent(match: readonly MatchPath<unknown>[]): BufferedEvent<unknown> | null {
    return pruningEventOf(match, this.stage, (events) => events[events.length - 1]!, this.throwOnMiss);
  }
  shouldPrune(start: BufferedEvent<unknown>, pruning: BufferedEvent<unknown>): boolean {
    return prunesBefore(start, pruning);
  }
}
