/**
 * The linear-run matcher: Flink's NFA (nfa.ts) for compiled patterns whose partial matches never
 * branch, without the shared buffer, Dewey versions or node locking.
 *
 * Eligibility (linearChainOf, decided on the compiled graph): from the start state, every state has
 * exactly one TAKE edge, to the next state of a chain that ends in the final state, and at most an
 * IGNORE edge to itself on the negation of that TAKE condition (followedBy, or a times(n) loop's
 * relaxed inner contiguity); no PROCEED edge, no window since the previous event, no state outside
 * the chain; and no stage condition reads the events of the partial match (iterative conditions).
 * Then, for every run and event, at most one successor exists (TAKE xor IGNORE, or neither: the
 * strict run dies), and a run is (position in the chain, its events so far): position p means it
 * has taken p events, the j-th into the stage of the chain's j-th state. The start run always stays
 * and starts one run per event its TAKE accepts, so runs are told apart by their first event.
 *
 * Layout: the live runs of a key are rows of the matcher's pools, a block per key with runs (the
 * key's slot record holds its first row, the block's size and the run count: key-slots.ts), in the NFA's order (compareStart: first event time,
 * then arrival; a first event at time -1 sorts last, as the NFA's "no start" mark does); a row of
 * `rows` is [position, then time and arrival number of each taken event], a row of `values` the
 * events' records. No object per run or event: a step writes three slots of its run's row.
 * Completed matches are rows of a "done" area shown through reused lists (MatchEvents); only those
 * waiting for an earlier partial match (skip strategies) become objects. Each condition is
 * evaluated once per event (it reads only the event), and expression errors are counted as the NFA
 * counts them: once per run and edge that evaluated it.
 */
import type { SkipStrategy } from '../../spec.js';
import type { CompiledPattern } from './compiler.js';
import type { Condition, StageCondition, State } from './state.js';
import type { PartialMatchView } from '../trace.js';
import { LINEAR_BLOCK, LINEAR_CAPACITY, LINEAR_CAPACITY_MASK, LINEAR_COUNT, LINEAR_WAITING, SLOT_INTS, type KeySlots } from '../key-slots.js';
import { sourcePositionOf } from '../../snapshot/binary.js';

/** The chain of a linear pattern: its states Q0 (start) .. Q(m-1); Q(m) is the final state. */
export interface LinearChain<E> {
  readonly states: readonly State<E>[];
  /** Per state, its TAKE condition's function (null: always true). */
  readonly tests: readonly (StageCondition<E> | null)[];
  /** Per state, whether it IGNOREs events its TAKE refuses (relaxed contiguity). */
  readonly relaxed: readonly boolean[];
  /** Per state, the stage its TAKE stores the event under. */
  readonly stages: readonly string[];
}

/** Longest chain taken (a row holds this many events). */
const MAX_CHAIN = 64;

/**
 * The chain when `compiled` is linear (see the header), null otherwise. `readsStages` says whether the
 * stage conditions may read the partial match's accepted events (then a stage with a condition
 * makes it not linear).
 */
export function linearChainOf<E>(compiled: CompiledPattern<E>, readsStages: boolean): LinearChain<E> | null {
  const states: State<E>[] = [];
  const tests: (StageCondition<E> | null)[] = [];
  const relaxed: boolean[] = [];
  const stages: string[] = [];
  let state = compiled.start;
  while (!state.isFinal) {
    if (states.length >= MAX_CHAIN || states.includes(state)) return null;
    if (state.kind !== (states.length === 0 ? 'start' : 'normal') || state.previousWindow > 0) return null;
    let take: Condition<E> | null = null;
    let next: State<E> | null = null;
    let ignore: Condition<E> | null = null;
    for (const t of state.transitions) {
      if (t.action === 'take' && take === null) {
        take = t.condition;
        next = t.target;
      } else if (t.action === 'ignore' && ignore === null && t.target === state) {
        ignore = t.condition;
      } else return null;
    }
    if (take === null || next === null || next === state) return null;
    let test: StageCondition<E> | null;
    if (take.kind === 'true') test = null;
    else if (take.kind === 'where') test = take.test;
    else return null;
    if (test !== null && readsStages) return null;
    if (ignore !== null) {
      // The IGNORE must be "not the TAKE condition": then exactly one of them holds for any event.
      if (ignore.kind !== 'not') return null;
      const of = ignore.of;
      if (!(of.kind === 'true' ? test === null : of.kind === 'where' && test !== null && of.test === test)) return null;
      // The start run never IGNOREs (the NFA skips the start state's IGNORE edges); none is compiled.
      if (states.length === 0) return null;
    }
    states.push(state);
    tests.push(test);
    relaxed.push(ignore !== null && test !== null);
    stages.push(state.stage);
    state = next;
  }
  if (states.length === 0 || compiled.states.length !== states.length + 1) return null;
  return { states, tests, relaxed, stages };
}

/**
 * A key's linear state as the snapshot copiers read it (the operator's view of a slot; the matcher
 * itself reads the slot's record: LINEAR_BLOCK, LINEAR_CAPACITY with the LINEAR_WAITING bit, LINEAR_COUNT).
 */
export interface LinearKey {
  /** The key's slot (key-slots.ts). */
  readonly slot: number;
  /** The key's block of rows in the matcher's pools (its first row), -1 while it has no run. */
  readonly linearBlock: number;
  /** Rows in the block. */
  readonly linearCapacity: number;
  /** How many runs: the block's first linearCount rows. */
  readonly linearCount: number;
  /** Completed matches waiting for an earlier partial match (skip strategies), in compareStart order. */
  readonly linearWaiting: readonly LinearRun[];
}

/**
 * A match as the operator reads it: its events by stage, stages in the order first taken (the NFA's
 * NfaMatch is one; the linear matcher's views are others).
 */
export interface MatchEvents<E> {
  forEach(visit: (events: readonly { readonly value: E; readonly timestamp: number }[], stage: string) => void): void;
}

/**
 * A completed match of the linear matcher: a row of its `done` area, shown stage by stage through
 * lists and event objects reused for every match. Valid until the matcher's next call: the
 * operator reads each match as soon as it has it.
 */
class LinearMatch<E> implements MatchEvents<E> {
  constructor(
    private readonly matcher: LinearMatcher<E>,
    private readonly index: number,
  ) {}
  forEach(visit: (events: readonly { readonly value: E; readonly timestamp: number }[], stage: string) => void): void {
    this.matcher.visitDone(this.index, visit);
  }
}

/** A partial match that timed out, as NfaTimeout: its events so far, and when (first event + within). */
export interface LinearTimeout<E> {
  readonly match: MatchEvents<E>;
  readonly timestamp: number;
}

/** A completed run kept as an object: its events' records, times and arrival numbers. */
export interface LinearRun {
  readonly values: unknown[];
  readonly times: number[];
  readonly seqs: number[];
}

/** Shared by every key without waiting matches. */
export const NO_LINEAR_WAITING: LinearRun[] = Object.freeze([]) as unknown as LinearRun[];
const NO_WAITING = NO_LINEAR_WAITING;

const NO_MATCHES: readonly never[] = Object.freeze([]);
const NOTHING = Object.freeze({ matches: NO_MATCHES, timeouts: NO_MATCHES });
/** Rows of a key's first block (binge holds at most 4 runs); a full block is replaced by one twice its size. */
const FIRST_ROWS = 4;

// A condition's outcome for the current event, by state (evaluated once per event).
const UNKNOWN = 0;
const PASSED = 1;
const FAILED = 2;
const THREW = 3;

// Why dropRows drops a run.
const TIMED_OUT = 0;
const PRUNED_AT_OR_BEFORE = 1;
const PRUNED_BEFORE = 2;

/** The NFA's "no start" mark: a first event at this time sorts after every other (NFA compareStart). */
const NO_START_MARK = -1;

/** Empties slots [from, to) of a list of records (a loop: the ranges are a few slots, where fill's builtin call cost more). */
function clear(values: unknown[], from: number, to: number): void {
  for (let i = from; i < to; i++) values[i] = undefined;
}

/** compareStart of two first events (time, arrival), with the NFA's -1 quirk. */
function compareStart(at: number, aseq: number, bt: number, bseq: number): number {
  const a = at === NO_START_MARK ? Number.MAX_VALUE : at;
  const b = bt === NO_START_MARK ? Number.MAX_VALUE : bt;
  if (a !== b) return a < b ? -1 : 1;
  if (at !== bt) return at < bt ? -1 : 1;
  return aseq - bseq;
}

function compareEvents(at: number, aseq: number, bt: number, bseq: number): number {
  return at !== bt ? (at < bt ? -1 : 1) : aseq - bseq;
}

export class LinearMatcher<E> {
  /** Conditions that threw, counted as the NFA counts them (nfa.errors). */
  errors = 0;
  /** Arrival numbers of taken events; one counter for every key (only their order within a key matters). */
  seq = 0;
  readonly windowTime: number;
  /** m: the chain's length; a run at position m is complete. */
  readonly length: number;
  private readonly tests: readonly (StageCondition<E> | null)[];
  private readonly relaxed: Uint8Array;
  /** The stage each position's event is taken into. */
  readonly stageNames: readonly string[];
  /** The chain's state names by position. */
  readonly stateNames: readonly string[];
  /** Float64 slots per row: position, then (time, arrival) per event. */
  private readonly width: number;
  private readonly skip: SkipStrategy;
  /**
   * How a skip strategy prunes against an event (compareEvents of a run's first event with it at
   * most this): skipPastLastEvent and skipToNext at or before it (0), the skip-to-element ones
   * strictly before (-1).
   */
  private readonly pruneLimit: number;
  /** skipToFirst / skipToLast: the position of the stage's first / last event in a match, -1 when not in it. */
  private readonly skipIndex: number;
  private readonly handleTimeout: boolean;
  // Per-event condition outcomes by state, and which states share a condition (evaluated once).
  private readonly outcome: Uint8Array;
  private readonly sameAs: Int32Array;
  private value: E | null = null;
  private readonly noStages = (): readonly E[] => [];
  /**
   * Every key's rows, one block per key with runs (a key's state holds its block's first row: one
   * cache miss on the block, none on a per-key array object), and their records, `length` slots per
   * row; replaced by a larger copy when full. Blocks of `FIRST_ROWS << c` rows are reused from
   * freeBlocks[c], the last freed first (still in the cache).
   */
  private rows = new Float64Array(0);
  private values: unknown[] = [];
  /**
   * Beside `values`, slot for slot: each record's position in the recording (sourcePositionOf, NaN
   * for none), written when the record is taken, while it is in the cache. A checkpoint's copy
   * reads it here: read from each record there, it was a cold line per held record (~20% of a
   * binge checkpoint's replay-thread part). Stale outside the live runs' events, never read there.
   * Kept from the first copy on (keepPositions): before, NaN (then the store reads the record).
   */
  private positions = new Float64Array(0);
  /** Whether `positions` are written: only in an operator whose state is copied (a run without checkpoints reads no position). */
  private keepingPositions = false;
  private rowsTop = 0;
  private readonly freeBlocks: number[][] = [];
  /**
   * The matches of the current call, rows in the rows' layout (`doneCount` of them), their views,
   * and which of them a skip strategy pruned: no object per match unless it must wait.
   */
  private doneRows = new Float64Array(0);
  private doneValues: unknown[] = [];
  private donePruned = new Uint8Array(0);
  private doneCount = 0;
  /** The most rows the done area held since it was last cleared: their values are let go at the next call. */
  private doneHigh = 0;
  private readonly views: LinearMatch<E>[] = [];
  /** For visitDone: the stages in the order first taken, the positions of each, and a reused list of reused events per stage. */
  private readonly stageOrder: readonly string[];
  private readonly stagePositions: readonly (readonly number[])[];
  private readonly stageLists: readonly (readonly { value: E; timestamp: number }[][])[];
  /** Per slot, its completed matches waiting (skip strategies), when it has any (its record's LINEAR_WAITING bit says so). */
  private readonly waitingLists: (LinearRun[] | undefined)[] = [];

  constructor(
    /** The keys' records: LINEAR_BLOCK, LINEAR_CAPACITY (and the LINEAR_WAITING bit), LINEAR_COUNT. */
    private readonly slots: KeySlots,
    chain: LinearChain<E>,
    windowTime: number,
    skip: SkipStrategy,
    handleTimeout: boolean,
  ) {
    this.length = chain.states.length;
    this.tests = chain.tests;
    this.relaxed = Uint8Array.from(chain.relaxed, (r) => (r ? 1 : 0));
    this.stageNames = chain.stages;
    this.stateNames = chain.states.map((s) => s.name);
    this.width = 1 + 2 * this.length;
    this.windowTime = windowTime;
    this.skip = skip;
    this.pruneLimit = skip.kind === 'skipPastLastEvent' || skip.kind === 'skipToNext' ? 0 : -1;
    this.handleTimeout = handleTimeout;
    this.outcome = new Uint8Array(this.length);
    this.sameAs = Int32Array.from(chain.tests, (test, i) => (test === null ? i : chain.tests.indexOf(test)));
    this.stageOrder = [...new Set(chain.stages)];
    this.stagePositions = this.stageOrder.map((stage) => chain.stages.flatMap((s, i) => (s === stage ? [i] : [])));
    // Per stage, a list for each count of its events a (partial) match can hold, sharing the event objects.
    this.stageLists = this.stagePositions.map((positions) => {
      const events = positions.map(() => ({ value: null as E, timestamp: 0 }));
      return events.map((_, i) => events.slice(0, i + 1));
    });
    if (skip.kind === 'skipToFirst') this.skipIndex = chain.stages.indexOf(skip.stage);
    else if (skip.kind === 'skipToLast') this.skipIndex = chain.stages.lastIndexOf(skip.stage);
    else this.skipIndex = -1;
  }

  /** True when the key at `slot` holds no run and no waiting match. */
  isIdle(slot: number): boolean {
    const at = slot * SLOT_INTS;
    const ints = this.slots.ints;
    return ints[at + LINEAR_COUNT] === 0 && (ints[at + LINEAR_CAPACITY]! & LINEAR_WAITING) === 0;
  }

  partialMatchCount(slot: number): number {
    return this.countOf(slot);
  }

  /** The key's live partial matches (as NFA.describe). */
  describe(slot: number): PartialMatchView[] {
    const views: PartialMatchView[] = [];
    const block = this.blockOf(slot);
    for (let row = block; row < block + this.countOf(slot); row++) {
      const position = this.rows[row * this.width]!;
      const events: Record<string, unknown[]> = {};
      for (let i = 0; i < position; i++) (events[this.stageNames[i]!] ??= []).push(this.values[row * this.length + i]);
      views.push({ state: this.stateNames[position]!, start: this.rows[row * this.width + 1]!, events });
    }
    return views;
  }

  /** The earliest time advanceTime would change the key: its first run's `within` expiry. */
  nextTimeout(slot: number): number {
    if (this.windowTime <= 0 || this.countOf(slot) === 0) return Infinity;
    return this.earliestStart(slot) + this.windowTime;
  }

  /** The key's completed matches waiting for an earlier partial match (skip strategies). */
  waitingOf(slot: number): readonly LinearRun[] {
    return (this.slots.ints[slot * SLOT_INTS + LINEAR_CAPACITY]! & LINEAR_WAITING) === 0 ? NO_WAITING : this.waitingLists[slot]!;
  }

  // A run of the key (index: its place in order, 0 first) for snapshots: how many events it took,
  // and its j-th event's record, time and arrival number.
  runTaken(key: LinearKey, index: number): number {
    return this.rows[(this.blockOf(key.slot) + index) * this.width]!;
  }

  runValue(key: LinearKey, index: number, j: number): unknown {
    return this.values[(this.blockOf(key.slot) + index) * this.length + j];
  }

  runTime(key: LinearKey, index: number, j: number): number {
    return this.rows[(this.blockOf(key.slot) + index) * this.width + 1 + 2 * j]!;
  }

  runSeq(key: LinearKey, index: number, j: number): number {
    return this.rows[(this.blockOf(key.slot) + index) * this.width + 2 + 2 * j]!;
  }

  /**
   * The runs as a snapshot copy reads them in place (linear-snapshot-copy.ts): per row (`width`
   * floats) how many events the run took, then their (time, arrival) pairs; their records,
   * `length` a row. A key's runs are the rows from its record's LINEAR_BLOCK on, LINEAR_COUNT of
   * them. Valid until the next event changes the matcher.
   */
  rowsForCopy(): { readonly rows: Float64Array; readonly values: readonly unknown[]; readonly positions: Float64Array; readonly width: number; readonly length: number } {
    return { rows: this.rows, values: this.values, positions: this.positions, width: this.width, length: this.length };
  }

  /** From now on, the records taken have their positions kept beside them (rowsForCopy's `positions`); the ones taken before stay NaN. */
  keepPositions(): void {
    this.keepingPositions = true;
  }

  /** Appends a run with these events (restores: runs come in order), or a waiting match when `completed`. */
  loadRun(slot: number, events: readonly { readonly value: unknown; readonly timestamp: number; readonly seq: number }[], completed: boolean): void {
    if (completed) {
      const waiting = this.listOf(slot);
      waiting.push({ values: events.map((e) => e.value), times: events.map((e) => e.timestamp), seqs: events.map((e) => e.seq) });
      this.keepWaiting(slot, waiting);
      return;
    }
    const row = this.newRow(slot, NO_START_MARK);
    const at = row * this.width;
    this.rows[at] = events.length;
    events.forEach((e, i) => {
      this.rows[at + 1 + 2 * i] = e.timestamp;
      this.rows[at + 2 + 2 * i] = e.seq;
      this.values[row * this.length + i] = e.value;
      this.positions[row * this.length + i] = this.keepingPositions ? sourcePositionOf(e.value) : NaN;
    });
  }

  /** Forgets the key's runs. */
  dispose(slot: number): void {
    const block = this.blockOf(slot);
    if (block >= 0) this.values.fill(undefined, block * this.length, (block + this.countOf(slot)) * this.length);
    this.setCount(slot, 0);
    this.keepWaiting(slot, NO_WAITING);
    this.release(slot);
  }

  // The key's fields in its slot's record (key-slots.ts).
  private countOf(slot: number): number {
    return this.slots.ints[slot * SLOT_INTS + LINEAR_COUNT]!;
  }

  private setCount(slot: number, count: number): void {
    this.slots.ints[slot * SLOT_INTS + LINEAR_COUNT] = count;
  }

  private blockOf(slot: number): number {
    return this.slots.ints[slot * SLOT_INTS + LINEAR_BLOCK]!;
  }

  /** The key's waiting matches as a list it may change (a new one when it has none); keepWaiting stores it back. */
  private listOf(slot: number): LinearRun[] {
    return (this.slots.ints[slot * SLOT_INTS + LINEAR_CAPACITY]! & LINEAR_WAITING) === 0 ? [] : this.waitingLists[slot]!;
  }

  /** Stores the key's waiting matches (and whether it has any in its record); an empty list is not kept. */
  private keepWaiting(slot: number, waiting: readonly LinearRun[]): void {
    const at = slot * SLOT_INTS + LINEAR_CAPACITY;
    const ints = this.slots.ints;
    ints[at] = waiting.length === 0 ? ints[at]! & LINEAR_CAPACITY_MASK : ints[at]! | LINEAR_WAITING;
    this.waitingLists[slot] = waiting.length === 0 ? undefined : (waiting as LinearRun[]);
  }

  /**
   * Feeds one event (event-time order) and returns the matches it completes, as NFA.process:
   *   1. every run, in order, TAKEs the event (moves on; at position m it is a potential match),
   *      IGNOREs it (relaxed: stays) or dies (strict);
   *   2. the start run TAKEs it into a new run when the first condition holds;
   *   3. noSkip: the potential matches are output in order; a skip strategy adds them to the waiting
   *      matches and outputs those not preceded by a live run, pruning as the strategy says.
   */
  process(slot: number, value: E, timestamp: number): readonly MatchEvents<E>[] {
    this.value = value;
    this.clearDone();
    const outcomes = this.outcome;
    for (let i = 0; i < outcomes.length; i++) outcomes[i] = UNKNOWN;
    const seq = this.seq++;
    // A plain run reads no position: a symbol property's load per event was measurable on the binge replay.
    const sourcePosition = this.keepingPositions ? sourcePositionOf(value) : NaN;
    const m = this.length;
    const width = this.width;
    const relaxed = this.relaxed;
    const ints = this.slots.ints;
    const at0 = slot * SLOT_INTS;
    const count = ints[at0 + LINEAR_COUNT]!;
    if (count > 0) {
      const rows = this.rows;
      const values = this.values;
      const positions = this.positions;
      const base = ints[at0 + LINEAR_BLOCK]!;
      let write = base;
      const end = base + count;
      for (let read = base; read < end; read++) {
        const at = read * width;
        const position = rows[at]!;
        const outcome = this.evaluate(position);
        if (outcome === PASSED) {
          const slot = at + 1 + 2 * position;
          rows[slot] = timestamp;
          rows[slot + 1] = seq;
          values[read * m + position] = value;
          positions[read * m + position] = sourcePosition;
          rows[at] = position + 1;
          if (position + 1 === m) {
            this.keepDone(rows, values, read);
            continue;
          }
        } else if (outcome === THREW) {
          // The TAKE's evaluation failed (false), and so did the IGNORE's: not(false) stays.
          if (relaxed[position] === 1) this.errors++;
          else continue;
        } else if (relaxed[position] === 0) continue;
        if (write !== read) this.moveRow(read, write);
        write++;
      }
      // Rows of dead runs keep their records: cleared so the collector can take them.
      if (write < end) clear(values, write * m, end * m);
      ints[at0 + LINEAR_COUNT] = write - base;
    }
    if (this.evaluate(0) === PASSED) {
      if (m === 1) {
        const done = this.newDone();
        this.doneRows[done * width] = 1;
        this.doneRows[done * width + 1] = timestamp;
        this.doneRows[done * width + 2] = seq;
        this.doneValues[done] = value;
      } else {
        const row = this.newRow(slot, timestamp);
        const at = row * width;
        const rows = this.rows;
        rows[at] = 1;
        rows[at + 1] = timestamp;
        rows[at + 2] = seq;
        this.values[row * m] = value;
        this.positions[row * m] = sourcePosition;
      }
    }
    this.value = null;
    // The slots' records are not replaced while the matcher runs (only a new key grows them).
    if (ints[at0 + LINEAR_COUNT] === 0) this.release(slot);
    const potential = this.doneCount;
    const waits = (ints[at0 + LINEAR_CAPACITY]! & LINEAR_WAITING) !== 0;
    if (potential === 0 && !waits) return NO_MATCHES;
    if (this.skip.kind === 'noSkip') return this.views.slice(0, potential);
    if (waits) {
      // Behind matches already waiting: in line with them.
      const waiting = this.listOf(slot);
      for (let i = 0; i < potential; i++) this.insertWaiting(waiting, this.runOfDone(i));
      this.doneCount = 0;
      return this.emitWaiting(slot, waiting);
    }
    return this.emitDone(slot, potential);
  }

  /**
   * The matches this event completed (done rows 0..count, in order) as NFA.processMatchesAccordingToSkipStrategy
   * with none waiting before: each is output unless a live run started before it (then it and the
   * rest wait), pruning the live runs and the later matches as the strategy says.
   */
  private emitDone(slot: number, count: number): MatchEvents<E>[] {
    const result: MatchEvents<E>[] = [];
    const width = this.width;
    const pruned = this.donePruned;
    for (let i = 0; i < count; i++) pruned[i] = 0;
    const limit = this.pruneLimit;
    for (let i = 0; i < count; i++) {
      if (pruned[i] === 1) continue;
      const at = i * width;
      const doneRows = this.doneRows;
      if (this.countOf(slot) > 0) {
        const first = this.blockOf(slot) * width;
        if (compareStart(doneRows[at + 1]!, doneRows[at + 2]!, this.rows[first + 1]!, this.rows[first + 2]!) > 0) {
          const waiting: LinearRun[] = [];
          for (let j = i; j < count; j++) if (pruned[j] === 0) waiting.push(this.runOfDone(j));
          this.keepWaiting(slot, waiting);
          break;
        }
      }
      const pruning = this.pruningIndex(this.length);
      if (pruning >= 0) {
        const time = doneRows[at + 1 + 2 * pruning]!;
        const seq = doneRows[at + 2 + 2 * pruning]!;
        if (this.countOf(slot) > 0) this.dropRows(slot, limit === 0 ? PRUNED_AT_OR_BEFORE : PRUNED_BEFORE, time, seq);
        for (let j = i + 1; j < count; j++) if (compareEvents(doneRows[j * width + 1]!, doneRows[j * width + 2]!, time, seq) <= limit) pruned[j] = 1;
      }
      result.push(this.views[i]!);
    }
    if (this.countOf(slot) === 0) this.release(slot);
    return result;
  }

  /**
   * Empties the done area for a new call, letting go of the records the last call's matches and
   * timeouts held (a watermark that timed out 2,000 runs would keep their events reachable).
   */
  private clearDone(): void {
    this.doneCount = 0;
    if (this.doneHigh > 0) {
      clear(this.doneValues, 0, this.doneHigh * this.length);
      this.doneHigh = 0;
    }
  }

  /** A new row of the done area (grown as needed); returns its index. */
  private newDone(): number {
    const done = this.doneCount++;
    if (this.doneCount > this.doneHigh) this.doneHigh = this.doneCount;
    const width = this.width;
    if (this.doneCount * width > this.doneRows.length) {
      const bigger = new Float64Array(this.doneCount * 2 * width);
      bigger.set(this.doneRows);
      this.doneRows = bigger;
      const pruned = new Uint8Array(this.doneCount * 2);
      pruned.set(this.donePruned);
      this.donePruned = pruned;
    }
    while (this.views.length < this.doneCount) this.views.push(new LinearMatch(this, this.views.length));
    return done;
  }

  /** Copies a completed (or timed-out) row of `rows`, `values` into the done area; returns its index. */
  private keepDone(rows: Float64Array, values: unknown[], row: number): number {
    const done = this.newDone();
    const width = this.width;
    const m = this.length;
    // A loop, not set(subarray): a typed array object per match was a tenth of the allocations.
    const doneRows = this.doneRows;
    for (let i = 0, from = row * width, to = done * width; i < width; i++) doneRows[to + i] = rows[from + i]!;
    for (let i = 0; i < m; i++) this.doneValues[done * m + i] = values[row * m + i];
    return done;
  }

  /** A waiting match copied into the done area; returns its view. */
  private doneOf(run: LinearRun): MatchEvents<E> {
    const done = this.newDone();
    const at = done * this.width;
    const m = this.length;
    this.doneRows[at] = m;
    for (let i = 0; i < m; i++) {
      this.doneRows[at + 1 + 2 * i] = run.times[i]!;
      this.doneRows[at + 2 + 2 * i] = run.seqs[i]!;
      this.doneValues[done * m + i] = run.values[i];
    }
    return this.views[done]!;
  }

  /** Done row `done` as an object (it must wait). */
  private runOfDone(done: number): LinearRun {
    const m = this.length;
    const at = done * this.width + 1;
    const run: LinearRun = { values: this.doneValues.slice(done * m, done * m + m), times: new Array<number>(m), seqs: new Array<number>(m) };
    for (let i = 0; i < m; i++) {
      run.times[i] = this.doneRows[at + 2 * i]!;
      run.seqs[i] = this.doneRows[at + 2 * i + 1]!;
    }
    return run;
  }

  /** Shows done row `done` stage by stage (LinearMatch.forEach). */
  visitDone(done: number, visit: (events: readonly { readonly value: E; readonly timestamp: number }[], stage: string) => void): void {
    const m = this.length;
    const at = done * this.width + 1;
    // A timed-out run took fewer than m events: only the stages it reached, with the events it took.
    const taken = this.doneRows[at - 1]!;
    for (let s = 0; s < this.stageOrder.length; s++) {
      const positions = this.stagePositions[s]!;
      let count = 0;
      while (count < positions.length && positions[count]! < taken) count++;
      if (count === 0) continue;
      const list = this.stageLists[s]![count - 1]!;
      for (let k = 0; k < count; k++) {
        const position = positions[k]!;
        const event = list[k]!;
        event.value = this.doneValues[done * m + position] as E;
        event.timestamp = this.doneRows[at + 2 * position]!;
      }
      visit(list, this.stageOrder[s]!);
    }
  }

  /**
   * Time moved to `timestamp`: runs whose first event is `within` or more before it time out (in
   * order; output as timeouts when asked), then waiting matches no live run precedes are output.
   */
  advanceTime(slot: number, timestamp: number): { readonly matches: readonly MatchEvents<E>[]; readonly timeouts: readonly LinearTimeout<E>[] } {
    const window = this.windowTime;
    this.clearDone();
    const ints = this.slots.ints;
    const at = slot * SLOT_INTS;
    if ((ints[at + LINEAR_CAPACITY]! & LINEAR_WAITING) === 0) {
      if (window <= 0 || ints[at + LINEAR_COUNT] === 0 || !(this.earliestStart(slot) + window <= timestamp)) return NOTHING;
    }
    const timeouts = window > 0 && ints[at + LINEAR_COUNT]! > 0 ? this.dropRows(slot, TIMED_OUT, timestamp, 0) : null;
    let matches: readonly MatchEvents<E>[] = NO_MATCHES;
    if ((ints[at + LINEAR_CAPACITY]! & LINEAR_WAITING) !== 0) matches = this.emitWaiting(slot, this.listOf(slot));
    if (ints[at + LINEAR_COUNT] === 0) this.release(slot);
    if (matches.length === 0 && timeouts === null) return NOTHING;
    return { matches, timeouts: timeouts ?? NO_MATCHES };
  }

  /**
   * Drops the runs that timed out at `time` (TIMED_OUT; returns them as timeouts when asked) or that
   * the skip strategy prunes against the event (time, seq), keeping the others in order.
   */
  private dropRows(slot: number, why: number, time: number, seq: number): LinearTimeout<E>[] | null {
    let timeouts: LinearTimeout<E>[] | null = null;
    const rows = this.rows;
    const values = this.values;
    const width = this.width;
    const m = this.length;
    const window = this.windowTime;
    const base = this.blockOf(slot);
    const end = base + this.countOf(slot);
    let write = base;
    for (let read = base; read < end; read++) {
      const at = read * width;
      const start = rows[at + 1]!;
      if (why === TIMED_OUT) {
        if (time - start >= window) {
          if (this.handleTimeout) (timeouts ??= []).push({ match: this.views[this.keepDone(rows, values, read)]!, timestamp: start + window });
          continue;
        }
      } else if (compareEvents(start, rows[at + 2]!, time, seq) <= (why === PRUNED_AT_OR_BEFORE ? 0 : -1)) continue;
      if (write !== read) this.moveRow(read, write);
      write++;
    }
    if (write < end) clear(values, write * m, end * m);
    this.setCount(slot, write - base);
    return timeouts;
  }

  /** The waiting matches (`waiting`, the key's list) no live run precedes, as NFA.processMatchesAccordingToSkipStrategy. */
  private emitWaiting(slot: number, waiting: LinearRun[]): MatchEvents<E>[] {
    const result: MatchEvents<E>[] = [];
    while (waiting.length > 0) {
      const earliest = waiting[0]!;
      if (this.countOf(slot) > 0) {
        const at = this.blockOf(slot) * this.width;
        if (compareStart(earliest.times[0]!, earliest.seqs[0]!, this.rows[at + 1]!, this.rows[at + 2]!) > 0) break;
      }
      waiting.shift();
      const pruning = this.pruningIndex(earliest.times.length);
      if (pruning >= 0) this.prune(slot, waiting, earliest.times[pruning]!, earliest.seqs[pruning]!);
      result.push(this.doneOf(earliest));
    }
    this.keepWaiting(slot, waiting);
    if (this.countOf(slot) === 0) this.release(slot);
    return result;
  }

  /** The event of a match of `taken` events the strategy prunes against (its index), -1 for none. */
  private pruningIndex(taken: number): number {
    switch (this.skip.kind) {
      case 'noSkip':
        return -1;
      case 'skipToNext':
        return 0;
      case 'skipPastLastEvent':
        return taken - 1;
      case 'skipToFirst':
      case 'skipToLast':
        return this.skipIndex;
    }
  }

  /** Drops the runs and waiting matches whose first event the strategy prunes. */
  private prune(slot: number, waiting: LinearRun[], time: number, seq: number): void {
    const limit = this.pruneLimit;
    if (this.countOf(slot) > 0) this.dropRows(slot, limit === 0 ? PRUNED_AT_OR_BEFORE : PRUNED_BEFORE, time, seq);
    let kept = 0;
    for (let i = 0; i < waiting.length; i++) {
      const run = waiting[i]!;
      if (compareEvents(run.times[0]!, run.seqs[0]!, time, seq) > limit) waiting[kept++] = run;
    }
    waiting.length = kept;
  }

  private insertWaiting(waiting: LinearRun[], run: LinearRun): void {
    let i = waiting.length;
    while (i > 0 && compareStart(waiting[i - 1]!.times[0]!, waiting[i - 1]!.seqs[0]!, run.times[0]!, run.seqs[0]!) > 0) i--;
    waiting.splice(i, 0, run);
  }

  /** The condition of state `position` for the current event (once per event); counts errors as each evaluation in the NFA would. */
  private evaluate(position: number): number {
    const shared = this.sameAs[position]!;
    let outcome = this.outcome[shared]!;
    if (outcome === UNKNOWN) {
      const test = this.tests[position]!;
      if (test === null) outcome = PASSED;
      else {
        try {
          outcome = test(this.value!, this.noStages) === true ? PASSED : FAILED;
        } catch {
          outcome = THREW;
        }
      }
      this.outcome[shared] = outcome;
    }
    if (outcome === THREW) this.errors++;
    return outcome;
  }

  /** The earliest first event time of the key's runs (the -1 ones sort last but are checked, as the NFA's earliestExpiry). */
  private earliestStart(slot: number): number {
    const rows = this.rows;
    const width = this.width;
    const base = this.blockOf(slot);
    const first = rows[base * width + 1]!;
    if (first !== NO_START_MARK) return first;
    let earliest = first;
    for (let r = base + 1; r < base + this.countOf(slot); r++) earliest = Math.min(earliest, rows[r * width + 1]!);
    return earliest;
  }

  /** A row for a new run started at `timestamp`, placed in compareStart order (last, but before runs started at -1). */
  private newRow(slot: number, timestamp: number): number {
    const width = this.width;
    const ints = this.slots.ints;
    const at = slot * SLOT_INTS;
    const count = ints[at + LINEAR_COUNT]!;
    if (count === (ints[at + LINEAR_CAPACITY]! & LINEAR_CAPACITY_MASK)) this.moveToBlock(slot, Math.max(FIRST_ROWS, count * 2));
    const base = ints[at + LINEAR_BLOCK]!;
    let row = base + count;
    ints[at + LINEAR_COUNT] = count + 1;
    if (timestamp !== NO_START_MARK) {
      // Runs started at -1 sort after it: shift them up one row.
      const rows = this.rows;
      while (row > base && rows[(row - 1) * width + 1] === NO_START_MARK) {
        this.moveRow(row - 1, row);
        row--;
      }
    }
    return row;
  }

  /** Gives the key a block of `capacity` rows, its runs copied over, and frees its old block. */
  private moveToBlock(slot: number, capacity: number): void {
    let sizeClass = 0;
    while (FIRST_ROWS << sizeClass < capacity) sizeClass++;
    const free = (this.freeBlocks[sizeClass] ??= []);
    let block = free.pop();
    if (block === undefined) {
      block = this.rowsTop;
      this.rowsTop += FIRST_ROWS << sizeClass;
      const width = this.width;
      if (this.rowsTop * width > this.rows.length) {
        const bigger = new Float64Array(Math.max(this.rows.length * 2, this.rowsTop * width));
        bigger.set(this.rows);
        this.rows = bigger;
      }
      const values = this.values;
      while (values.length < this.rowsTop * this.length) values.push(undefined);
      if (this.positions.length < values.length) {
        const bigger = new Float64Array(Math.max(this.positions.length * 2, values.length)).fill(NaN);
        bigger.set(this.positions);
        this.positions = bigger;
      }
    }
    const ints = this.slots.ints;
    const at = slot * SLOT_INTS;
    const old = ints[at + LINEAR_BLOCK]!;
    if (old >= 0) {
      const width = this.width;
      const m = this.length;
      const count = ints[at + LINEAR_COUNT]!;
      this.rows.copyWithin(block * width, old * width, (old + count) * width);
      const values = this.values;
      const positions = this.positions;
      for (let i = 0; i < count * m; i++) {
        values[block * m + i] = values[old * m + i];
        values[old * m + i] = undefined;
        positions[block * m + i] = positions[old * m + i]!;
      }
      this.freeBlock(old, ints[at + LINEAR_CAPACITY]! & LINEAR_CAPACITY_MASK);
    }
    ints[at + LINEAR_BLOCK] = block;
    ints[at + LINEAR_CAPACITY] = (ints[at + LINEAR_CAPACITY]! & LINEAR_WAITING) | (FIRST_ROWS << sizeClass);
  }

  private freeBlock(block: number, capacity: number): void {
    let sizeClass = 0;
    while (FIRST_ROWS << sizeClass < capacity) sizeClass++;
    (this.freeBlocks[sizeClass] ??= []).push(block);
  }

  /** A key without runs gives its block back (its rows' records are already cleared). */
  private release(slot: number): void {
    const ints = this.slots.ints;
    const at = slot * SLOT_INTS;
    const block = ints[at + LINEAR_BLOCK]!;
    if (block < 0) return;
    this.freeBlock(block, ints[at + LINEAR_CAPACITY]! & LINEAR_CAPACITY_MASK);
    ints[at + LINEAR_BLOCK] = -1;
    ints[at + LINEAR_CAPACITY] &= LINEAR_WAITING;
  }

  private moveRow(from: number, to: number): void {
    const width = this.width;
    const m = this.length;
    // A loop: copyWithin's call into the runtime cost more than copying 1 + 2m numbers.
    const rows = this.rows;
    for (let i = 0, f = from * width, t = to * width; i < width; i++) rows[t + i] = rows[f + i]!;
    const values = this.values;
    const positions = this.positions;
    for (let i = 0; i < m; i++) {
      values[to * m + i] = values[from * m + i];
      positions[to * m + i] = positions[from * m + i]!;
    }
  }
}
