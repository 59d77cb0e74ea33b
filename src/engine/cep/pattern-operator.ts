/**
 * The keyed pattern operator, as Flink's CepOperator in event time:
 *
 *   1. per key, records are buffered until the watermark passes them (a record at or before the
 *      current watermark is late: counted, and emitted as kind "late" with lateOutput);
 *   2. when the watermark passes a key's earliest buffered record or its earliest `within` expiry
 *      (an event-time timer), the key's buffered records are fed to its NFA in timestamp order
 *      (equal timestamps keep arrival order), each preceded by advanceTime(timestamp), then
 *      advanceTime(watermark) prunes what `within` expired;
 *   3. matches become kind "match"; partial matches dropped by `within` become kind "timeout"
 *      (end = first event + within) when emitTimeouts is set; a key with nothing buffered and no
 *      partial match is forgotten.
 *
 * Timers fire in (time, registration) order, so output is deterministic for a given input.
 */
import type { Fields, KeyHinted, MatchResult, Operator, Output, RecordContext, StepCounters, TimeoutResult } from '../operator.js';
import { newCounters } from '../operator.js';
import { compilePattern, MalformedPatternError, type CompiledPattern } from './nfa/compiler.js';
import { NFA, NfaState, type StartRun } from './nfa/nfa.js';
import { LinearSnapshots, type ChainNames, type RestoredRuns, type RunEvents } from './nfa/linear-snapshot.js';
import { LinearMatcher, linearChainOf, NO_LINEAR_WAITING, type LinearKey, type LinearRun, type LinearTimeout, type MatchEvents } from './nfa/linear-matcher.js';
import type { NfaMatch, NfaTimeout } from './nfa/nfa.js';
import { restoreNfaState, snapshotNfaState, type NfaSnapshot } from './nfa/nfa-snapshot.js';
import type { PatternStep } from './pattern-step.js';
import type { NfaObserver, PartialMatchView } from './trace.js';
import { SpecError } from '../../errors.js';
import { KeyTimers } from './key-timers.js';
import { PendingRecords } from './pending-records.js';
import { FIRST, KeySlots, LINEAR_BLOCK, LINEAR_CAPACITY, LINEAR_CAPACITY_MASK, LINEAR_COUNT, NO_SLOT, ORDER, SLOT_INTS } from './key-slots.js';
import { plainState, type EncodedState } from '../snapshot/binary.js';
import type { SnapshotOptions } from '../snapshot/snapshot-json.js';
import { PatternKeysCopier, type CopiedKey } from './pattern-snapshot-copy.js';
import { LinearKeysCopier, type LinearKeySnapshot } from './linear-snapshot-copy.js';
import { KeyTable, stringHash } from './key-table.js';
import { originalOf } from '../retained-record.js';
import { keyIdOf } from '../state/state-key.js';

type Rec = Record<string, unknown>;

// A mixin's base class: TypeScript requires a constructor of any arguments.
type KeyBase = new (...args: any[]) => object;

/** What a key's fields are read from: the operator's slots, timers and linear matcher (null on the NFA). */
interface KeyParts {
  readonly slots: KeySlots;
  readonly table: KeyTable;
  readonly timers: KeyTimers;
  linear: LinearMatcher<Rec> | null;
}

/**
 * A key as the snapshot copiers, the NFA's snapshot forms and the linear snapshots read it: its
 * slot, and its fields read from the slot's record (key-slots.ts). The operator's hot paths read
 * the record by slot and never this object.
 */
function withSlotFields<B extends KeyBase>(Base: B) {
  return class SlotFields extends Base implements CopiedKey, LinearKey {
    slot = NO_SLOT;
    parts: KeyParts | null = null;

    get key(): unknown {
      return this.parts!.table.keyOf(this.slot);
    }

    /** The first of the key's records waiting for the watermark (PendingRecords). */
    get first(): number {
      return this.parts!.slots.ints[this.slot * SLOT_INTS + FIRST]!;
    }

    /** The key's event-time timer, Infinity when none. */
    get timer(): number {
      return this.parts!.timers.timeOf(this.slot);
    }

    /** The key's insertion number (snapshots list keys in this order). */
    get order(): number {
      return this.parts!.slots.ints[this.slot * SLOT_INTS + ORDER]!;
    }

    get linearBlock(): number {
      return this.parts!.slots.ints[this.slot * SLOT_INTS + LINEAR_BLOCK]!;
    }

    get linearCapacity(): number {
      return this.parts!.slots.ints[this.slot * SLOT_INTS + LINEAR_CAPACITY]! & LINEAR_CAPACITY_MASK;
    }

    get linearCount(): number {
      return this.parts!.slots.ints[this.slot * SLOT_INTS + LINEAR_COUNT]!;
    }

    get linearWaiting(): readonly LinearRun[] {
      return this.parts!.linear?.waitingOf(this.slot) ?? NO_LINEAR_WAITING;
    }
  };
}

const NfaStateOfRecords: new (start: StartRun | null) => NfaState<Rec> = NfaState;

/**
 * A key of an operator on the NFA: its NFA state (partial matches and shared buffer), and its
 * slot. Restored keys are these too, whichever matcher the operator then runs.
 */
class NfaKeyState extends withSlotFields(NfaStateOfRecords) {}

/**
 * Idle NFA key states kept for reuse. On a stream of many keys, a key often goes idle (its runs
 * died) between two of its events: recycling saves the NFA state, shared buffer and seven arrays
 * (~500 bytes) per such event. 1024 states cap what idle keys can hold. (An operator on the
 * linear matcher keeps no object per key; it counts the spare states it would hold, for the
 * start-run ids a new key state took: a snapshot's nextRunId is the same on either matcher.)
 */
const SPARE_KEYS = 1024;

export const PATTERN_OPERATOR_FORMAT = 'sw-pattern';

/**
 * One key of a pattern step in a snapshot: its records waiting for the watermark, its timer, and
 * its partial matches: the NFA's state (`nfa`), or (an operator on the linear matcher) its runs in
 * the linear form (`linear`, linear-snapshot-copy.ts). Either restores into either matcher.
 */
export interface PatternKeySnapshot {
  readonly key: unknown;
  /** Buffered records in (time, arrival) order, and their event times. */
  readonly times: readonly number[];
  readonly records: readonly Rec[];
  /** The key's event-time timer (Infinity when none) and its registration number. */
  readonly timer: number;
  readonly timerSeq: number;
  readonly nfa?: NfaSnapshot<Rec>;
  readonly linear?: LinearKeySnapshot;
}

export interface PatternOperatorSnapshot {
  readonly format: typeof PATTERN_OPERATOR_FORMAT;
  readonly step: string;
  /** The compiled NFA's state names: a snapshot restores only into the same pattern. */
  readonly states: readonly string[];
  readonly watermark: number;
  readonly timerSeq: number;
  /** The NFA's computation-state counter (ids order runs that tie). */
  readonly nextRunId: number;
  readonly counters: StepCounters;
  /**
   * Plain, or (checkpoints: `snapshot({ encoded: true })`) binary, see pattern-snapshot-binary.ts;
   * binary keys are valid until the operator's next binary snapshot (its buffer is reused).
   */
  readonly keys: readonly PatternKeySnapshot[] | EncodedState;
}

/** What `sw pattern trace` observes: the NFA's observer, told which key and record it is at. */
export interface PatternObserver extends NfaObserver {
  /** The watermark reached `key`: what follows (conditions, partial matches) is about this key. */
  key?(key: unknown, watermark: number): void;
  /** A record (of the current key) is about to be fed to the NFA. */
  record?(key: unknown, timestamp: number, record: Rec): void;
  /** The record was fed; `alive` lists the key's partial matches now. */
  afterRecord?(key: unknown, timestamp: number, alive: readonly PartialMatchView[]): void;
  /** A record arrived at or before the watermark. */
  late?(key: unknown, timestamp: number, record: Rec): void;
}

export interface PatternOperatorOptions {
  readonly observer?: PatternObserver;
  /**
   * 'auto' (the default): a pattern whose partial matches never branch runs on the linear matcher
   * (linear-matcher.ts), any other on the general NFA; 'nfa' forces the general NFA (tests, bench).
   * Outputs are the same either way.
   */
  readonly matcher?: 'auto' | 'nfa';
}

/**
 * What the operator asks of a key's matcher: the general NFA (nfa.ts) or the linear matcher, which
 * gives the same results for the patterns it takes.
 */
interface KeyMatcher {
  readonly errors: number;
  process(slot: number, value: Rec, timestamp: number): readonly MatchEvents<Rec>[];
  advanceTime(slot: number, timestamp: number): { readonly matches: readonly MatchEvents<Rec>[]; readonly timeouts: readonly LinearTimeout<Rec>[] };
  nextTimeout(slot: number): number;
  isIdle(slot: number): boolean;
  dispose(slot: number): void;
  partialMatchCount(slot: number): number;
  describe(slot: number): PartialMatchView[];
}

/** The NFA as a key matcher: each slot's NfaKeyState. */
class NfaKeys implements KeyMatcher {
  constructor(
    private readonly nfa: NFA<Rec>,
    private readonly states: readonly (NfaKeyState | undefined)[],
  ) {}

  get errors(): number {
    return this.nfa.errors;
  }

  process(slot: number, value: Rec, timestamp: number): readonly NfaMatch<Rec>[] {
    return this.nfa.process(this.states[slot]!, value, timestamp);
  }

  advanceTime(slot: number, timestamp: number): { readonly matches: readonly NfaMatch<Rec>[]; readonly timeouts: readonly NfaTimeout<Rec>[] } {
    return this.nfa.advanceTime(this.states[slot]!, timestamp);
  }

  nextTimeout(slot: number): number {
    return this.nfa.nextTimeout(this.states[slot]!);
  }

  isIdle(slot: number): boolean {
    return this.nfa.isIdle(this.states[slot]!);
  }

  dispose(slot: number): void {
    this.nfa.dispose(this.states[slot]!);
  }

  partialMatchCount(slot: number): number {
    return this.nfa.partialMatchCount(this.states[slot]!);
  }

  describe(slot: number): PartialMatchView[] {
    return this.nfa.describe(this.states[slot]!);
  }
}

export class PatternOperator implements Operator, KeyHinted {
  readonly step: string;
  readonly counters: StepCounters = newCounters();
  readonly compiled: CompiledPattern<Rec>;
  private readonly nfa: NFA<Rec>;
  /** The linear matcher when the pattern is linear and not forced onto the NFA; null otherwise. */
  private linear: LinearMatcher<Rec> | null;
  /** Runs between the linear matcher's forms and the NFA's (made at the first restore that needs it). */
  private linearSnapshots: LinearSnapshots<Rec> | null = null;
  /** Copies a linear operator's keys for binary snapshots (its buffers are reused, as `copier`'s). */
  private linearCopier: LinearKeysCopier | null = null;
  /** The one of the two that matches: `linear`, or the NFA. */
  private matcher: KeyMatcher;
  /** The live keys' slots: each key's hot fields in one record (key-slots.ts). */
  private readonly slots = new KeySlots();
  private readonly keys = new KeyTable(this.slots);
  private readonly timers = new KeyTimers(this.slots);
  private readonly pending = new PendingRecords(this.slots);
  /** An operator on the NFA: each slot's NFA state. */
  private readonly nfaStates: (NfaKeyState | undefined)[] = [];
  private readonly spareNfaStates: NfaKeyState[] = [];
  /** An operator on the linear matcher: the spare key states it would hold (SPARE_KEYS). */
  private spareCount = 0;
  private readonly parts: KeyParts;
  private watermark = -Infinity;
  private observer: PatternObserver | undefined;
  /**
   * Keep records as their decoded fields (RecordContext.retain), whole only when output: the
   * conditions read nothing else, and no trace observer looks at the records.
   */
  private retainFields: boolean;
  /**
   * Whether any record this operator holds may be a retained one (RecordContext.retain): until
   * then a match's events are the records themselves, and its output does not read them
   * (originalOf reads each held record's fields, a cold line per event of a match).
   */
  private holdsRetained = false;
  /** Copies the keys for binary snapshots; its buffers are reused, so a binary snapshot is valid until the next one. */
  private copier: PatternKeysCopier | null = null;
  /**
   * Key hints (useKeyHints): per record, hintSlots[hintAt] is a small int equal for equal keys
   * (−1 for none), and byHint[it] the slot of the key last found by it. That key may have gone
   * idle since, its slot freed or taken by another key: the slot is used only when its record's id
   * is the record's key (a freed slot's id equals none).
   */
  private hintSlots: Int32Array | null = null;
  private hintAt = 0;
  private byHint = new Int32Array(0);
  /**
   * Per hint slot, the hash of the key whose slot it names (0: none; stringHash never gives 0).
   * 20K users share the reader's 16,384 intern slots: on the binge row a third of the records
   * carried a slot another live key had taken, and comparing with that key's record read it, a cold
   * line, for nothing. The hash, beside the slot, tells most of those apart first.
   */
  private hintHashes = new Int32Array(0);
  /**
   * Per slot, the hint slot that names it (−1 for none): a key forgotten takes its hint back, so
   * that when it returns (most keys of the shell row, a third of binge's) its hint is not tried on
   * its freed slot, by then another key's record and a cold line.
   */
  private hintOf = new Int32Array(0);

  constructor(
    private readonly definition: PatternStep,
    options: PatternOperatorOptions = {},
  ) {
    this.step = definition.name;
    try {
      this.compiled = compilePattern<Rec>(definition.pattern, definition.conditions);
    } catch (error) {
      if (error instanceof MalformedPatternError) throw new SpecError(`steps.${definition.name}.${error.message}`);
      throw error;
    }
    this.observer = options.observer;
    this.retainFields = definition.conditionsReadFieldsOnly === true && this.observer === undefined;
    this.nfa = new NFA(this.compiled, { handleTimeout: definition.emitTimeouts, ...(this.observer === undefined ? {} : { observer: this.observer }) });
    const chain = options.matcher === 'nfa' || this.observer !== undefined ? null : linearChainOf(this.compiled, readsStages(definition));
    this.linear = chain === null ? null : new LinearMatcher(this.slots, chain, this.compiled.windowTime, this.compiled.skip, definition.emitTimeouts);
    this.nfaMatcher = new NfaKeys(this.nfa, this.nfaStates);
    this.matcher = this.linear ?? this.nfaMatcher;
    this.parts = { slots: this.slots, table: this.keys, timers: this.timers, linear: this.linear };
  }

  /** The NFA as a key matcher: an operator on the NFA gives every key an NfaKeyState, and a restore every key it loads. */
  private readonly nfaMatcher: NfaKeys;

  /** Which matcher runs the pattern: 'linear' or 'nfa'. */
  get matcherKind(): 'linear' | 'nfa' {
    return this.linear === null ? 'nfa' : 'linear';
  }

  process(fields: Fields, ts: number, ctx: RecordContext, out: Output): void {
    this.counters.seen++;
    const filter = this.definition.filter;
    if (filter !== null) {
      let passed: boolean;
      try {
        passed = filter(fields);
      } catch {
        this.counters.exprErrors++;
        return;
      }
      if (!passed) return;
    }
    this.counters.accepted++;
    let key: unknown;
    try {
      key = this.definition.key(fields);
    } catch {
      this.counters.exprErrors++;
      return;
    }
    if (ts <= this.watermark) {
      this.counters.late++;
      if (this.definition.lateOutput || this.observer?.late !== undefined) {
        const event = ctx.original();
        this.observer?.late?.(key, ts, event);
        if (this.definition.lateOutput) out.emit({ step: this.step, kind: 'late', key, event });
      }
      return;
    }
    const slot = this.slotOf(key);
    let record: Rec;
    if (this.retainFields && ctx.retain !== undefined) {
      record = ctx.retain(fields);
      this.holdsRetained = true;
    } else record = ctx.original();
    this.pending.add(slot, ts, record);
    if (ts < this.timers.timeOf(slot)) this.timers.schedule(slot, ts);
  }

  advanceWatermark(watermark: number, out: Output): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    // One call site of popDue (the loop's test), so that one inlined copy fits the caller's budget.
    for (;;) {
      const slot = this.timers.popDue(watermark);
      if (slot === NO_SLOT) return;
      this.fire(slot, watermark, out);
    }
  }

  /** The top-level field the step is keyed by, when it is keyed by one (key hints apply). */
  get keyField(): string | undefined {
    return this.definition.keyField;
  }

  /**
   * Finds live keys by a hint the field reader gives for each record (KeyHints in
   * replay/field-reader.ts: `slots[at]` is the intern slot of the key field's string, equal for
   * equal strings) before the key table. A key found by a hint is used only when its id is the
   * record's key's, so a stale, shared or missing slot costs a table lookup, never a wrong key.
   */
  useKeyHints(slots: Int32Array, at: number, size: number): void {
    this.hintSlots = slots;
    this.hintAt = at;
    this.byHint = new Int32Array(size).fill(NO_SLOT);
    this.hintHashes = new Int32Array(size);
  }

  /** Switches a linear operator to the NFA (it has no key yet, or only restored ones, all NfaKeyStates). */
  private useNfa(): void {
    this.linear = null;
    this.parts.linear = null;
    this.matcher = this.nfaMatcher;
    this.spareCount = 0;
  }

  /** Attaches the trace hook (`sw pattern trace`); matching is unchanged. */
  observe(observer: PatternObserver): void {
    // The trace reads the NFA's runs: a linear operator switches before its first record.
    if (this.linear !== null) {
      if (this.keys.size > 0) throw new Error(`step ${this.step}: observe() before the first record`);
      this.useNfa();
    }
    this.observer = observer;
    this.nfa.observer = observer;
    this.retainFields = false;
  }

  /** Live partial matches of a key (for `sw pattern trace`); empty when the key holds none. */
  partialMatches(key: unknown): PartialMatchView[] {
    const slot = this.keys.get(keyIdOf(key));
    return slot === NO_SLOT ? [] : this.matcher.describe(slot);
  }

  /** How many partial matches a key holds (cheap: no paths extracted). */
  partialMatchCount(key: unknown): number {
    const slot = this.keys.get(keyIdOf(key));
    return slot === NO_SLOT ? 0 : this.matcher.partialMatchCount(slot);
  }

  /** Keys currently holding buffered records or partial matches. */
  get liveKeys(): number {
    return this.keys.size;
  }

  /**
   * Every key's buffered records, timer and partial matches (with the shared buffer they point
   * into) as plain data; encode it with snapshot-json (it holds ±∞). Taken between two records.
   */
  snapshot(options: SnapshotOptions = {}): PatternOperatorSnapshot {
    // A linear operator's keys in the linear form (linear-snapshot-copy.ts); the plain form from a copy of its own.
    const linear = this.linear;
    let keys: readonly PatternKeySnapshot[] | EncodedState;
    if (linear === null) keys = options.encoded === true ? this.encodedKeys() : this.plainKeys();
    else if (options.encoded === true) keys = this.linearKeys((this.linearCopier ??= new LinearKeysCopier(originalRecord)), linear);
    else keys = plainState(this.linearKeys(new LinearKeysCopier(originalRecord), linear));
    return {
      format: PATTERN_OPERATOR_FORMAT,
      step: this.step,
      states: this.compiled.states.map((s) => s.name),
      watermark: this.watermark,
      timerSeq: this.timers.nextRegistration,
      nextRunId: this.nfa.nextId,
      counters: { ...this.counters },
      keys,
    };
  }

  /** The keys copied as they are now, encoded later (pattern-snapshot-copy.ts: a checkpoint's writer thread encodes them). */
  private encodedKeys(): EncodedState {
    this.copier ??= new PatternKeysCopier(this.compiled.start.name, this.compiled.states.map((s) => s.name), originalRecord);
    return this.copier.copy(this.forEachNfaKey, this.keys.size, this.registrationOf, this.pending, this.nfa.pool);
  }

  private linearKeys(copier: LinearKeysCopier, linear: LinearMatcher<Rec>): EncodedState {
    return copier.copy(this.parts, this.pending, linear as LinearMatcher<unknown>);
  }

  private readonly registrationOf = (state: { readonly slot: number }): number => this.timers.registrationOf(state.slot);
  /** Each key of an operator on the NFA, as its NfaKeyState. */
  private readonly forEachNfaKey = (visit: (state: NfaKeyState) => void): void => this.keys.forEach((slot) => visit(this.nfaStates[slot]!));

  private plainKeys(): PatternKeySnapshot[] {
    const keys: PatternKeySnapshot[] = [];
    // An operator on the NFA: each key is an NfaKeyState.
    for (const slot of this.keys.values()) {
      const state = this.nfaStates[slot]!;
      const { times, records } = this.pending.list(state);
      const nfa = snapshotNfaState(this.nfa, state);
      keys.push({
        key: state.key,
        times,
        records: records.map(originalOf),
        timer: state.timer,
        timerSeq: this.timers.registrationOf(slot),
        nfa: {
          ...nfa,
          events: nfa.events.map((e) => {
            const value = originalOf(e.value);
            return value === e.value ? e : { ...e, value };
          }),
        },
      });
    }
    return keys;
  }

  /** Loads a snapshot into this operator, which must be fresh and built from the same pattern. */
  restore(snapshot: PatternOperatorSnapshot): void {
    if (snapshot?.format !== PATTERN_OPERATOR_FORMAT) throw new Error(`step ${this.step}: not a pattern operator snapshot (format ${JSON.stringify(snapshot?.format)})`);
    if (snapshot.step !== this.step) throw new Error(`step ${this.step}: the snapshot belongs to step ${snapshot.step}`);
    const states = this.compiled.states.map((s) => s.name).join(', ');
    if (snapshot.states.join(', ') !== states) throw new Error(`step ${this.step}: the snapshot's pattern has states ${snapshot.states.join(', ')}, the step's ${states}`);
    if (this.keys.size > 0) throw new Error(`step ${this.step}: restore needs a fresh operator`);
    // Restored keys are NfaKeyStates: whether the linear matcher or the NFA runs them is decided below.
    const timed: { slot: number; time: number; registration: number }[] = [];
    const nfaForm: NfaKeyState[] = [];
    const linearForm: [NfaKeyState, RunEvents<Rec>[], RunEvents<Rec>[], number][] = [];
    for (const saved of plainState(snapshot.keys)) {
      const id = keyIdOf(saved.key);
      let state: NfaKeyState;
      try {
        if (saved.linear !== undefined) {
          const { runs, waiting } = this.linearRunsOf(saved.linear);
          state = new NfaKeyState(this.nfa.startRun());
          linearForm.push([state, runs, waiting, saved.linear.seq]);
        } else {
          if (saved.nfa === undefined) throw new Error('the key holds neither an NFA state nor linear runs');
          state = restoreNfaState(this.nfa, saved.nfa, (start) => new NfaKeyState(start));
          nfaForm.push(state);
        }
      } catch (error) {
        throw new Error(`step ${this.step}, key ${JSON.stringify(saved.key)}: ${(error as Error).message}`);
      }
      const slot = this.newSlot(id, saved.key);
      this.nfaStates[slot] = this.bind(state, slot);
      for (let i = 0; i < saved.times.length; i++) this.pending.add(slot, saved.times[i]!, saved.records[i]!);
      if (saved.timer !== Infinity) timed.push({ slot, time: saved.timer, registration: saved.timerSeq });
    }
    this.timers.load(timed, snapshot.timerSeq);
    // The linear matcher runs the operator when every key in the NFA's form holds runs of its chain; else the NFA.
    const linear = this.linear;
    let restored: [NfaKeyState, RestoredRuns<Rec>][] | null = null;
    if (linear !== null) {
      restored = [];
      for (const state of nfaForm) {
        const runs = this.snapshotsOf().runsOf(state);
        if (runs === null) {
          restored = null;
          break;
        }
        restored.push([state, runs]);
      }
    }
    if (linear !== null && restored !== null) {
      for (const [state, runs] of restored) this.snapshotsOf().load(state, runs, linear);
      for (const [state, runs, waiting, seq] of linearForm) {
        for (const events of runs) linear.loadRun(state.slot, events, false);
        for (const events of waiting) linear.loadRun(state.slot, events, true);
        linear.seq = Math.max(linear.seq, seq);
      }
      // The runs are rows now: the keys' NFA states go (their start versions back to the pool).
      this.keys.forEach((slot) => {
        this.nfa.dispose(this.nfaStates[slot]!);
        this.nfaStates[slot] = undefined;
      });
    } else {
      this.useNfa();
      for (const [state, runs, waiting, seq] of linearForm) this.snapshotsOf().writeRuns(state, runs, waiting, seq);
    }
    // Restored records are whole records; taken as possibly retained all the same (one check per output event).
    this.holdsRetained = true;
    this.watermark = snapshot.watermark;
    this.nfa.nextId = snapshot.nextRunId;
    Object.assign(this.counters, snapshot.counters);
  }

  /** The runs of a key saved in the linear form as lists of events; throws when they are not runs of the chain. */
  private linearRunsOf(saved: LinearKeySnapshot): { runs: RunEvents<Rec>[]; waiting: RunEvents<Rec>[] } {
    const m = this.chainNames().length;
    const eventsOf = (list: readonly number[], complete: boolean): RunEvents<Rec> => {
      if (complete ? list.length !== m : list.length === 0 || list.length >= m) throw new Error(`a ${complete ? 'waiting match' : 'partial match'} of ${list.length} events, in a pattern of ${m}`);
      return list.map((i) => {
        const event = saved.events[i];
        if (event === undefined) throw new Error(`a partial match names event ${i} of ${saved.events.length}`);
        return event as RunEvents<Rec>[number];
      });
    };
    return { runs: saved.runs.map((list) => eventsOf(list, false)), waiting: saved.waiting.map((list) => eventsOf(list, true)) };
  }

  /** The chain's names: the linear matcher's, or (an operator on the NFA) those of the compiled pattern's chain. */
  private chainNames(): ChainNames {
    if (this.linear !== null) return this.linear;
    if (this.compiledChain === null) {
      const chain = linearChainOf(this.compiled, false);
      if (chain === null) throw new Error('linear partial matches, but the step\'s pattern is not a chain of stages');
      this.compiledChain = { stateNames: chain.states.map((s) => s.name), stageNames: chain.stages, length: chain.states.length };
    }
    return this.compiledChain;
  }

  /** chainNames of an operator on the NFA, worked out once. */
  private compiledChain: ChainNames | null = null;

  private snapshotsOf(): LinearSnapshots<Rec> {
    return (this.linearSnapshots ??= new LinearSnapshots(this.nfa, this.chainNames()));
  }

  /** Expression errors inside stage conditions, counted by the NFA. */
  private syncErrors(before: number): void {
    this.counters.exprErrors += this.matcher.errors - before;
  }

  /** The slot of `key`: found by its hint, by the key table, or a new one. */
  private slotOf(key: unknown): number {
    // The key's identity (the key string itself but for one starting with NUL): what the key
    // table, the hint's hash and the record's inline id are of.
    const id = keyIdOf(key);
    let hint = -1;
    let hash: number | undefined;
    if (this.hintSlots !== null && typeof id === 'string' && typeof key === 'string') {
      hint = this.hintSlots[this.hintAt]!;
      if (hint >= 0) {
        // The key string is the record's, in the cache: hashing it costs less than reading a record.
        hash = stringHash(id);
        if (this.hintHashes[hint] === hash) {
          const hinted = this.byHint[hint]!;
          if (this.keys.hasId(hinted, id)) return hinted;
        }
      }
    }
    const slot = this.lookUp(id, key, hash);
    if (hint >= 0) {
      this.byHint[hint] = slot;
      this.hintHashes[hint] = hash!;
      if (slot >= this.hintOf.length) this.growHintOf(slot);
      this.hintOf[slot] = hint;
    }
    return slot;
  }

  private growHintOf(slot: number): void {
    const hintOf = new Int32Array(Math.max(slot + 1, 2 * this.hintOf.length, 1024)).fill(-1);
    hintOf.set(this.hintOf);
    this.hintOf = hintOf;
  }

  /** Binds an NfaKeyState to its slot (the fields snapshots read come from the slot). */
  private bind(state: NfaKeyState, slot: number): NfaKeyState {
    state.slot = slot;
    state.parts = this.parts;
    return state;
  }

  /** A slot for a new key: allocated, in the key table, its timer known to the queue. */
  private newSlot(id: unknown, key: unknown): number {
    const slot = this.slots.allocate();
    this.timers.attach(slot);
    this.keys.add(slot, id, key);
    return slot;
  }

  /** The slot of `key` (its identity `id`) from the key table, or a new one added to it; `hash`, when given, is stringHash(id). */
  private lookUp(id: unknown, key: unknown, hash?: number): number {
    const found = this.keys.get(id, hash);
    if (found !== NO_SLOT) return found;
    const slot = this.newSlot(id, key);
    if (this.linear !== null) {
      // The start run's id a new NFA key state takes: the snapshot's nextRunId is the same on either matcher.
      if (this.spareCount > 0) this.spareCount--;
      else this.nfa.nextId++;
    } else this.nfaStates[slot] = this.bind(this.spareNfaStates.pop() ?? new NfaKeyState(this.nfa.startRun()), slot);
    return slot;
  }

  private fire(slot: number, watermark: number, out: Output): void {
    const errorsBefore = this.matcher.errors;
    const matcher = this.matcher;
    this.observer?.key?.(this.keys.keyOf(slot), watermark);
    const pending = this.pending;
    // One read of the key's first waiting time per record (one inlined copy where there were four:
    // fire's inlining budget goes to the matcher's calls); the matcher does not touch the records.
    let first = pending.firstTime(slot);
    while (first !== Infinity && first <= watermark) {
      const time = first;
      this.advanceTime(slot, time, out);
      do {
        const record = pending.shift(slot); // the NFA keeps what it needs
        this.observer?.record?.(this.keys.keyOf(slot), time, originalOf(record));
        // Indexed loops here and below: for-of over the NFA's frozen empty results was not lowered
        // by the optimizer and allocated an iterator per record.
        const matches = matcher.process(slot, record, time);
        for (let i = 0; i < matches.length; i++) this.emitMatch(slot, matches[i]!, out);
        this.observer?.afterRecord?.(this.keys.keyOf(slot), time, matcher.describe(slot));
        first = pending.firstTime(slot);
      } while (first === time);
    }
    this.advanceTime(slot, watermark, out);
    this.syncErrors(errorsBefore);
    const next = Math.min(first, matcher.nextTimeout(slot));
    if (next !== Infinity) this.timers.schedule(slot, next);
    // Idle: no record waiting, no partial match (only an NFA's start run): the key is forgotten.
    else if (matcher.isIdle(slot)) this.forget(slot);
  }

  /**
   * Forgets an idle key: its slot is freed (the next new key takes it), and an NFA key state is
   * kept for reuse (its start run's Dewey version keeps counting, as in Flink's keyed NFA state).
   */
  private forget(slot: number): void {
    this.keys.delete(slot);
    this.slots.release(slot);
    if (slot < this.hintOf.length) {
      const hint = this.hintOf[slot]!;
      if (hint >= 0) {
        if (this.byHint[hint] === slot) this.hintHashes[hint] = 0;
        this.hintOf[slot] = -1;
      }
    }
    if (this.linear !== null) {
      if (this.spareCount < SPARE_KEYS) this.spareCount++;
      return;
    }
    const state = this.nfaStates[slot]!;
    this.nfaStates[slot] = undefined;
    if (this.spareNfaStates.length < SPARE_KEYS) this.spareNfaStates.push(state);
    else this.nfa.dispose(state);
  }

  private advanceTime(slot: number, timestamp: number, out: Output): void {
    const { matches, timeouts } = this.matcher.advanceTime(slot, timestamp);
    for (let i = 0; i < matches.length; i++) this.emitMatch(slot, matches[i]!, out);
    for (let i = 0; i < timeouts.length; i++) {
      const timeout = timeouts[i]!;
      const events = this.eventsOf(timeout.match);
      const result: TimeoutResult = { step: this.step, kind: 'timeout', key: this.keys.keyOf(slot), start: this.matchStart, end: timeout.timestamp, events, fields: {} };
      this.counters.results++;
      out.emit(result);
    }
  }

  private emitMatch(slot: number, match: MatchEvents<Rec>, out: Output): void {
    const events = this.eventsOf(match);
    const result: MatchResult = { step: this.step, kind: 'match', key: this.keys.keyOf(slot), start: this.matchStart, end: this.matchEnd, events, fields: this.select(events) };
    this.counters.results++;
    out.emit(result);
  }

  // eventsOf's pass over a match: its events' values by stage, and its first and last event times
  // (one pass, no iterator per Map walk: Map.forEach with a bound callback allocates nothing).
  private matchEvents: Record<string, unknown[]> = {};
  private matchStart = Infinity;
  private matchEnd = -Infinity;
  private readonly addStage = (list: readonly { readonly value: Rec; readonly timestamp: number }[], stage: string): void => {
    const values: unknown[] = new Array(list.length);
    let start = this.matchStart;
    let end = this.matchEnd;
    const retained = this.holdsRetained;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      values[i] = retained ? originalOf(e.value) : e.value;
      if (e.timestamp < start) start = e.timestamp;
      if (e.timestamp > end) end = e.timestamp;
    }
    this.matchStart = start;
    this.matchEnd = end;
    this.matchEvents[stage] = values;
  };

  /** The match's values by stage (stages in pattern order); sets matchStart and matchEnd. */
  private eventsOf(match: MatchEvents<Rec>): Record<string, unknown[]> {
    const events: Record<string, unknown[]> = {};
    this.matchEvents = events;
    this.matchStart = Infinity;
    this.matchEnd = -Infinity;
    match.forEach(this.addStage);
    return events;
  }

  private select(events: Record<string, unknown[]>): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    if (this.definition.select.length === 0) return fields;
    const scope = (name: string): unknown => (Object.hasOwn(events, name) ? events[name] : this.compiled.stages.includes(name) ? [] : undefined);
    for (const field of this.definition.select) {
      try {
        fields[field.name] = field.evaluate(scope);
      } catch {
        this.counters.exprErrors++;
        fields[field.name] = null;
      }
    }
    return fields;
  }
}

/**
 * Whether a stage condition may read the partial match's accepted events (an iterative condition):
 * the pipeline compiler says so for CEL (conditionsReadStages). Absent, every condition is taken
 * to read them: a function's arity cannot tell (rest and default parameters, `arguments`).
 */
function readsStages(definition: PatternStep): boolean {
  return definition.conditionsReadStages ?? true;
}

/** What a held record stands for: a retained record (fields and line text) its original. */
function originalRecord(held: unknown): unknown {
  return held !== null && typeof held === 'object' ? originalOf(held as Rec) : held;
}
