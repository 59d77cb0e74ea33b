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
import type { NfaObserver, PartialMatchChange, PartialMatchChangeKind, PartialMatchView } from '../trace.js';
import { skipStrategyOf, type AfterMatchSkipStrategy } from './after-match/strategy.js';
import type { CompiledPattern } from './compiler.js';
import * as Dewey from './dewey-number.js';
import type { Version } from './dewey-number.js';
import {
  F_ID,
  F_TIME,
  N_EVENT,
  NONE,
  pageOf,
  R_NEXT,
  R_NODE,
  R_START_EVENT,
  R_STATE,
  R_VERSION,
  SharedBuffer,
  SHIFT,
  ValuePool,
  type BufferedEvent,
  type MatchPath,
} from './shared-buffer.js';
import type { Condition, State } from './state.js';

/**
 * A partial match (computation state) is a run record in its key's arena (shared-buffer.ts): its
 * state, the buffer node of its last event, its Dewey version (owned: released when the run is
 * retired), its first event (none for the start state's run) and its creation number, which breaks
 * ties deterministically where Flink's priority queue is unordered. Its first event's time is that
 * event's (-1 without one), its previous event's time its node's event's (a run takes an event into
 * the node it then points to; an ignore keeps both). A run is referred to by its slot.
 */
export type Run = number;

/** Stands for a key's start run (kept in NfaState's fields, not as a record) in the NFA's scratch lists. */
const START: Run = -2;

/** Shared by every key without completed matches waiting; replaced by a key's own array on its first. */
const NO_COMPLETED: readonly Run[] = Object.freeze([]);

/** The run in the start state: only its version and creation number vary (no node, no times). */
export interface StartRun {
  readonly version: Version;
  readonly id: number;
}

/**
 * Per-key state: the live partial matches, completed matches waiting for earlier ones, the buffer.
 * It is its own shared buffer (one arena holds the key's runs, nodes, edges and events), and a key
 * without waiting completed matches shares one empty array. The pattern operator's key state
 * extends it: one object per key.
 *
 * The run in the start state is kept in two fields here, not as a record: it is the only run of an
 * idle key. It sorts after every other run (compareStates: no first event), so it is stepped last
 * and snapshots list it last.
 */
export class NfaState<E> extends SharedBuffer<E> {
  /** The first of the runs not in the start state, sorted (compareStates), linked through R_NEXT; rewritten for every event. */
  firstRun: Run = NONE;
  /** How many runs the list holds (an idle key's list is not read at all). */
  runCount = 0;
  /**
   * When the NFA's advanceTime would first drop a run (Infinity: never), NaN when not known yet:
   * computed when the list changes, so that a key whose runs do not expire is not read past this
   * object when time moves (two calls per record).
   */
  expiry = NaN;
  completedMatches: Run[] = NO_COMPLETED as Run[];
  /** The start run's version (owned), NO_VERSION when a Stop state discarded it. */
  startVersion: Version;
  startId: number;
  constructor(start: StartRun | null) {
    super();
    this.startVersion = start === null ? Dewey.NO_VERSION : start.version;
    this.startId = start === null ? 0 : start.id;
  }
  /** True when only the start state is left: nothing of this key needs keeping. */
  get isIdle(): boolean {
    return this.completedMatches.length === 0 && this.runCount === 0 && this.startVersion !== Dewey.NO_VERSION;
  }
  /** The runs of the list in order (snapshots, tests). */
  runList(): Run[] {
    const runs: Run[] = [];
    for (let run = this.runCount > 0 ? this.firstRun : NONE; run !== NONE; run = this.words[(run << SHIFT) + R_NEXT]!) runs.push(run);
    return runs;
  }
  runState(run: Run): number {
    return this.words[(run << SHIFT) + R_STATE]!;
  }
  runNode(run: Run): number {
    return this.words[(run << SHIFT) + R_NODE]!;
  }
  runVersion(run: Run): Version {
    return this.words[(run << SHIFT) + R_VERSION]!;
  }
  runStartEvent(run: Run): number {
    return this.words[(run << SHIFT) + R_START_EVENT]!;
  }
  runId(run: Run): number {
    return this.times[(run << (SHIFT - 1)) + F_ID]!;
  }
  /** The run's first event's time (-1 without one: the start state's runs). */
  runStart(run: Run): number {
    const event = this.runStartEvent(run);
    return event === NONE ? -1 : this.eventTime(event);
  }
  /** The run's previous event's time: its node's event's (-1 without a node). */
  runPrevious(run: Run): number {
    const node = this.runNode(run);
    return node === NONE ? -1 : this.eventTime(this.words[(node << SHIFT) + N_EVENT]!);
  }
  /** A new run record (restores); takes over `version`. */
  newRun(state: number, node: number, version: Version, startEvent: number, id: number): Run {
    const run = this.allocate();
    const w = this.words;
    const at = run << SHIFT;
    w[at + R_STATE] = state;
    w[at + R_NODE] = node;
    w[at + R_VERSION] = version;
    w[at + R_START_EVENT] = startEvent;
    w[at + R_NEXT] = NONE;
    this.times[(run << (SHIFT - 1)) + F_ID] = id;
    return run;
  }
  /** Makes `runs[0..count)` the run list, in that order. */
  linkRuns(runs: readonly Run[], count: number): void {
    const w = this.words;
    for (let i = 0; i < count; i++) w[(runs[i]! << SHIFT) + R_NEXT] = i + 1 < count ? runs[i + 1]! : NONE;
    this.firstRun = count > 0 ? runs[0]! : NONE;
    this.runCount = count;
    this.expiry = NaN;
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
const NO_MATCHES: readonly never[] = Object.freeze([]);
const NOTHING = Object.freeze({ matches: NO_MATCHES, timeouts: NO_MATCHES });
const EMPTY: readonly never[] = Object.freeze([]);
const NO_FAILURE = Symbol('no failure');

/** Flink's NFAState.COMPUTATION_STATE_COMPARATOR: by first event time, then first event. */
function compareStart(st: NfaState<unknown>, a: Run, b: Run): number {
  const w = st.words;
  const times = st.times;
  const ae = w[(a << SHIFT) + R_START_EVENT]!;
  const be = w[(b << SHIFT) + R_START_EVENT]!;
  // A run's first event's time; -1, its "no start" mark, sorts last.
  const aet = ae === NONE ? -1 : times[(ae << (SHIFT - 1)) + F_TIME]!;
  const bet = be === NONE ? -1 : times[(be << (SHIFT - 1)) + F_TIME]!;
  const at = aet !== -1 ? aet : NO_START;
  const bt = bet !== -1 ? bet : NO_START;
  if (at !== bt) return at < bt ? -1 : 1;
  if (ae === NONE || be === NONE) return (ae === NONE ? 1 : 0) - (be === NONE ? 1 : 0);
  if (aet !== bet) return aet < bet ? -1 : 1;
  // Arrival numbers and ids are exact past 2^31, and so are their differences.
  return st.eventSeq(ae) - st.eventSeq(be);
}

function compareStates(st: NfaState<unknown>, a: Run, b: Run): number {
  return compareStart(st, a, b) || st.times[(a << (SHIFT - 1)) + F_ID]! - st.times[(b << (SHIFT - 1)) + F_ID]!;
}

// A compiled state's kind as bits of the NFA's `flags` table.
const IS_START = 1;
const IS_FINAL = 2;
const IS_STOP = 4;
const IS_PENDING = 8;
const KIND_BITS = { start: IS_START, final: IS_FINAL, stop: IS_STOP, pending: IS_PENDING, normal: 0 } as const;
// A transition's action in the NFA's `actions` table.
const TAKE = 0;
const IGNORE = 1;
const PROCEED = 2;
const ACTIONS = { take: TAKE, ignore: IGNORE, proceed: PROCEED } as const;

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
  /** The compiled states by index (a run record holds its state's index: its position in `compiled.states`). */
  private readonly states: readonly State<E>[];
  // The graph as this NFA reads it, by state index (the compiled pattern is shared and never
  // written): each state's kind bits, stage page and window since the previous event; its
  // transitions are firstTransition[i] .. firstTransition[i + 1] of the transition tables.
  private readonly flags: Uint8Array;
  private readonly pages: Int32Array;
  private readonly previousWindows: Float64Array;
  private readonly startIndex: number;
  private readonly firstTransition: Int32Array;
  private readonly actions: Uint8Array;
  private readonly targets: Int32Array;
  /** The page of the state a transition leaves (the stage a TAKE stores its event under). */
  private readonly sourcePages: Int32Array;
  private readonly conditions: Condition<E>[];
  /** The trace hook; undefined (the default) costs nothing. */
  observer: NfaObserver | undefined;
  /**
   * What an observer hook threw during this call, NO_FAILURE when nothing: thrown once the step is
   * done. The hooks run mid-step, when stepped runs' records are freed and their successors not yet
   * the key's list: thrown there, an error left the list on freed records.
   */
  private failure: unknown = NO_FAILURE;
  /** The values of every key's buffered events. */
  readonly pool = new ValuePool();
  /** Computation-state ids handed out so far (a snapshot keeps it, so restored ids keep their order). */
  nextId = 0;

  // Scratch space reused for every event (the NFA is not re-entrant: conditions cannot call it).
  // Each array comes with its own count and is never truncated: `array.length = 0` drops V8's
  // backing store, so the next push allocated a fresh one.
  /** The decision graph's TAKE / IGNORE transitions (indexes into the transition tables). */
  private readonly edges: number[] = [];
  private readonly pendingStates: number[] = [];
  private readonly nextStates: Run[] = [];
  private nextCount = 0;
  /** The start run's successor (computeNextStates of START). */
  private nextStartVersion: Version = Dewey.NO_VERSION;
  private nextStartId = 0;
  /** The next partial matches of the key, collected before they become its list. */
  private readonly collected: Run[] = [];
  private totalTake = 0;
  private totalIgnore = 0;
  private eventValue: E | null = null;
  private eventTimestamp = 0;
  private eventBuffer: SharedBuffer<E> | null = null;
  private event = NONE;
  /** A run's first event as the skip strategy compares it (prune). */
  private readonly probe = { value: null as unknown, timestamp: 0, seq: 0 };
  private sorting: NfaState<E> | null = null;
  private readonly byState = (a: Run, b: Run): number => compareStates(this.sorting as NfaState<unknown>, a, b);

  // The condition context (Flink's ConditionContext), reused: conditions run one at a time. It holds
  // the run's node and version: the run's record is free (its successor may take it) mid-step.
  private contextPrevious = NONE;
  private contextVersion: Version = Dewey.NO_VERSION;
  private contextBuffer: SharedBuffer<E> | null = null;
  private contextEvents: Map<string, E[]> | null = null;
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
    const states = (this.states = compiled.states);
    const indexOf = new Map(states.map((state, i) => [state, i]));
    const index = (state: State<E>): number => {
      const i = indexOf.get(state);
      if (i === undefined) throw new Error(`state ${state.name} is not in the compiled pattern's states`);
      return i;
    };
    this.flags = Uint8Array.from(states, (state) => KIND_BITS[state.kind]);
    this.pages = Int32Array.from(states, (state) => pageOf(state.stage));
    this.previousWindows = Float64Array.from(states, (state) => state.previousWindow);
    this.startIndex = index(compiled.start);
    const transitions = states.flatMap((state) => state.transitions);
    this.firstTransition = new Int32Array(states.length + 1);
    states.forEach((state, i) => (this.firstTransition[i + 1] = this.firstTransition[i]! + state.transitions.length));
    this.actions = Uint8Array.from(transitions, (t) => ACTIONS[t.action]);
    this.targets = Int32Array.from(transitions, (t) => index(t.target));
    this.sourcePages = Int32Array.from(transitions, (t) => this.pages[index(t.source)]!);
    this.conditions = transitions.map((t) => t.condition);
  }

  createState(): NfaState<E> {
    const state = new NfaState<E>(this.startRun());
    state.pool = this.pool;
    return state;
  }

  /** A new key's start run (what a subclass of NfaState is constructed with). */
  startRun(): StartRun {
    return { version: Dewey.of(1), id: this.nextId++ };
  }

  /** The compiled state of a run. */
  stateOf(nfaState: NfaState<E>, run: Run): State<E> {
    return this.states[nfaState.runState(run)]!;
  }

  /** The state names of a key's runs in order, the start run last (tests). */
  runStates(nfaState: NfaState<E>): string[] {
    const names = nfaState.runList().map((run) => this.stateOf(nfaState, run).name);
    if (nfaState.startVersion !== Dewey.NO_VERSION) names.push(this.compiled.start.name);
    return names;
  }

  /** True when only the start state is left: nothing of this key needs keeping. */
  isIdle(nfaState: NfaState<E>): boolean {
    return nfaState.isIdle;
  }

  /** How many live partial matches (runs past the start state) the key has. */
  partialMatchCount(nfaState: NfaState<E>): number {
    return nfaState.runList().filter((run) => !this.stateOf(nfaState, run).isStart).length;
  }

  /** Sorts runs[0..count) by compareStates; runs are usually already in order (a check saves the sort). */
  private sortRuns(nfaState: NfaState<E>, runs: Run[], count: number): void {
    const st = nfaState as NfaState<unknown>;
    for (let i = 1; i < count; i++) {
      if (compareStates(st, runs[i - 1]!, runs[i]!) > 0) {
        this.sorting = nfaState;
        const sorted = runs.slice(0, count).sort(this.byState);
        this.sorting = null;
        for (let j = 0; j < count; j++) runs[j] = sorted[j]!;
        return;
      }
    }
  }

  /** Makes `runs[0..count)` the key's run list and notes its earliest expiry (while the runs are in the cache). */
  private relink(nfaState: NfaState<E>, runs: readonly Run[], count: number): void {
    nfaState.linkRuns(runs, count);
    nfaState.expiry = count === 0 || (this.windowTime <= 0 && !this.stateWindows) ? Infinity : this.earliestExpiry(nfaState);
  }

  /** The key's earliest expiry (earliestExpiry), as noted when its list last changed. */
  private expiryOf(nfaState: NfaState<E>): number {
    const expiry = nfaState.expiry;
    return expiry === expiry ? expiry : (nfaState.expiry = this.earliestExpiry(nfaState));
  }

  /** Copies the key's run list into `collected`; returns how many. */
  private gatherRuns(nfaState: NfaState<E>): number {
    const collected = this.collected;
    const w = nfaState.words;
    let count = 0;
    for (let run = nfaState.runCount > 0 ? nfaState.firstRun : NONE; run !== NONE; run = w[(run << SHIFT) + R_NEXT]!) collected[count++] = run;
    return count;
  }

  /** Nothing of the key is left in its arena: start it again from its first record. */
  private settle(nfaState: NfaState<E>): void {
    if (nfaState.top > 0 && nfaState.liveNodes === 0 && nfaState.liveEvents === 0 && nfaState.runCount === 0 && nfaState.completedMatches.length === 0) nfaState.resetArena();
  }

  /**
   * Feeds one event (in event-time order) and returns the matches it completes. Every partial match
   * computes its next states; runs reaching the final state are matches, runs reaching a Stop state
   * discard their whole branch, the rest stay partial matches.
   */
  process(nfaState: NfaState<E>, value: E, timestamp: number): readonly NfaMatch<E>[] {
    // The event enters the shared buffer only when some run takes it (most events of a busy key
    // start nothing): registering lazily saves a record per ignored event.
    this.eventValue = value;
    this.eventTimestamp = timestamp;
    this.eventBuffer = nfaState;
    this.event = NONE;
    // A key state the operator made holds its events' values in this NFA's pool from its first event on.
    if (nfaState.pool !== this.pool) nfaState.pool = this.pool;
    try {
      const collected = this.collected;
      let count = 0;
      let potentialMatches: Run[] | null = null;
      const observing = this.observer?.partialMatch !== undefined;
      const runCount = nfaState.runCount;
      let run = runCount > 0 ? nfaState.firstRun : NONE;
      let startLeft = nfaState.startVersion !== Dewey.NO_VERSION;
      const flags = this.flags;
      for (;;) {
        let current: Run;
        if (run !== NONE) {
          current = run;
          // Read now: stepping frees the run's record.
          run = nfaState.words[(run << SHIFT) + R_NEXT]!;
        } else if (startLeft) {
          current = START;
          startLeft = false;
        } else break;
        const wasStart = current === START || (flags[nfaState.runState(current)]! & IS_START) !== 0;
        // Its events must be read before computeNextStates releases them.
        const before = observing && !wasStart ? this.view(nfaState, current) : null;
        const nextCount = this.computeNextStates(nfaState, current, value);
        const next = this.nextStates;
        if (before !== null && nextCount === 0) this.notify({ kind: 'dropped', ...before });
        // Delay adding the new states: a Stop state discards the whole branch.
        let discardPath = false;
        for (let i = 0; i < nextCount; i++) {
          const n = next[i]!;
          if (n !== START && (flags[nfaState.runState(n)]! & IS_STOP) !== 0) {
            discardPath = true;
            if (observing) this.report('stopped', nfaState, n);
            const node = nfaState.runNode(n);
            if (node !== NONE) nfaState.releaseNode(node, nfaState.runVersion(n));
          }
        }
        for (let i = 0; i < nextCount; i++) {
          const n = next[i]!;
          if (n === START) {
            // The start run's successor (still the start state): back into the key's fields, unless
            // a Stop state discards the branch (Flink drops the start run with it).
            if (discardPath) {
              Dewey.release(this.nextStartVersion);
              nfaState.startVersion = Dewey.NO_VERSION;
            } else {
              nfaState.startVersion = this.nextStartVersion;
              nfaState.startId = this.nextStartId;
            }
            continue;
          }
          const kind = flags[nfaState.runState(n)]!;
          if ((kind & IS_FINAL) !== 0) (potentialMatches ??= []).push(n);
          else if ((kind & IS_STOP) !== 0) this.retire(nfaState, n);
          else if (discardPath) {
            const node = nfaState.runNode(n);
            if (node !== NONE) nfaState.releaseNode(node, nfaState.runVersion(n));
            this.retire(nfaState, n);
          } else {
            if (observing && wasStart && (kind & IS_START) === 0) this.report('created', nfaState, n);
            collected[count++] = n;
          }
        }
      }
      if (count > 0 || runCount > 0) this.sortRuns(nfaState, collected, count);
      if (potentialMatches === null) {
        if (count > 0 || runCount > 0) this.relink(nfaState, collected, count);
        if (nfaState.completedMatches.length === 0) return NO_MATCHES;
        potentialMatches = [];
      }
      this.sortRuns(nfaState, potentialMatches, potentialMatches.length);
      const result: NfaMatch<E>[] = [];
      if (this.skip.isSkipStrategy) {
        this.processMatchesAccordingToSkipStrategy(nfaState, potentialMatches, collected, count, result);
      } else {
        this.relink(nfaState, collected, count);
        for (const match of potentialMatches) {
          const node = nfaState.runNode(match);
          const version = nfaState.runVersion(match);
          const path = nfaState.extractPatterns(node, version, 1)[0]!;
          if (observing) this.report('completed', nfaState, match);
          result.push(path);
          nfaState.releaseNode(node, version);
          this.retire(nfaState, match);
        }
      }
      return result;
    } finally {
      if (this.event !== NONE) nfaState.releaseEvent(this.event);
      this.event = NONE;
      this.eventBuffer = null;
      this.settle(nfaState);
      this.throwFailure();
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
      if (nfaState.runCount === 0 || !(this.expiryOf(nfaState) <= timestamp)) return NOTHING;
    }
    // The lists are made only when something goes in.
    let matches: NfaMatch<E>[] | null = null;
    let timeouts: NfaTimeout<E>[] | null = null;
    const runs = this.collected;
    const count = this.gatherRuns(nfaState);
    let potentialMatches: Run[] | null = null;
    let kept = 0;
    for (let r = 0; r < count; r++) {
      const cs = runs[r]!;
      const stateIndex = nfaState.runState(cs);
      const isStart = (this.flags[stateIndex]! & IS_START) !== 0;
      const stateWindow = this.previousWindows[stateIndex]!;
      const start = nfaState.runStart(cs);
      const previousTimedOut = !isStart && stateWindow > 0 && timestamp - nfaState.runPrevious(cs) >= stateWindow;
      const firstTimedOut = !isStart && window > 0 && timestamp - start >= window;
      if (previousTimedOut || firstTimedOut) {
        if ((this.flags[stateIndex]! & IS_PENDING) !== 0) {
          (potentialMatches ??= []).push(cs);
          continue;
        }
        const node = nfaState.runNode(cs);
        const version = nfaState.runVersion(cs);
        if (this.handleTimeout) {
          const path = nfaState.extractPatterns(node, version, 1)[0] ?? new Map();
          (timeouts ??= []).push({ match: path, timestamp: previousTimedOut ? nfaState.runPrevious(cs) + stateWindow : start + window });
        }
        if (this.observer?.partialMatch !== undefined) this.report('timedOut', nfaState, cs);
        nfaState.releaseNode(node, version);
        this.retire(nfaState, cs);
      } else {
        runs[kept++] = cs;
      }
    }
    if (potentialMatches !== null || nfaState.completedMatches.length > 0) {
      matches = [];
      this.processMatchesAccordingToSkipStrategy(nfaState, potentialMatches ?? NO_MATCHES, runs, kept, matches);
      if (matches.length === 0) matches = null;
    } else {
      this.relink(nfaState, runs, kept);
    }
    this.settle(nfaState);
    this.throwFailure();
    if (matches === null && timeouts === null) return NOTHING;
    return { matches: matches ?? NO_MATCHES, timeouts: timeouts ?? NO_MATCHES };
  }

  /** When `advanceTime` would drop this partial match: the earlier of its two windows' ends. */
  private expiry(nfaState: NfaState<E>, run: Run): number {
    const stateIndex = nfaState.runState(run);
    if ((this.flags[stateIndex]! & IS_START) !== 0) return Infinity;
    const stateWindow = this.previousWindows[stateIndex]!;
    const byFirst = this.windowTime > 0 ? nfaState.runStart(run) + this.windowTime : Infinity;
    return stateWindow > 0 ? Math.min(byFirst, nfaState.runPrevious(run) + stateWindow) : byFirst;
  }

  /** The earliest time `advanceTime` would change this state: the first partial match's expiry. */
  nextTimeout(nfaState: NfaState<E>): number {
    return (this.windowTime <= 0 && !this.stateWindows) || nfaState.runCount === 0 ? Infinity : this.expiryOf(nfaState);
  }

  /**
   * The earliest expiry of a partial match (Infinity when none). Without per-state windows only the
   * first event's time counts, and partial matches are kept sorted by it (compareStates), so the
   * first one that is not the start run expires first: O(1). A first event at time -1 sorts with the
   * start run (-1 is its "no start" mark): those are checked too. Per-state windows scan.
   */
  private earliestExpiry(nfaState: NfaState<E>): number {
    let earliest = Infinity;
    const w = nfaState.words;
    for (let run = nfaState.runCount > 0 ? nfaState.firstRun : NONE; run !== NONE; run = w[(run << SHIFT) + R_NEXT]!) {
      if ((this.flags[w[(run << SHIFT) + R_STATE]!]! & IS_START) !== 0) continue;
      const expiry = this.expiry(nfaState, run);
      if (expiry < earliest) earliest = expiry;
      if (!this.stateWindows && nfaState.runStart(run) !== -1) break;
    }
    return earliest;
  }

  /**
   * Drops a key's state that is no longer used: releases what its runs hold (their versions live in
   * a pool shared by every NFA, which the garbage collector does not see).
   */
  dispose(nfaState: NfaState<E>): void {
    for (const runs of [nfaState.runList(), nfaState.completedMatches]) {
      for (const cs of runs) {
        const node = nfaState.runNode(cs);
        if (node !== NONE) nfaState.releaseNode(node, nfaState.runVersion(cs));
        this.retire(nfaState, cs);
      }
    }
    if (nfaState.startVersion !== Dewey.NO_VERSION) Dewey.release(nfaState.startVersion);
    nfaState.startVersion = Dewey.NO_VERSION;
    nfaState.linkRuns(NO_COMPLETED, 0);
    if (nfaState.completedMatches.length > 0) nfaState.completedMatches.length = 0;
    this.settle(nfaState);
  }

  /** The live partial matches of a key, for `sw pattern trace`. */
  describe(nfaState: NfaState<E>): PartialMatchView[] {
    return nfaState
      .runList()
      .filter((cs) => !this.stateOf(nfaState, cs).isStart)
      .map((cs) => this.view(nfaState, cs));
  }

  /**
   * Completed matches are emitted in order of their first event: a match waits while an earlier
   * partial match is alive, since that one may still complete first and prune it. Prunes
   * `partialMatches[0..count)` in place and makes what is left the key's run list, also when the
   * strategy throws (SkipToElementError: the match stays first in line, as in Flink).
   */
  private processMatchesAccordingToSkipStrategy(
    nfaState: NfaState<E>,
    potentialMatches: readonly Run[],
    partialMatches: Run[],
    partialCount: number,
    result: NfaMatch<E>[],
  ): void {
    let completed = nfaState.completedMatches;
    if (potentialMatches.length > 0) {
      if (completed === (NO_COMPLETED as Run[])) completed = nfaState.completedMatches = [];
      completed.push(...potentialMatches);
      this.sorting = nfaState;
      completed.sort(this.byState);
      this.sorting = null;
    }
    try {
      while (completed.length > 0) {
        const earliest = completed[0]!;
        if (partialCount > 0 && compareStart(nfaState as NfaState<unknown>, earliest, partialMatches[0]!) > 0) break;
        const node = nfaState.runNode(earliest);
        const version = nfaState.runVersion(earliest);
        const paths = nfaState.extractPatterns(node, version);
        // Found once for both lists (it walks every path of the match).
        const pruning = this.skip.pruningEvent(paths as readonly MatchPath<unknown>[]);
        completed.shift();
        if (pruning !== null) {
          partialCount = this.prune(nfaState, partialMatches, partialCount, pruning);
          completed.length = this.prune(nfaState, completed, completed.length, pruning);
        }
        if (this.observer?.partialMatch !== undefined) this.report('completed', nfaState, earliest);
        result.push(paths[0]!);
        nfaState.releaseNode(node, version);
        this.retire(nfaState, earliest);
      }
    } finally {
      this.relink(nfaState, partialMatches, partialCount);
    }
  }

  /** Retires the runs of `states[0..count)` the strategy prunes; returns how many are left (in place). */
  private prune(nfaState: NfaState<E>, states: Run[], count: number, pruning: BufferedEvent<unknown>): number {
    let kept = 0;
    const probe = this.probe;
    for (let i = 0; i < count; i++) {
      const cs = states[i]!;
      const startEvent = nfaState.runStartEvent(cs);
      let pruned = false;
      if (startEvent !== NONE) {
        probe.timestamp = nfaState.eventTime(startEvent);
        probe.seq = nfaState.eventSeq(startEvent);
        pruned = this.skip.shouldPrune(probe as BufferedEvent<unknown>, pruning);
      }
      if (pruned) {
        if (this.observer?.partialMatch !== undefined) this.report('pruned', nfaState, cs);
        nfaState.releaseNode(nfaState.runNode(cs), nfaState.runVersion(cs));
        this.retire(nfaState, cs);
      } else {
        states[kept++] = cs;
      }
    }
    return kept;
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
   * Writes the next states to `nextStates` and returns how many there are.
   */
  private computeNextStates(nfaState: NfaState<E>, run: Run, value: E): number {
    // The run's fields, read once: its record is freed before its successors are made (the first
    // takes the same slot, already in the cache).
    let state: number;
    let previous: number;
    let version: Version;
    let startEvent: number;
    if (run === START) {
      state = this.startIndex;
      previous = NONE;
      version = nfaState.startVersion;
      startEvent = NONE;
    } else {
      const w = nfaState.words;
      const at = run << SHIFT;
      state = w[at + R_STATE]!;
      previous = w[at + R_NODE]!;
      version = w[at + R_VERSION]!;
      startEvent = w[at + R_START_EVENT]!;
    }
    const fromStart = (this.flags[state]! & IS_START) !== 0;
    this.contextPrevious = previous;
    this.contextVersion = version;
    this.contextBuffer = nfaState;
    this.contextEvents = null;
    // A run in the start state (the key's own, or one restored into the list) stays as it is.
    if (!fromStart) nfaState.freeRecord(run);
    const edgeCount = this.createDecisionGraph(state, value);
    const edges = this.edges;
    const actions = this.actions;
    const targets = this.targets;
    const totalTake = this.totalTake;
    const totalIgnore = this.totalIgnore;
    let takeBranchesToVisit = Math.max(0, totalTake - 1);
    let ignoreBranchesToVisit = totalIgnore;
    const totalTakeToSkip = Math.max(0, totalTake - 1);
    this.nextCount = 0;
    for (let e = 0; e < edgeCount; e++) {
      const edge = edges[e]!;
      const target = targets[edge]!;
      if (actions[edge] === IGNORE) {
        if (fromStart) continue;
        let nextVersion: Version;
        if (target === state) {
          nextVersion = Dewey.increase(version, calculateIncreasingSelfState(totalIgnore, totalTake));
        } else {
          nextVersion = Dewey.branch(version, totalTakeToSkip + ignoreBranchesToVisit);
          ignoreBranchesToVisit--;
        }
        this.addComputationState(nfaState, target, previous, nextVersion, startEvent);
      } else {
        const event = this.currentEvent();
        const currentVersion = Dewey.increase(version, takeBranchesToVisit);
        const nextVersion = Dewey.addStage(currentVersion);
        takeBranchesToVisit--;
        // The edge takes over currentVersion's reference, the new run nextVersion's.
        const newEntry = nfaState.put(this.sourcePages[edge]!, event, previous, currentVersion);
        const runStartEvent = fromStart ? event : startEvent;
        this.addComputationState(nfaState, target, newEntry, nextVersion, runStartEvent);
        const finalState = this.findFinalStateAfterProceed(target, value);
        if (finalState !== NONE) {
          Dewey.retain(nextVersion);
          this.addComputationState(nfaState, finalState, newEntry, nextVersion, runStartEvent);
        }
      }
    }
    let keptVersion = false;
    if (fromStart) {
      const branches = calculateIncreasingSelfState(totalIgnore, totalTake);
      // An event that starts nothing leaves the start run as it was; otherwise it gets a raised
      // version and a new creation number.
      const nextVersion = branches !== 0 ? Dewey.increase(version, branches) : version;
      keptVersion = branches === 0;
      if (run === START) {
        this.nextStartVersion = nextVersion;
        this.nextStartId = branches !== 0 ? this.nextId++ : nfaState.startId;
      } else if (branches !== 0) {
        nfaState.words[(run << SHIFT) + R_VERSION] = nextVersion;
        nfaState.times[(run << (SHIFT - 1)) + F_ID] = this.nextId++;
      }
      this.nextStates[this.nextCount++] = run;
    }
    if (previous !== NONE) nfaState.releaseNode(previous, version);
    // The start run that started nothing keeps its version.
    if (!keptVersion) Dewey.release(version);
    return this.nextCount;
  }

  /** Releases a dead run's version and frees its record; it must be in no list any more (its node is released). */
  private retire(nfaState: NfaState<E>, run: Run): void {
    const at = (run << SHIFT) + R_VERSION;
    const version = nfaState.words[at]!;
    if (version !== Dewey.NO_VERSION) Dewey.release(version);
    nfaState.words[at] = Dewey.NO_VERSION;
    nfaState.freeRecord(run);
  }

  private currentEvent(): number {
    if (this.event === NONE) this.event = this.eventBuffer!.registerEvent(this.eventValue!, this.eventTimestamp);
    return this.event;
  }

  private addComputationState(
    nfaState: NfaState<E>,
    state: number,
    previous: number,
    /** Taken over by the run. */
    version: Version,
    startEvent: number,
  ): void {
    this.nextStates[this.nextCount++] = nfaState.newRun(state, previous, version, startEvent, this.nextId++);
    if (previous !== NONE) nfaState.lockNode(previous, version);
  }

  /** Outgoing TAKE / IGNORE transitions for `value` (PROCEED ones followed at once) into `edges`, counting the branching ones; returns how many. */
  private createDecisionGraph(from: number, value: E): number {
    const edges = this.edges;
    const actions = this.actions;
    const targets = this.targets;
    const first = this.firstTransition;
    let edgeCount = 0;
    let totalTake = 0;
    let totalIgnore = 0;
    const pending = this.pendingStates;
    let top = 0;
    pending[top++] = from;
    while (top > 0) {
      const state = pending[--top]!;
      for (let t = first[state]!, end = first[state + 1]!; t < end; t++) {
        if (!this.evaluate(this.conditions[t]!, value)) continue;
        const action = actions[t]!;
        if (action === PROCEED) {
          pending[top++] = targets[t]!;
        } else {
          // A self IGNORE does not branch.
          if (!(action === IGNORE && targets[t] === from)) {
            if (action === IGNORE) totalIgnore++;
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

  /** The final state PROCEED transitions from `state` reach for `value`, or NONE. */
  private findFinalStateAfterProceed(state: number, value: E): number {
    // Called after the decision graph is built, so its stack is free to reuse.
    const pending = this.pendingStates;
    const first = this.firstTransition;
    let top = 0;
    pending[top++] = state;
    while (top > 0) {
      const from = pending[--top]!;
      for (let t = first[from]!, end = first[from + 1]!; t < end; t++) {
        if (this.actions[t] !== PROCEED || !this.evaluate(this.conditions[t]!, value)) continue;
        const target = this.targets[t]!;
        if ((this.flags[target]! & IS_FINAL) !== 0) return target;
        pending[top++] = target;
      }
    }
    return NONE;
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
          if (this.observer?.condition !== undefined) this.observeCondition(condition.stage, condition.kind, false, error);
          return false;
        }
        if (this.observer?.condition !== undefined) this.observeCondition(condition.stage, condition.kind, passed);
        return passed;
      }
    }
  }

  private pathOf(buffer: SharedBuffer<E>, previous: number, version: Version): MatchPath<E> {
    if (previous === NONE) return new Map();
    return buffer.extractPatterns(previous, version, 1)[0] ?? new Map();
  }

  private materializeValues(path: MatchPath<E>): Map<string, E[]> {
    const values = new Map<string, E[]>();
    for (const [stage, events] of path) values.set(stage, events.map((e) => e.value));
    return values;
  }

  private view(nfaState: NfaState<E>, run: Run): PartialMatchView {
    const events: Record<string, unknown[]> = {};
    for (const [stage, list] of this.materializeValues(this.pathOf(nfaState, nfaState.runNode(run), nfaState.runVersion(run)))) events[stage] = list;
    return { state: this.stateOf(nfaState, run).name, start: nfaState.runStart(run), events };
  }

  private report(kind: PartialMatchChangeKind, nfaState: NfaState<E>, run: Run): void {
    this.notify({ kind, ...this.view(nfaState, run) });
  }

  /** Tells the observer of a partial match change; what it throws waits for throwFailure. */
  private notify(change: PartialMatchChange): void {
    try {
      this.observer?.partialMatch?.(change);
    } catch (error) {
      if (this.failure === NO_FAILURE) this.failure = error;
    }
  }

  /** Tells the observer a condition's outcome (and what the condition threw, if it did); what the observer throws waits for throwFailure. */
  private observeCondition(stage: string, kind: 'where' | 'until', passed: boolean, ...error: [unknown?]): void {
    try {
      this.observer?.condition?.(stage, kind, passed, ...error);
    } catch (failure) {
      if (this.failure === NO_FAILURE) this.failure = failure;
    }
  }

  /** Throws what an observer threw during this call, now that the key's runs are linked again. */
  private throwFailure(): void {
    const failure = this.failure;
    if (failure === NO_FAILURE) return;
    this.failure = NO_FAILURE;
    throw failure;
  }
}
