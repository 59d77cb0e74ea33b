/** noSkip: every match is emitted; nothing is discarded. */
import type { AfterMatchSkipStrategy } from './strategy.js';

export class NoSkip implements AfterMatchSkipStrategy {
  readonly name = 'noSkip';
  readonly isSkipStrategy = false;
  pruningEvent(): null {
    return null;
  }
  shouldPrune(): boolean {
    return false;
  }
}
