/**
 * After-match skip strategies (Flink's AfterMatchSkipStrategy): after a match is emitted, which
 * partial matches (and completed matches waiting for earlier ones) are discarded. Each strategy
 * names a pruning event; a run whose first event is at or before it (strictly before, for the
 * skip-to-element strategies) is dropped. One file per strategy, as flink-cep's aftermatch package.
 */
import type { SkipStrategy } from '../../../spec.js';
import type { BufferedEvent, MatchPath } from '../shared-buffer.js';
import { NoSkip } from './no-skip.js';
import { SkipPastLastEvent } from './skip-past-last-event.js';
import { SkipToFirst } from './skip-to-first.js';
import { SkipToLast } from './skip-to-last.js';
import { SkipToNext } from './skip-to-next.js';

export interface AfterMatchSkipStrategy {
  readonly name: string;
  /** False only for noSkip: matches are then emitted as soon as they complete. */
  readonly isSkipStrategy: boolean;
  /** The event runs are pruned against, or null to prune nothing. */
  pruningEvent(match: readonly MatchPath<unknown>[]): BufferedEvent<unknown> | null;
  /** Whether a run starting with `start` is discarded. */
  shouldPrune(start: BufferedEvent<unknown>, pruning: BufferedEvent<unknown>): boolean;
}

/** The strategy a spec names; `throwOnMiss` is Flink's throwExceptionOnMiss() for the skip-to-element ones. */
export function skipStrategyOf(spec: SkipStrategy, throwOnMiss = false): AfterMatchSkipStrategy {
  switch (spec.kind) {
    case 'noSkip':
      return new NoSkip();
    case 'skipToNext':
      return new SkipToNext();
    case 'skipPastLastEvent':
      return new SkipPastLastEvent();
    case 'skipToFirst':
      return new SkipToFirst(spec.stage, throwOnMiss);
    case 'skipToLast':
      return new SkipToLast(spec.stage, throwOnMiss);
  }
}
