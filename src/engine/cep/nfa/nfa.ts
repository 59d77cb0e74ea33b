/**
 * The NFA transition function, as Flink's NFA.java, which implements SASE: Agrawal, Diao, Gyllstrom,
 * Immerman, "Efficient Pattern Matching over Event Streams", SIGMOD 2008
 * (https://people.cs.umass.edu/~yanlei/publications/sase-sigmod08.pdf).
 *
 * The compiled graph (CompiledPattern) is immutable and shared; all per-key state — the partial
 * matches (computation states) and the shared buffer of their events — lives in an NfaState the
 * caller passes in. Two calls drive it: `process(state, event, timestamp)` for each event in
 * event-time order and `advanceTime(state, timestamp)` as time moves; it never reads a clock.
 */
import type { NfaObserver, PartialMatchChangeKind, PartialMatchView } from '../trace.js';
import { skipStrategyOf, type AfterMatchSkipStrategy } from './after-match/strategy.js';
import type { CompiledPattern } from './compiler.js';
import * as Dewey from './dewey-number.js';
import type { Version } from './dewey-number.js';
import { compareEvents, SharedBuffer, type BufferedEvent, type BufferNode, type MatchPath } from './shared-buffer.js';
import type { Condition, State, StateTransition } from './state.js';

/**
 * A partial match: where the run is, the buffer node of its last event and its Dewey version.
 * Mutable only inside computeNextStates, which turns a run it steps into the run's first successor
 * (Flink makes a new one): a run lives for many events, so the object saved per step is one the GC
 * would otherwise copy to the old generation and mark there.
 */
export interface ComputationState<E> {
  state: State<E>;
  previous: BufferNode<E> | null;
  /** Owned by the run (released when it is retired). */
  version: Version;
  /** First event's time; -1 for the start state's run. */
  startTimestamp: number;
  previousTimestamp: number;
  startEvent: BufferedEvent<E> | null;
  /** Creation order: breaks ties deterministically where Flink's priority queue is unordered. */
  id: number;
}

/** Shared by every key without completed matches waiting; replaced by a key's own array on its first. */
const NO_COMPLETED: readonly ComputationState<unknown>[] = Object.freeze([]);

/** The run in the start state: only its version and creation number vary (no node, no times). */
export interface StartRun {
  readonly version: Version;
  readonly id: number;
}

/**
 * Per-key state: the live partial matches, completed matches waiting for earlier ones, the buffer.
 * It is its own shared buffer, and a key without waiting completed matches shares one empty array:
 * each separate object was one more cache miss per event on a stream of many keys (binge, 20K keys).
 * The pattern operator's key state extends it for the same reason.
 *
 * The run in the start state is kept in two fields here, not as a run in `partialMatches`: it is
 * the only run of an idle key, and reading it was two more first touches per event (the list and
 * the run). It sorts after every other run (compareStates: no first event), so it is stepped last
 * and snapshots list it last, as when it was in the list.
 */
export class NfaState<E> extends SharedBuffer<E> {
  /** The runs not in the start state, sorted (compareStates). Rewritten in place for every event. */
  partialMatches: ComputationState<E>[] = [];
  /**
   * partialMatches.length, as of the NFA's last call: an idle key's list is not read at all (its
   * first touch was a cache miss per event on a stream of many keys). Whoever replaces or changes
   * the list outside the NFA (restore) sets it.
   */
  runCount = 0;
  completedMatches: ComputationState<E>[] = NO_COMPLETED as ComputationState<E>[];
  /** The start run's version (owned), NO_VERSION when a Stop state discarded it. */
  startVersion: Version;
  startId: number;
  constructor(start: StartRun | null) {
    super();
    this.startVersion = start === null ? Dewey.NO_VERSION : start.version;
    this.startId = start === null ? 0 : start.id;
  }
  /** The key's shared buffer: the state itself. */
  get buffer(): SharedBuffer<E> {
    return this;
  }
  /** True when only the start state is left: nothing of this key needs keeping. */
  get isIdle(): boolean {
    return this.completedMatches.length === 0 && this.runCount === 0 && this.startVersion !== Dewey.NO_VERSION;
  }
}

/** A match: stage → its events (with their timestamps), stages in pattern order. */
export type NfaMatch<E> = ReadonlyMap<string, readonly BufferedEvent<E>[]>;

export interface NfaTimeout<E> {
  readonly match: NfaMatch<E>;
  /** When the partial match timed out: its first event's time + within, or its previous event's time + that state's window. */
  readonly timestamp: number;
}

export interface NfaOptions {
  /** Return partial matches dropped by `within` (Flink's timeout handling). */
  readonly handleTimeout?: boolean;
  /** Overrides the spec's strategy (tests use Flink's throwExceptionOnMiss variants). */
  readonly skip?: AfterMatchSkipStrategy;
  readonly observer?: NfaObserver;
}

const NO_START = Number.MAX_VALUE;
const SPARE_RUNS = 1024;
const NO_MATCHES: readonly never[] = Object.freeze([]);
const NOTHING = Object.freeze({ matches: NO_MATCHES, timeouts: NO_MATCHES });

/** Sorts by compareStates; runs are usually already in order (a check saves the sort). */
function sortStates<E>(states: ComputationState<E>[]): void {
  for (let i = 1; i < states.length; i++) {
    if (compareStates(states[i - 1]!, states[i]!) > 0) {
      states.sort(compareStates);
      return;
    }
  }
}
const EMPTY: readonly never[] = Object.freeze([]);

/** Flink's NFAState.COMPUTATION_STATE_COMPARATOR: by first event time, then first event. */
function compareStart<E>(a: ComputationState<E>, b: ComputationState<E>): number {
  const at = a.startTimestamp !== -1 ? a.startTimestamp : NO_START;
  const bt = b.startTimestamp !== -1 ? b.startTimestamp : NO_START;
  if (at !== bt) return at < bt ? -1 : 1;
  if (a.startEvent === null || b.startEvent === null) return (a.startEvent === null ? 1 : 0) - (b.startEvent === null ? 1 : 0);
  return compareEvents(a.startEvent, b.startEvent);
}

function compareStates<E>(a: ComputationState<E>, b: ComputationState<E>): number {
  return compareStart(a, b) || a.id - b.id;
}

function calculateIncreasingSelfState(ignoreBranches: number, takeBranches: number): number {
  return takeBranches === 0 && ignoreBranches === 0 ? 0 : ignoreBranches + Math.max(1, takeBranches);
}

export class NFA<E> {
  /** Conditions that threw: counted as false (the operator reports them as exprErrors). */
  errors = 0;
  readonly skip: AfterMatchSkipStrategy;
  readonly windowTime: number;
  /** Some state has a window since the previous event (WithinType.PREVIOUS_AND_CURRENT). */
  private readonly stateWindows: boolean;
  private readonly handleTimeout: boolean;
  /** The trace hook; undefined (the default) costs nothing. */
  observer: NfaObserver | undefined;
  /** Computation-state ids handed out so far (a snapshot keeps it, so restored ids keep their order). */
  nextId = 0;

  // Scratch space reused for every event (the NFA is not re-entrant: conditions cannot call it).
  // Each array comes with its own count and is never truncated: `array.length = 0` drops V8's
  // backing store, so the next push allocated a fresh one, several times per event (measured:
  // ~1 KB of garbage per event on the binge bench, and 20x slower than writing by index).
  private readonly edges: StateTransition<E>[] = [];
  private readonly pendingStates: State<E>[] = [];
  private readonly nextStates: ComputationState<E>[] = [];
  private nextCount = 0;
  /** The next partial matches of the key, collected before they replace its array. */
  private readonly collected: ComputationState<E>[] = [];
  private totalTake = 0;
  private totalIgnore = 0;
  private eventValue: E | null = null;
  private eventTimestamp = 0;
  private eventBuffer: SharedBuffer<E> | null = null;
  private event: BufferedEvent<E> | null = null;

  // The condition context (Flink's ConditionContext), reused: conditions run one at a time. It holds
  // the run's node and version, not the run: the run object becomes its first successor mid-step.
  private contextPrevious: BufferNode<E> | null = null;
  private contextVersion: Version = Dewey.NO_VERSION;
  private contextBuffer: SharedBuffer<E> | null = null;
  private contextEvents: Map<string, E[]> | null = null;
  /** The run being stepped, while it may still be reused as its first successor. */
  private reusable: ComputationState<E> | null = null;
  /**
   * Dead runs (dropped, stopped, timed out, pruned, emitted), reused for new ones: a run lives as
   * long as its partial match, so a new one (and the two boxed timestamps it holds) survived the
   * young generation and was copied by the collector; a reused one is already old. At most
   * SPARE_RUNS are kept.
   */
  private readonly spareRuns: ComputationState<E>[] = [];
  /** Stands for a key's start run while it is stepped (startScratch); never in a list, never retired. */
  private readonly scratchStart: ComputationState<E> = { state: null as unknown as State<E>, previous: null, version: Dewey.NO_VERSION, startTimestamp: -1, previousTimestamp: -1, startEvent: null, id: 0 };
  private readonly stageEvents = (stage: string): readonly E[] => {
    if (this.contextEvents === null) this.contextEvents = this.materializeValues(this.pathOf(this.contextBuffer!, this.contextPrevious, this.contextVersion));
    return this.contextEvents.get(stage) ?? EMPTY;
  };

  constructor(
    readonly compiled: CompiledPattern<E>,
    options: NfaOptions = {},
  ) {
    this.handleTimeout = options.handleTimeout ?? false;
    this.skip = options.skip ?? skipStrategyOf(compiled.skip);
    this.observer = options.observer;
    this.windowTime = compiled.windowTime;
    this.stateWindows = compiled.states.some((state) => state.previousWindow > 0);
  }

  createState(): NfaState<E> {
    return new NfaState(this.startRun());
  }

  /** A new key's start run (what a subclass of NfaState is constructed with). */
  startRun(): StartRun {
    return { version: Dewey.of(1), id: this.nextId++ };
  }

  /** The key's start run as a run (the one scratch object: process steps one run at a time). */
  private startScratch(nfaState: NfaState<E>): ComputationState<E> {
    const cs = this.scratchStart;
    cs.state = this.compiled.start;
    cs.previous = null;
    cs.version = nfaState.startVersion;
    cs.startTimestamp = -1;
    cs.previousTimestamp = -1;
    cs.startEvent = null;
    cs.id = nfaState.startId;
    return cs;
  }

  /** The key's runs as plain run objects, the start run last (snapshots); the start run's object is new. */
  allRuns(nfaState: NfaState<E>): ComputationState<E>[] {
    const runs = nfaState.partialMatches.slice();
    if (nfaState.startVersion !== Dewey.NO_VERSION) runs.push({ ...this.startScratch(nfaState) });
    return runs;
  }

  /** The state names of a key's runs in order, the start run last (tests). */
  runStates(nfaState: NfaState<E>): string[] {
    return this.allRuns(nfaState).map((cs) => cs.state.name);
  }

  /**
   * Feeds one event (in event-time order) and returns the matches it completes. Every partial match
   * computes its next states; runs reaching the final state are matches, runs reaching a Stop state
   * discard their whole branch, the rest stay partial matches.
   */
  process(nfaState: NfaState<E>, value: E, timestamp: number): readonly NfaMatch<E>[] {
    const buffer = nfaState.buffer;
    // The event enters the shared buffer only when some run takes it (most events of a busy key
    // start nothing): registering lazily saves an object per ignored event.
    this.eventValue = value;
    this.eventTimestamp = timestamp;
    this.eventBuffer = buffer;
    this.event = null;
    try {
      const collected = this.collected;
      let count = 0;
      let potentialMatches: ComputationState<E>[] | null = null;
      const observing = this.observer?.partialMatch !== undefined;
      const runs = nfaState.partialMatches;
      const hasStart = nfaState.startVersion !== Dewey.NO_VERSION;
      const scratch = this.scratchStart;
      const runCount = nfaState.runCount;
      // The start run last, as it sorts (NfaState).
      for (let r = 0, end = hasStart ? runCount + 1 : runCount; r < end; r++) {
        const computationState = r < runCount ? runs[r]! : this.startScratch(nfaState);
        // Its events must be read before computeNextStates releases them.
        const wasStart = computationState.state.isStart; // read now: the object may become a successor
        const before = observing && !wasStart ? this.view(buffer, computationState) : null;
        const nextCount = this.computeNextStates(buffer, computationState, value);
        const next = this.nextStates;
        if (before !== null && nextCount === 0) this.observer!.partialMatch!({ kind: 'dropped', ...before });
        // Delay adding the new states: a Stop state discards the whole branch.
        let discardPath = false;
        for (let i = 0; i < nextCount; i++) {
          const n = next[i]!;
          if (n.state.isStop) {
            discardPath = true;
            if (observing) this.report('stopped', buffer, n);
            if (n.previous !== null) buffer.releaseNode(n.previous, n.version);
          }
        }
        for (let i = 0; i < nextCount; i++) {
          const n = next[i]!;
          if (n === scratch) {
            // The start run's successor (still the start state): back into the key's fields, unless
            // a Stop state discards the branch (Flink drops the start run with it).
            if (discardPath) {
              Dewey.release(n.version);
              nfaState.startVersion = Dewey.NO_VERSION;
            } else {
              nfaState.startVersion = n.version;
              nfaState.startId = n.id;
            }
          } else if (n.state.isFinal) (potentialMatches ??= []).push(n);
          else if (n.state.isStop) this.retire(n);
          else if (discardPath) {
            if (n.previous !== null) buffer.releaseNode(n.previous, n.version);
            this.retire(n);
          } else {
            if (observing && wasStart && !n.state.isStart) this.report('created', buffer, n);
            collected[count++] = n;
          }
        }
      }
      if (count > 0 || runCount > 0) {
        for (let i = 0; i < count; i++) runs[i] = collected[i]!;
        runs.length = count;
        sortStates(runs);
        nfaState.runCount = count;
      }
      const newPartialMatches = runs;
      if (potentialMatches === null) {
        if (nfaState.completedMatches.length === 0) return NO_MATCHES;
        potentialMatches = [];
      }
      sortStates(potentialMatches);
      const result: NfaMatch<E>[] = [];
      if (this.skip.isSkipStrategy) {
        this.processMatchesAccordingToSkipStrategy(nfaState, potentialMatches, newPartialMatches, result);
        nfaState.runCount = newPartialMatches.length;
      } else {
        for (const match of potentialMatches) {
          const path = buffer.extractPatterns(match.previous!, match.version, 1)[0]!;
          if (observing) this.report('completed', buffer, match);
          result.push(path);
          buffer.releaseNode(match.previous!, match.version);
          this.retire(match);
        }
      }
      return result;
    } finally {
      if (this.event !== null) buffer.releaseEvent(this.event);
      this.event = null;
    }
  }

  /**
   * Time moved to `timestamp` (an event's time, or the watermark): partial matches whose first event
   * is `within` or more before it time out, and so do those whose state has a window since the
   * previous event (WithinType.PREVIOUS_AND_CURRENT) that has passed; a Pending run (notFollowedBy
   * as the last stage) that times out has seen no negated event, so it completes as a match instead.
   */
  advanceTime(nfaState: NfaState<E>, timestamp: number): { readonly matches: readonly NfaMatch<E>[]; readonly timeouts: readonly NfaTimeout<E>[] } {
    const window = this.windowTime;
    if (nfaState.completedMatches.length === 0) {
      // The common case — nothing expires — allocates nothing.
      if (window <= 0 && !this.stateWindows) return NOTHING;
      if (nfaState.runCount === 0 || !(this.earliestExpiry(nfaState) <= timestamp)) return NOTHING;
    }
    // The key's array is compacted in place, and the lists are made only when something goes in.
    let matches: NfaMatch<E>[] | null = null;
    let timeouts: NfaTimeout<E>[] | null = null;
    const buffer = nfaState.buffer;
    const runs = nfaState.partialMatches;
    let potentialMatches: ComputationState<E>[] | null = null;
    let kept = 0;
    for (let r = 0; r < runs.length; r++) {
      const cs = runs[r]!;
      const stateWindow = cs.state.previousWindow;
      const previousTimedOut = !cs.state.isStart && stateWindow > 0 && timestamp - cs.previousTimestamp >= stateWindow;
      const firstTimedOut = !cs.state.isStart && window > 0 && timestamp - cs.startTimestamp >= window;
      if (previousTimedOut || firstTimedOut) {
        if (cs.state.isPending) {
          (potentialMatches ??= []).push(cs);
          continue;
        }
        if (this.handleTimeout) {
          const path = buffer.extractPatterns(cs.previous!, cs.version, 1)[0] ?? new Map();
          (timeouts ??= []).push({ match: path, timestamp: previousTimedOut ? cs.previousTimestamp + stateWindow : cs.startTimestamp + window });
        }
        if (this.observer?.partialMatch !== undefined) this.report('timedOut', buffer, cs);
        buffer.releaseNode(cs.previous!, cs.version);
        this.retire(cs);
      } else {
        runs[kept++] = cs;
      }
    }
    if (kept < runs.length) runs.length = kept;
    if (potentialMatches !== null || nfaState.completedMatches.length > 0) {
      matches = [];
      this.processMatchesAccordingToSkipStrategy(nfaState, potentialMatches ?? NO_MATCHES, runs, matches);
      if (matches.length === 0) matches = null;
    }
    nfaState.runCount = runs.length;
    if (matches === null && timeouts === null) return NOTHING;
    return { matches: matches ?? NO_MATCHES, timeouts: timeouts ?? NO_MATCHES };
  }

  /** When `advanceTime` would drop this partial match: the earlier of its two windows' ends. */
  private expiry(cs: ComputationState<E>): number {
    if (cs.state.isStart) return Infinity;
    const stateWindow = cs.state.previousWindow;
    const byFirst = this.windowTime > 0 ? cs.startTimestamp + this.windowTime : Infinity;
    return stateWindow > 0 ? Math.min(byFirst, cs.previousTimestamp + stateWindow) : byFirst;
  }

  /** The earliest time `advanceTime` would change this state: the first partial match's expiry. */
  nextTimeout(nfaState: NfaState<E>): number {
    return (this.windowTime <= 0 && !this.stateWindows) || nfaState.runCount === 0 ? Infinity : this.earliestExpiry(nfaState);
  }

  /**
   * The earliest expiry of a partial match (Infinity when none). Without per-state windows only the
   * first event's time counts, and partial matches are kept sorted by it (compareStates), so the
   * first one that is not the start run expires first: O(1), where a scan of every run cost ~8% of
   * the binge bench (two calls per record). A first event at time -1 sorts with the start run (-1 is
   * its "no start" mark): those are checked too. Per-state windows (previous event's time) scan.
   */
  private earliestExpiry(nfaState: NfaState<E>): number {
    const runs = nfaState.partialMatches;
    let earliest = Infinity;
    for (let i = 0; i < runs.length; i++) {
      const cs = runs[i]!;
      if (cs.state.isStart) continue;
      const expiry = this.expiry(cs);
      if (expiry < earliest) earliest = expiry;
      if (!this.stateWindows && cs.startTimestamp !== -1) break;
    }
    return earliest;
  }

  /**
   * Drops a key's state that is no longer used: releases what its runs hold (their versions live in
   * a pool shared by every NFA, which the garbage collector does not see).
   */
  dispose(nfaState: NfaState<E>): void {
    const buffer = nfaState.buffer;
    for (const runs of [nfaState.partialMatches, nfaState.completedMatches]) {
      for (const cs of runs) {
        if (cs.previous !== null) buffer.releaseNode(cs.previous, cs.version);
        this.retire(cs);
      }
    }
    if (nfaState.startVersion !== Dewey.NO_VERSION) Dewey.release(nfaState.startVersion);
    nfaState.startVersion = Dewey.NO_VERSION;
    nfaState.partialMatches.length = 0;
    nfaState.runCount = 0;
    if (nfaState.completedMatches.length > 0) nfaState.completedMatches.length = 0;
  }

  /** The live partial matches of a key, for `sw pattern trace`. */
  describe(nfaState: NfaState<E>): PartialMatchView[] {
    return nfaState.partialMatches.filter((cs) => !cs.state.isStart).map((cs) => this.view(nfaState.buffer, cs));
  }

  /**
   * Completed matches are emitted in order of their first event: a match waits while an earlier
   * partial match is alive, since that one may still complete first and prune it.
   */
  private processMatchesAccordingToSkipStrategy(
    nfaState: NfaState<E>,
    potentialMatches: readonly ComputationState<E>[],
    partialMatches: ComputationState<E>[],
    result: NfaMatch<E>[],
  ): void {
    let completed = nfaState.completedMatches;
    if (potentialMatches.length > 0) {
      if (completed === (NO_COMPLETED as ComputationState<E>[])) completed = nfaState.completedMatches = [];
      completed.push(...potentialMatches);
      completed.sort(compareStates);
    }
    const buffer = nfaState.buffer;
    while (completed.length > 0) {
      const earliest = completed[0]!;
      const earliestPartial = partialMatches[0];
      if (earliestPartial !== undefined && compareStart(earliest, earliestPartial) > 0) break;
      completed.shift();
      const paths = buffer.extractPatterns(earliest.previous!, earliest.version);
      // Found once for both lists (it walks every path of the match).
      const pruning = this.skip.pruningEvent(paths as readonly MatchPath<unknown>[]);
      if (pruning !== null) {
        this.prune(buffer, partialMatches, pruning);
        this.prune(buffer, completed, pruning);
      }
      if (this.observer?.partialMatch !== undefined) this.report('completed', buffer, earliest);
      result.push(paths[0]!);
      buffer.releaseNode(earliest.previous!, earliest.version);
      this.retire(earliest);
    }
  }

  private prune(buffer: SharedBuffer<E>, states: ComputationState<E>[], pruning: BufferedEvent<unknown>): void {
    let kept = 0;
    for (const cs of states) {
      if (cs.startEvent !== null && this.skip.shouldPrune(cs.startEvent, pruning)) {
        if (this.observer?.partialMatch !== undefined) this.report('pruned', buffer, cs);
        buffer.releaseNode(cs.previous!, cs.version);
        this.retire(cs);
      } else {
        states[kept++] = cs;
      }
    }
    states.length = kept;
  }

  /**
   * Next states of one partial match for `event`:
   *   1. decide the outgoing edges (PROCEED edges are followed at once, epsilon moves) and count
   *      the branching TAKE and IGNORE edges, which fixes the Dewey versions;
   *   2. IGNORE: stay on the same buffer node; a self-loop raises the version by the number of
   *      branches, an IGNORE after PROCEED starts a new stage;
   *   3. TAKE: store the event in the shared buffer under the source state's stage, linked to the
   *      previous node with the current version; the new run gets version + new stage, and a second
   *      run in the final state if PROCEED edges from the target reach it;
   *   4. the start state always stays, so that every event can start a match;
   *   5. release this run's reference to its previous node.
   */
  /** Writes the next states to `nextStates` and returns how many there are. */
  private computeNextStates(buffer: SharedBuffer<E>, cs: ComputationState<E>, value: E): number {
    // The run's fields, read once: the run object itself is reused for its first successor.
    const { state, previous, version, startTimestamp, previousTimestamp, startEvent } = cs;
    const fromStart = state.isStart;
    this.contextPrevious = previous;
    this.contextVersion = version;
    this.contextBuffer = buffer;
    this.contextEvents = null;
    // The start run stays in place when the event starts nothing: reused only as the new start run.
    this.reusable = fromStart ? null : cs;
    const edgeCount = this.createDecisionGraph(cs, value);
    const edges = this.edges;
    const totalTake = this.totalTake;
    const totalIgnore = this.totalIgnore;
    let takeBranchesToVisit = Math.max(0, totalTake - 1);
    let ignoreBranchesToVisit = totalIgnore;
    const totalTakeToSkip = Math.max(0, totalTake - 1);
    this.nextCount = 0;
    for (let e = 0; e < edgeCount; e++) {
      const edge = edges[e]!;
      if (edge.action === 'ignore') {
        if (fromStart) continue;
        let nextVersion: Version;
        if (edge.target === state) {
          nextVersion = Dewey.increase(version, calculateIncreasingSelfState(totalIgnore, totalTake));
        } else {
          nextVersion = Dewey.branch(version, totalTakeToSkip + ignoreBranchesToVisit);
          ignoreBranchesToVisit--;
        }
        this.addComputationState(buffer, edge.target, previous, nextVersion, startTimestamp, previousTimestamp, startEvent);
      } else {
        const event = this.currentEvent();
        const currentVersion = Dewey.increase(version, takeBranchesToVisit);
        const nextVersion = Dewey.addStage(currentVersion);
        takeBranchesToVisit--;
        // The edge takes over currentVersion's reference, the new run nextVersion's.
        const newEntry = buffer.put(edge.source.stage, event, previous, currentVersion);
        const runStart = fromStart ? event.timestamp : startTimestamp;
        const runStartEvent = fromStart ? event : startEvent;
        this.addComputationState(buffer, edge.target, newEntry, nextVersion, runStart, event.timestamp, runStartEvent);
        const finalState = this.findFinalStateAfterProceed(edge.target, value);
        if (finalState !== null) {
          Dewey.retain(nextVersion);
          this.addComputationState(buffer, finalState, newEntry, nextVersion, runStart, event.timestamp, runStartEvent);
        }
      }
    }
    if (fromStart) {
      const branches = calculateIncreasingSelfState(totalIgnore, totalTake);
      // An event that starts nothing leaves the start run as it was: keep the same object. Otherwise
      // the new start run (a raised version, a new creation number) is the same object too.
      if (branches !== 0) {
        cs.version = Dewey.increase(version, branches);
        cs.id = this.nextId++;
      }
      this.nextStates[this.nextCount++] = cs;
    }
    // Not reused as a successor: the run died here. Its version is released below, after its node.
    if (this.reusable !== null) {
      this.reusable.version = Dewey.NO_VERSION;
      this.retire(this.reusable);
    }
    this.reusable = null;
    if (previous !== null) buffer.releaseNode(previous, version);
    // The start run that started nothing keeps its version.
    if (!fromStart || cs.version !== version) Dewey.release(version);
    return this.nextCount;
  }

  /** Releases a dead run's version and keeps the run for reuse; it must be in no list any more (its node is released). */
  private retire(cs: ComputationState<E>): void {
    if (cs.version !== Dewey.NO_VERSION) Dewey.release(cs.version);
    cs.version = Dewey.NO_VERSION;
    if (this.spareRuns.length >= SPARE_RUNS) return;
    cs.previous = null;
    cs.startEvent = null;
    this.spareRuns.push(cs);
  }

  private currentEvent(): BufferedEvent<E> {
    return (this.event ??= this.eventBuffer!.registerEvent(this.eventValue!, this.eventTimestamp));
  }

  private addComputationState(
    buffer: SharedBuffer<E>,
    state: State<E>,
    previous: BufferNode<E> | null,
    /** Taken over by the run. */
    version: Version,
    startTimestamp: number,
    previousTimestamp: number,
    startEvent: BufferedEvent<E> | null,
  ): void {
    let reused = this.reusable;
    if (reused === null) reused = this.spareRuns.pop() ?? null;
    else this.reusable = null;
    if (reused === null) {
      this.nextStates[this.nextCount++] = { state, previous, version, startTimestamp, previousTimestamp, startEvent, id: this.nextId++ };
    } else {
      reused.state = state;
      reused.previous = previous;
      reused.version = version;
      reused.startTimestamp = startTimestamp;
      reused.previousTimestamp = previousTimestamp;
      reused.startEvent = startEvent;
      reused.id = this.nextId++;
      this.nextStates[this.nextCount++] = reused;
    }
    if (previous !== null) buffer.lockNode(previous, version);
  }

  /** Outgoing TAKE / IGNORE edges for `value` (PROCEED edges followed at once) into `edges`, counting the branching ones; returns how many. */
  private createDecisionGraph(cs: ComputationState<E>, value: E): number {
    const edges = this.edges;
    let edgeCount = 0;
    let totalTake = 0;
    let totalIgnore = 0;
    const pending = this.pendingStates;
    let top = 0;
    pending[top++] = cs.state;
    while (top > 0) {
      const state = pending[--top]!;
      const transitions = state.transitions;
      for (let i = 0; i < transitions.length; i++) {
        const t = transitions[i]!;
        if (!this.evaluate(t.condition, value)) continue;
        if (t.action === 'proceed') {
          pending[top++] = t.target;
        } else {
          // A self IGNORE does not branch.
          if (!(t.action === 'ignore' && t.target === cs.state)) {
            if (t.action === 'ignore') totalIgnore++;
            else totalTake++;
          }
          edges[edgeCount++] = t;
        }
      }
    }
    this.totalTake = totalTake;
    this.totalIgnore = totalIgnore;
    return edgeCount;
  }

  private findFinalStateAfterProceed(state: State<E>, value: E): State<E> | null {
    // Called after the decision graph is built, so its stack is free to reuse.
    const pending = this.pendingStates;
    let top = 0;
    pending[top++] = state;
    while (top > 0) {
      const transitions = pending[--top]!.transitions;
      for (let i = 0; i < transitions.length; i++) {
        const t = transitions[i]!;
        if (t.action !== 'proceed' || !this.evaluate(t.condition, value)) continue;
        if (t.target.isFinal) return t.target;
        pending[top++] = t.target;
      }
    }
    return null;
  }

  private evaluate(condition: Condition<E>, value: E): boolean {
    switch (condition.kind) {
      case 'true':
        return true;
      case 'not':
        return !this.evaluate(condition.of, value);
      case 'and':
        return this.evaluate(condition.left, value) && this.evaluate(condition.right, value);
      case 'where':
      case 'until': {
        let passed: boolean;
        try {
          passed = condition.test(value, this.stageEvents) === true;
        } catch (error) {
          this.errors++;
          this.observer?.condition?.(condition.stage, condition.kind, false, error);
          return false;
        }
        this.observer?.condition?.(condition.stage, condition.kind, passed);
        return passed;
      }
    }
  }

  private currentPath(buffer: SharedBuffer<E>, cs: ComputationState<E>): MatchPath<E> {
    return this.pathOf(buffer, cs.previous, cs.version);
  }

  private pathOf(buffer: SharedBuffer<E>, previous: BufferNode<E> | null, version: Version): MatchPath<E> {
    if (previous === null) return new Map();
    return buffer.extractPatterns(previous, version, 1)[0] ?? new Map();
  }

  private materializeValues(path: MatchPath<E>): Map<string, E[]> {
    const values = new Map<string, E[]>();
    for (const [stage, events] of path) values.set(stage, events.map((e) => e.value));
    return values;
  }

  private view(buffer: SharedBuffer<E>, cs: ComputationState<E>): PartialMatchView {
    const events: Record<string, unknown[]> = {};
    for (const [stage, list] of this.materializeValues(this.currentPath(buffer, cs))) events[stage] = list;
    return { state: cs.state.name, start: cs.startTimestamp, events };
  }

  private report(kind: PartialMatchChangeKind, buffer: SharedBuffer<E>, cs: ComputationState<E>): void {
    this.observer?.partialMatch?.({ kind, ...this.view(buffer, cs) });
  }
}
