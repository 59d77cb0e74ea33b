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
import { restoreNfaState, snapshotNfaState, type NfaSnapshot } from './nfa/nfa-snapshot.js';
import type { PatternStep } from './pattern-step.js';
import type { NfaObserver, PartialMatchView } from './trace.js';
import { SpecError } from '../../errors.js';
import { KeyTimers, type TimedKey } from './key-timers.js';
import { PendingRecords, type PendingList } from './pending-records.js';
import { plainState, type EncodedState } from '../snapshot/binary.js';
import type { SnapshotOptions } from '../snapshot/snapshot-json.js';
import { PatternKeysCopier } from './pattern-snapshot-copy.js';
import { LinearKeysCopier, type LinearKeySnapshot } from './linear-snapshot-copy.js';
import { hasId, KeyTable, stringHash, type TableEntry } from './key-table.js';
import { originalOf } from '../retained-record.js';
import { keyIdOf } from '../state/state-key.js';

type Rec = Record<string, unknown>;

// A mixin's base class: TypeScript requires a constructor of any arguments.
type KeyBase = new (...args: any[]) => object;

/**
 * The operator's fields of a key, on the class its state is: its records waiting for the
 * watermark (its list in the operator's PendingRecords), its timer's slot, its place in the key
 * table (the id's units inline: a hit reads neither the id string nor another object), its hint,
 * and the linear matcher's runs. Declared in the order a record's arrival reads them (a key state
 * is two or three cold cache lines per touch with 20K keys: fields read together sit together).
 */
function withKeyFields<B extends KeyBase>(Base: B) {
  return class KeyFields extends Base implements TimedKey, PendingList, TableEntry, LinearKey {
    idLength = -1;
    idUnits01 = 0;
    idUnits23 = 0;
    idUnits45 = 0;
    idUnits67 = 0;
    first = -1;
    last = -1;
    slot = -1;
    /** The key hint slot this state is found by (PatternOperator.byHint), −1 for none. */
    hint = -1;
    // The linear matcher's runs (linear-matcher.ts), when the operator uses it.
    linearCount = 0;
    linearBlock = -1;
    linearCapacity = 0;
    linearWaiting: LinearRun[] = NO_LINEAR_WAITING;
    order = 0;
    hash = 0;
    /** Set when the key is (re)used: idle key states are recycled. */
    id: unknown = undefined;
    key: unknown = undefined;
    /** The operator's timers, which hold this key's timer (a float field here was a boxed number: one more cache line per fire). */
    timers: KeyTimers<TimedKey> | null = null;

    /** The key's event-time timer, Infinity when none (snapshots; the operator asks its timers). */
    get timer(): number {
      return this.timers!.timeOf(this);
    }
  };
}

/**
 * A key of an operator on the linear matcher: the operator's fields alone (168 bytes). It extended
 * NfaState before (14 more fields and a boxed double, ~256 bytes, which a linear key never reads):
 * one more cache line per key in a working set of 20K keys.
 */
class LinearKeyState extends withKeyFields(Object) {}

const NfaStateOfRecords: new (start: StartRun | null) => NfaState<Rec> = NfaState;

/**
 * A key of an operator on the NFA: its NFA state (partial matches and shared buffer) with the
 * operator's fields, in one object (a record touches one key object, not two: each was a cache
 * miss with 20K keys). Restored keys are these too, whichever matcher the operator then runs.
 */
class NfaKeyState extends withKeyFields(NfaStateOfRecords) {}

type KeyState = LinearKeyState | NfaKeyState;

/**
 * Idle key states kept for reuse. On a stream of many keys, a key often goes idle (its runs died)
 * between two of its events: recycling saves the key's state, NFA state, shared buffer and seven
 * arrays (~500 bytes) per such event. 1024 states cap what idle keys can hold.
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
  process(key: KeyState, value: Rec, timestamp: number): readonly MatchEvents<Rec>[];
  advanceTime(key: KeyState, timestamp: number): { readonly matches: readonly MatchEvents<Rec>[]; readonly timeouts: readonly LinearTimeout<Rec>[] };
  nextTimeout(key: KeyState): number;
  isIdle(key: KeyState): boolean;
  dispose(key: KeyState): void;
  partialMatchCount(key: KeyState): number;
  describe(key: KeyState): PartialMatchView[];
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
  private readonly keys = new KeyTable<KeyState>();
  private readonly timers = new KeyTimers<KeyState>();
  private readonly pending = new PendingRecords();
  private readonly spareKeys: KeyState[] = [];
  private watermark = -Infinity;
  private observer: PatternObserver | undefined;
  /**
   * Keep records as their decoded fields (RecordContext.retain), whole only when output: the
   * conditions read nothing else, and no trace observer looks at the records.
   */
  private retainFields: boolean;
  /** Copies the keys for binary snapshots; its buffers are reused, so a binary snapshot is valid until the next one. */
  private copier: PatternKeysCopier | null = null;
  /**
   * Key hints (useKeyHints): per record, hintSlots[hintAt] is a small int equal for equal keys
   * (−1 for none), and byHint[it] the live state of the key last found by it.
   */
  private hintSlots: Int32Array | null = null;
  private hintAt = 0;
  private byHint: (KeyState | undefined)[] = [];
  /**
   * Per hint slot, the hash of the key whose state it names (0: none; stringHash never gives 0).
   * 20K users share the reader's 16,384 intern slots: on the binge row a third of the records
   * carried a slot another live key had taken, and comparing with that key's state read it, a cold
   * line, for nothing. The hash, beside the slot, tells most of those apart first.
   */
  private hintHashes = new Int32Array(0);

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
    this.linear = chain === null ? null : new LinearMatcher(chain, this.compiled.windowTime, this.compiled.skip, definition.emitTimeouts);
    this.matcher = this.linear ?? this.nfaMatcher;
  }

  /** The NFA as a key matcher: an operator on the NFA makes every key an NfaKeyState, and a restore every key it loads. */
  private get nfaMatcher(): KeyMatcher {
    return this.nfa as unknown as KeyMatcher;
  }

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
    const state = this.stateOf(key);
    this.pending.add(state, ts, this.retainFields && ctx.retain !== undefined ? ctx.retain(fields) : ctx.original());
    if (ts < this.timers.timeOf(state)) this.timers.schedule(state, ts);
  }

  advanceWatermark(watermark: number, out: Output): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    for (let state = this.timers.popDue(watermark); state !== null; state = this.timers.popDue(watermark)) this.fire(state, watermark, out);
  }

  /** The top-level field the step is keyed by, when it is keyed by one (key hints apply). */
  get keyField(): string | undefined {
    return this.definition.keyField;
  }

  /**
   * Finds live keys by a hint the field reader gives for each record (KeyHints in
   * replay/field-reader.ts: `slots[at]` is the intern slot of the key field's string, equal for
   * equal strings) before the key table. A state found by a hint is used only when its key is the
   * record's, so a stale, shared or missing slot costs a table lookup, never a wrong key.
   */
  useKeyHints(slots: Int32Array, at: number, size: number): void {
    this.hintSlots = slots;
    this.hintAt = at;
    this.byHint = new Array<KeyState | undefined>(size).fill(undefined);
    this.hintHashes = new Int32Array(size);
  }

  /** Switches a linear operator to the NFA: its spare keys, linear key states without NFA state, are dropped. */
  private useNfa(): void {
    this.linear = null;
    this.matcher = this.nfaMatcher;
    for (const state of this.spareKeys) this.timers.detach(state);
    this.spareKeys.length = 0;
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
    const state = this.keys.get(keyIdOf(key));
    return state === undefined ? [] : this.matcher.describe(state);
  }

  /** How many partial matches a key holds (cheap: no paths extracted). */
  partialMatchCount(key: unknown): number {
    const state = this.keys.get(keyIdOf(key));
    return state === undefined ? 0 : this.matcher.partialMatchCount(state);
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
    return copier.copy(this.forEachKey, this.keys.size, this.registrationOf, this.pending, linear as LinearMatcher<unknown>);
  }

  private readonly registrationOf = (state: KeyState): number => this.timers.registrationOf(state);
  private readonly forEachKey = (visit: (state: KeyState) => void): void => this.keys.forEach(visit);
  /** forEachKey of an operator on the NFA, whose keys are all NfaKeyStates. */
  private readonly forEachNfaKey = this.forEachKey as (visit: (state: NfaKeyState) => void) => void;

  private plainKeys(): PatternKeySnapshot[] {
    const keys: PatternKeySnapshot[] = [];
    // An operator on the NFA: its keys are all NfaKeyStates.
    for (const state of this.keys.values() as NfaKeyState[]) {
      const { times, records } = this.pending.list(state);
      const nfa = snapshotNfaState(this.nfa, state);
      keys.push({
        key: state.key,
        times,
        records: records.map(originalOf),
        timer: state.timer,
        timerSeq: this.timers.registrationOf(state),
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
    const timed: { key: KeyState; time: number; registration: number }[] = [];
    const nfaForm: NfaKeyState[] = [];
    const linearForm: [NfaKeyState, RunEvents<Rec>[], RunEvents<Rec>[], number][] = [];
    for (const saved of plainState(snapshot.keys)) {
      const id = keyIdOf(saved.key);
      let state: NfaKeyState;
      try {
        if (saved.linear !== undefined) {
          const { runs, waiting } = this.linearRunsOf(saved.linear);
          state = this.nfaKey(this.nfa.startRun(), id, saved.key);
          linearForm.push([state, runs, waiting, saved.linear.seq]);
        } else {
          if (saved.nfa === undefined) throw new Error('the key holds neither an NFA state nor linear runs');
          state = restoreNfaState(this.nfa, saved.nfa, (start) => this.nfaKey(start, id, saved.key));
          nfaForm.push(state);
        }
      } catch (error) {
        throw new Error(`step ${this.step}, key ${JSON.stringify(saved.key)}: ${(error as Error).message}`);
      }
      this.keys.add(state);
      this.timers.attach(state);
      for (let i = 0; i < saved.times.length; i++) this.pending.add(state, saved.times[i]!, saved.records[i]!);
      if (saved.timer !== Infinity) timed.push({ key: state, time: saved.timer, registration: saved.timerSeq });
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
        for (const events of runs) linear.loadRun(state, events, false);
        for (const events of waiting) linear.loadRun(state, events, true);
        linear.seq = Math.max(linear.seq, seq);
      }
    } else {
      this.useNfa();
      for (const [state, runs, waiting, seq] of linearForm) this.snapshotsOf().writeRuns(state, runs, waiting, seq);
    }
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

  private stateOf(key: unknown): KeyState {
    // The key's identity (the key string itself but for one starting with NUL): what the key
    // table, the hint's hash and the state's inline id are of.
    const id = keyIdOf(key);
    let hint = -1;
    let hash: number | undefined;
    if (this.hintSlots !== null && typeof id === 'string' && typeof key === 'string') {
      hint = this.hintSlots[this.hintAt]!;
      if (hint >= 0) {
        // The key string is the record's, in the cache: hashing it costs less than reading a state.
        hash = stringHash(id);
        if (this.hintHashes[hint] === hash) {
          const hinted = this.byHint[hint];
          if (hinted !== undefined && hasId(hinted, id)) return hinted;
        }
      }
    }
    const state = this.lookUp(id, key, hash);
    if (hint >= 0) {
      // One slot per state: a state found by another slot before leaves it.
      if (state.hint >= 0 && this.byHint[state.hint] === state) this.byHint[state.hint] = undefined;
      this.byHint[hint] = state;
      this.hintHashes[hint] = hash!;
      state.hint = hint;
    }
    return state;
  }

  private nfaKey(start: StartRun | null, id: unknown, key: unknown): NfaKeyState {
    return this.keyFields(new NfaKeyState(start), id, key);
  }

  private keyFields<K extends KeyState>(state: K, id: unknown, key: unknown): K {
    state.id = id;
    state.key = key;
    state.timers = this.timers as KeyTimers<TimedKey>;
    return state;
  }

  /** The state of `key` (its identity `id`) from the key table, or a new (or recycled) one added to it; `hash`, when given, is stringHash(id). */
  private lookUp(id: unknown, key: unknown, hash?: number): KeyState {
    let state = this.keys.get(id, hash);
    if (state === undefined) {
      state = this.spareKeys.pop();
      if (state === undefined) {
        if (this.linear !== null) {
          state = this.keyFields(new LinearKeyState(), id, key);
          // The start run's id an NFA key takes: the snapshot's nextRunId is the same on either matcher.
          this.nfa.nextId++;
        } else state = this.nfaKey(this.nfa.startRun(), id, key);
        this.timers.attach(state);
      } else {
        state.id = id;
        state.key = key;
      }
      this.keys.add(state);
    }
    return state;
  }

  private fire(state: KeyState, watermark: number, out: Output): void {
    const errorsBefore = this.matcher.errors;
    const matcher = this.matcher;
    this.observer?.key?.(state.key, watermark);
    const pending = this.pending;
    while (state.first !== -1 && pending.firstTime(state) <= watermark) {
      const time = pending.firstTime(state);
      this.advanceTime(state, time, out);
      do {
        const record = pending.shift(state); // the NFA keeps what it needs
        this.observer?.record?.(state.key, time, originalOf(record));
        // Indexed loops here and below: for-of over the NFA's frozen empty results was not lowered
        // by the optimizer and allocated an iterator per record.
        const matches = matcher.process(state, record, time);
        for (let i = 0; i < matches.length; i++) this.emitMatch(state, matches[i]!, out);
        this.observer?.afterRecord?.(state.key, time, matcher.describe(state));
      } while (state.first !== -1 && pending.firstTime(state) === time);
    }
    this.advanceTime(state, watermark, out);
    this.syncErrors(errorsBefore);
    const next = Math.min(pending.firstTime(state), matcher.nextTimeout(state));
    if (next !== Infinity) this.timers.schedule(state, next);
    else if (state.first === -1 && matcher.isIdle(state)) {
      // Idle: only the start run is left and the buffer is empty, so the state is as good as new
      // (the start run's Dewey version keeps counting, as it does in Flink's keyed NFA state).
      this.keys.delete(state);
      if (state.hint >= 0) {
        if (this.byHint[state.hint] === state) this.byHint[state.hint] = undefined;
        state.hint = -1;
      }
      if (this.spareKeys.length < SPARE_KEYS) {
        state.id = state.key = undefined;
        this.spareKeys.push(state);
      } else {
        this.timers.detach(state);
        matcher.dispose(state);
        // A restored key's NfaState part holds only its start run's version (in a pool the collector does not see).
        if (this.linear !== null && state instanceof NfaKeyState) this.nfa.dispose(state);
      }
    }
  }

  private advanceTime(state: KeyState, timestamp: number, out: Output): void {
    const { matches, timeouts } = this.matcher.advanceTime(state, timestamp);
    for (let i = 0; i < matches.length; i++) this.emitMatch(state, matches[i]!, out);
    for (let i = 0; i < timeouts.length; i++) {
      const timeout = timeouts[i]!;
      const events = this.eventsOf(timeout.match);
      const result: TimeoutResult = { step: this.step, kind: 'timeout', key: state.key, start: this.matchStart, end: timeout.timestamp, events, fields: {} };
      this.counters.results++;
      out.emit(result);
    }
  }

  private emitMatch(state: KeyState, match: MatchEvents<Rec>, out: Output): void {
    const events = this.eventsOf(match);
    const result: MatchResult = { step: this.step, kind: 'match', key: state.key, start: this.matchStart, end: this.matchEnd, events, fields: this.select(events) };
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
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      values[i] = originalOf(e.value);
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
