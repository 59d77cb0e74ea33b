/** skipToFirst:<stage>: discard runs that start before the first event of <stage> in the match. */
import type { BufferedEvent, MatchPath } from '../shared-buffer.js';
import { pruningEventOf, prunesBefore } from './skip-to-element.js';
import type { AfterMatchSkipStrategy } from './strategy.js';

export class SkipToFirst implements AfterMatchSkipStrategy {
  readonly isSkipStrategy = true;
  readonly name: string;
  constructor(
    readonly stage: string,
    private readonly throwOnMiss: boolean,
  ) {
    this.name = `skipToFirst:${stage}`;
  }
  pruningEvent(match: readonly MatchPath<unknown>[]): BufferedEvent<unknown> | null {
    return pruningEventOf(match, this.stage, (events) => events[0]!, this.throwOnMiss);
  }
  shouldPrune(start: BufferedEvent<unknown>, pruning: BufferedEvent<unknown>): boolean {
    return prunesBefore(start, pruning);
  }
}
