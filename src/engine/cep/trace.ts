/**
 * The "seeing why" hook: an optional observer the NFA calls as it works, so `sw pattern trace` can
 * show event by event which stage conditions passed or failed and what happened to each partial
 * match. Without an observer the NFA does no extra work.
 */

/** A partial match as the observer sees it: its NFA state, first event time and accepted events. */
export interface PartialMatchView {
  readonly state: string;
  readonly start: number;
  readonly events: Readonly<Record<string, readonly unknown[]>>;
}

export type PartialMatchChangeKind =
  /** The start state took an event: a new partial match. */
  | 'created'
  /** The partial match could not continue with this event (contiguity broken or condition false). */
  | 'dropped'
  /** A notNext / notFollowedBy stage saw its event: the branch is discarded. */
  | 'stopped'
  /** Discarded by the after-match skip strategy. */
  | 'pruned'
  /** Older than `within`. */
  | 'timedOut'
  /** Reached the final state: emitted as a match. */
  | 'completed';

export interface PartialMatchChange extends PartialMatchView {
  readonly kind: PartialMatchChangeKind;
}

export interface NfaObserver {
  /** A stage's `where` or `until` was evaluated for the current event (error: it threw). */
  condition?(stage: string, kind: 'where' | 'until', passed: boolean, error?: unknown): void;
  partialMatch?(change: PartialMatchChange): void;
}
