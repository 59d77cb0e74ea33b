/**
 * The event-time window operator: Flink's WindowOperator with the EventTimeTrigger, for tumbling,
 * sliding and session windows, aggregating incrementally (Flink's AggregatingState) with the
 * mergeable aggregates of ../aggregate.
 *
 * Per record (`process`, the watermark has not moved yet):
 *   1. FILTER: the step's `where`; KEY: the key value (a throw drops the record, counted).
 *   2. ASSIGN: the windows holding the timestamp. A window is late when its cleanup time
 *      (end − 1 + allowedLateness) ≤ watermark: the record skips it (Flink's isWindowLate).
 *      Sessions first MERGE the new window [ts, ts + gap) with every open session it touches
 *      (MergingWindowSet.addWindow), so a late-but-allowed record can bridge two sessions.
 *   3. ADD the record's values to each remaining window's accumulators.
 *   4. TRIGGER (EventTimeTrigger.onElement): a window whose end − 1 ≤ watermark fires at once,
 *      firing "late", once per such record; otherwise its timer at end − 1 is pending.
 *   5. LATE: a record no window took is counted late and, with lateOutput, emitted as "late".
 * Per watermark advance (`advanceWatermark`):
 *   1. Windows whose timer (end − 1) ≤ watermark fire "onTime", ordered by end, then key in
 *      first-seen order, then start (Flink fires timers by time; the rest makes ties deterministic).
 *   2. Windows whose cleanup time ≤ watermark are purged (Flink's cleanup timer, clearAllState).
 * Only open windows hold state: a key with no open window is forgotten (with key hints, a tumbling
 * key's state may wait idle in its hint slot for the key's next window, one per slot: releaseKey).
 * Sliding steps keep their accumulators per pane rather than per window (./sliding-panes.ts), with
 * the same results.
 */
import { newCounters, type Fields, type KeyHinted, type Operator, type Output, type RecordContext, type StepCounters, type WindowResult } from '../operator.js';
import { SpecError } from '../../errors.js';
import type { Aggregate } from '../aggregate/aggregate.js';
import { aggregateFor } from '../aggregate/registry.js';
import { windowSpecProblem, windowStart } from './assigner.js';
import { intersectingRange } from './session-set.js';
import { SlidingPanes, type DueWindow, type Pane, type PaneClock, type PaneKey } from './sliding-panes.js';
import { TimerQueue } from './timer-queue.js';
import { firesBefore, WaitingResults } from './waiting-results.js';
import { TumblingSlabs, type Slab } from './tumbling-slabs.js';
import type { KeySpill, KeySpillOptions } from '../state/key-spill.js';
import { keyIdOf, type KeyId } from '../state/state-key.js';
import type { Scope, WindowStep } from './window-step.js';
import type { SnapshotOptions } from '../snapshot/snapshot-json.js';
import { plainState, SnapshotWriter, type EncodedState } from '../snapshot/binary.js';
import { readWindowKeys, WINDOW_KEYS_LAYOUT, WindowKeysWriter, writeWindowKeys } from './window-snapshot-binary.js';

interface KeyState {
  /** The key as emitted (bigints made numbers). */
  readonly key: unknown;
  /** The Map key this state is stored under. */
  readonly id: unknown;
  /**
   * Creation order among the keys with open state; breaks ties between windows of equal end. An
   * idle state taken up again gets a new one, as a state made afresh would.
   */
  order: number;
  readonly tumbling: boolean;
  /**
   * Tumbling windows by start (the size is fixed, so the start names the window), made when the
   * key holds a third window: with one open window, the common case, that window is `current`
   * alone, with two (across each window boundary while the out-of-orderness keeps the older one
   * open) `current` and `other`. A Map per key made, filled and emptied once a minute was 8% of
   * the bench's allocations and its deletes 7% more (shrinking tables); made at the second
   * window, still 44 bytes a window.
   */
  aligned: Map<number, Window> | null;
  /** Session windows, sorted by start and disjoint. */
  readonly sessions: Window[] | null;
  /** Sliding windows' panes. */
  readonly sliding: SlidingState | null;
  /**
   * The tumbling window this key's previous record went to, while it is open (with no `aligned`
   * map: the key's only window, null when it has none): in-order input
   * hits it for ~10 records out of 11 on the benchmark, skipping the Map lookup by a double start
   * (with the cached window start below: sw 320K → 364K events/CPU-s on the 2M benchmark,
   * mean of 3 alternating runs on the loaded machine).
   */
  current: Window | null;
  /**
   * With no `aligned` map, the key's open tumbling window other than `current`, if it has two
   * (null when `current` is). `otherFirst`: it opened before `current` (snapshots list a key's
   * windows in the order they opened).
   */
  other: Window | null;
  otherFirst: boolean;
  /** The watermark epoch of the key's last record: a key untouched since the last advance is idle (evicted first). */
  touched: number;
  /** The key hint slot this state is found by (byHint), −1 for none. */
  hint: number;
  /** No open window, kept for its hint slot (releaseKey): in `keys`, but not state. */
  idle: boolean;
}

/**
 * What stays on the heap of a key evicted to the spill: its earliest timer, in a queue of its
 * own (the key is taken back before the watermark passes it), and its open window count.
 */
interface SpilledKey {
  timerAt: number;
  heapIndex: number;
  readonly id: unknown;
  /** The key's creation order: due stubs are taken back in firing order (timer, then key order). */
  readonly order: number;
  readonly open: number;
}

/** Keys looked at per eviction for one idle since the last watermark before evicting the first looked at. */
const EVICTION_SCAN = 8;

class SlidingState implements PaneKey<SlidingState> {
  readonly panes: Pane[] = [];
  readonly fire: PaneClock<SlidingState>;
  readonly cleanup: PaneClock<SlidingState>;
  constructor(readonly keyState: KeyState) {
    ({ fire: this.fire, cleanup: this.cleanup } = SlidingPanes.clocksFor<SlidingState>(this));
  }
}

class Window {
  /** The pending timer: end − 1 while `onTimePending`, else the cleanup time. */
  timerAt = 0;
  heapIndex = -1;
  onTimePending = false;
  constructor(
    public start: number,
    public end: number,
    readonly accumulators: unknown[],
    /** The window's key; NO_KEY while the window waits in the operator's spares (reuse). */
    public keyState: KeyState,
  ) {}
}

type MutableKeyState = { -readonly [F in keyof KeyState]: KeyState[F] };

/** A key's state with no window yet (`type` null: NO_KEY). One literal, so one hidden class. */
function newKeyState(key: unknown, id: unknown, order: number, type: WindowStep['window']['type'] | null, touched: number): MutableKeyState {
  const state: MutableKeyState = {
    key,
    id,
    order,
    tumbling: type === 'tumbling',
    aligned: null,
    sessions: type === 'session' ? [] : null,
    sliding: null,
    current: null,
    other: null,
    otherFirst: false,
    touched,
    hint: -1,
    idle: false,
  };
  if (type === 'sliding') state.sliding = new SlidingState(state);
  return state;
}

/** The key of a purged window kept for reuse: it holds no key state alive (retained-state test). */
const NO_KEY: KeyState = newKeyState(null, null, -1, null, 0);

/**
 * Purged windows kept for reuse, at most this many (a tumbling step purges a slab's windows at
 * once, and opens as many again over the next window's time).
 */
const SPARE_WINDOWS = 8192;

/** One key's open state in a snapshot: windows (tumbling, session) or panes (sliding). */
export interface WindowKeySnapshot {
  readonly key: unknown;
  readonly order: number;
  readonly windows?: readonly { start: number; end: number; onTimePending: boolean; timerAt: number; accumulators: unknown[] }[];
  readonly panes?: readonly { start: number; accumulators: unknown[] }[];
  readonly fireAt?: number;
  readonly cleanupAt?: number;
}

export interface WindowOperatorSnapshot {
  readonly format: 'sw-window';
  readonly step: string;
  readonly window: string;
  readonly watermark: number;
  readonly keysCreated: number;
  readonly sequence: number;
  readonly counters: StepCounters;
  /**
   * In the operator's key order (first seen first). Plain, or (checkpoints: `snapshot({ encoded:
   * true })`) binary, see window-snapshot-binary.ts; binary keys are valid until the operator's
   * next binary snapshot (its buffer is reused).
   */
  readonly keys: readonly WindowKeySnapshot[] | EncodedState;
}

/** What `currentFields` holds between records (no allocation per record). */
const NO_FIELDS: Fields = Object.freeze({}) as Fields;

/** The value count() adds for every record: any non-null value. */
const EVERY_RECORD = true;

/** Outcome of evaluating one aggregate argument: an evaluation error means "skip, counted once". */
const EVALUATION_FAILED = Symbol('evaluation failed');

export class WindowOperator implements Operator, KeyHinted {
  readonly step: string;
  readonly counters: StepCounters = newCounters();

  private readonly spec: WindowStep;
  private readonly aggregates: Aggregate<unknown>[];
  private readonly keys = new Map<unknown, KeyState>();
  /** Session windows' timers, and tumbling ones' when keys may spill (eviction takes single windows out). */
  private readonly timers = new TimerQueue<Window>();
  /** Tumbling windows' timers by window start, when no key spills (see ./tumbling-slabs.ts). */
  private readonly slabs: TumblingSlabs<Window> | null;
  /** Reused per firing of tumbling slabs: the slabs whose windows fire, and those purged. */
  private readonly firingSlabs: Slab<Window>[] = [];
  private readonly purgedSlabs: Slab<Window>[] = [];
  /**
   * Purged windows for openWindow to reuse, with their numeric accumulators (reset on reuse; the
   * others are dropped when kept, made anew on reuse) and timer fields: a
   * window outlives young-generation collections (it is open for its whole size), so each one
   * made was also copied and promoted; reused, 190 of the ~550 bytes a window allocated are not.
   * A stack of `spareCount` (pop and `length =` would shrink the array's store, push regrow it).
   */
  private readonly spare: (Window | undefined)[] = [];
  private spareCount = 0;
  /** Sliding steps aggregate by panes instead of windows. */
  private readonly panes: SlidingPanes<SlidingState> | null;
  private watermark = -Infinity;
  private keysCreated = 0;
  /** Arrival number of the current record (first/last break event-time ties by it). */
  private sequence = 0;

  // Spilling (null spill: every key on the heap). See docs/state.md, "Spilling window state".
  private readonly spill: KeySpill | null;
  private readonly budget: number;
  private readonly spilled = new Map<unknown, SpilledKey>();
  private readonly spilledTimers = new TimerQueue<SpilledKey>();
  private spilledOpen = 0;
  /** Reused per watermark advance: the spilled keys due in it, and results computed before their turn. */
  private readonly dueStubs: SpilledKey[] = [];
  private readonly waiting = new WaitingResults();
  private readonly keyDuePanes: DueWindow<SlidingState>[] = [];
  /** Watermark advances so far: keys with `touched` below it had no record since the last one. */
  private epoch = 0;
  /**
   * The eviction hand over `keys` (CLOCK-like: keys touched since the last watermark are passed),
   * null while nothing is evicted. A Map iterator holds the table it started on, and V8 keeps
   * every table the Map was rehashed into since chained to it, entries included, until the
   * iterator moves: a hand made up front and never moved (no spill) kept every purged key and
   * window of the stream, 27 MB of heap after 2M records of the bench instead of 7.
   */
  private hand: Iterator<KeyState> | null = null;
  /** The buffer of encoded snapshots (checkpoints) and the keys' encoder, reused from one to the next. */
  private encoder: SnapshotWriter | null = null;
  private keysWriter: WindowKeysWriter | null = null;
  /** Reused by encodedKeys (emptied after each use). */
  private readonly snapshotStates: KeyState[] = [];

  /**
   * Key hints (useKeyHints): per record, hintSlots[hintAt] is a small int equal for equal keys, and
   * byHint[it] the state of the key last found by it, if still held. A Map lookup per record was a
   * third of this operator's time on the bench (2,000 content ids).
   */
  private hintSlots: Int32Array | null = null;
  private hintAt = 0;
  private byHint: (KeyState | undefined)[] = [];
  /**
   * Per slot, with byHint: that state's key, and (tumbling steps without a spill) its current
   * window and the window's start, NaN for none. A record of the key for that open window is added
   * to it from these arrays alone: the key state, the window and its boxed start were three cache
   * misses a record under load (the costliest lines of `process` in a profile).
   */
  private hintKeys: unknown[] = [];
  private hintWindows: (Window | null)[] = [];
  private hintStarts = new Float64Array(0);
  /** Key states in `keys` that are idle (releaseKey). */
  private idleKeys = 0;

  // Reused per record (one record is processed at a time): no per-record allocation for these.
  private readonly values: unknown[];
  private readonly typeErrorCounted: boolean[];
  private readonly due: Window[] = [];
  private readonly firing: Window[] = [];
  /**
   * The tumbling window [lastStart, lastEnd) of the previous record: most records fall in the same
   * one, and windowStart's `%` on epoch milliseconds (beyond int32: a floating-point remainder)
   * is then skipped.
   */
  private lastStart = 0;
  private lastEnd = -Infinity;
  /** The current record's event time is time[0] (processAt's cell; ownTime for process). */
  private time: Float64Array;
  private readonly ownTime = new Float64Array(1);
  private readonly duePanes: DueWindow<SlidingState>[] = [];
  private valuesReady = false;
  private currentFields: Fields = NO_FIELDS;
  private currentOut: Output | null = null;

  // The scope handed to select and having reads these; one closure for the operator's lifetime.
  private scopeFields: Record<string, unknown> = NO_FIELDS;
  private scopeKey: unknown = null;
  private scopeWindow: { start: number; end: number } = { start: 0, end: 0 };
  private readonly scope: Scope;

  constructor(step: WindowStep, spill?: KeySpillOptions) {
    this.spill = spill?.spill ?? null;
    this.budget = Math.max(1, spill?.budget ?? Infinity);
    const problem = windowSpecProblem(step.window);
    if (problem) throw new SpecError(`step ${step.name}: ${problem}`);
    if (!(step.allowedLateness >= 0)) {
      throw new SpecError(`step ${step.name}: allowedLateness cannot be negative (got ${step.allowedLateness}); use 0 or a duration such as 30s`);
    }
    this.spec = step;
    this.step = step.name;
    this.time = this.ownTime;
    this.aggregates = step.aggregates.map((a) => {
      if (a.arg === null && a.fn !== 'count') {
        throw new SpecError(`step ${step.name}: aggregate ${a.name}: ${a.fn}() needs an argument, e.g. ${a.fn}(amount)`);
      }
      try {
        return aggregateFor(a.fn, a.quantile);
      } catch (error) {
        throw new SpecError(`step ${step.name}: aggregate ${a.name}: ${(error as Error).message}`);
      }
    });
    const window = step.window;
    this.panes =
      window.type === 'sliding'
        ? new SlidingPanes<SlidingState>(window.size, window.slide, window.offset, step.allowedLateness, this.aggregates, {
            addRecord: (accumulators) => this.addValues(accumulators),
            emitLate: (sliding, start, end, accumulators) => this.emitResult(sliding.keyState, start, end, accumulators, 'late', this.currentOut!),
            forget: (sliding) => this.dropKey(sliding.keyState),
          })
        : null;
    this.slabs = window.type === 'tumbling' && this.spill === null ? new TumblingSlabs<Window>(step.allowedLateness) : null;
    this.values = new Array<unknown>(this.aggregates.length);
    this.typeErrorCounted = new Array<boolean>(this.aggregates.length).fill(false);
    this.scope = (name) => {
      if (Object.hasOwn(this.scopeFields, name)) return this.scopeFields[name];
      if (name === 'key') return this.scopeKey;
      if (name === 'window') return this.scopeWindow;
      return undefined;
    };
  }

  /**
   * Finds key states by a hint the field reader gives for each record (KeyHints in
   * replay/field-reader.ts: `slots[at]` is the intern slot of the key field's string, equal for
   * equal strings) before the Map. Only for a step keyed by one top-level field (`keyField`); a
   * state found by a hint is used only when its key equals the record's, so a stale or shared slot
   * costs a Map lookup, never a wrong key.
   */
  get keyField(): string | undefined {
    return this.spec.keyField;
  }

  useKeyHints(slots: Int32Array, at: number, size: number): void {
    this.hintSlots = slots;
    this.hintAt = at;
    this.byHint = new Array<KeyState | undefined>(size).fill(undefined);
    this.hintKeys = new Array<unknown>(size).fill(undefined);
    this.hintWindows = new Array<Window | null>(size).fill(null);
    this.hintStarts = new Float64Array(size).fill(NaN);
  }

  private clearHint(slot: number): void {
    this.byHint[slot] = undefined;
    this.hintKeys[slot] = undefined;
    this.hintWindows[slot] = null;
    this.hintStarts[slot] = NaN;
  }

  /** The key's current tumbling window, where a hint finds the key (see hintWindows). */
  private hintWindow(keyState: KeyState, w: Window | null): void {
    const slot = keyState.hint;
    if (slot < 0 || this.byHint[slot] !== keyState || !keyState.tumbling) return;
    this.hintWindows[slot] = w;
    this.hintStarts[slot] = w === null ? NaN : w.start;
  }

  /**
   * Accumulator sets held, across all keys: open windows for tumbling and session steps, panes
   * for sliding ones (what the live view and the memory budget test read).
   */
  get openState(): number {
    return (this.panes !== null ? this.panes.openPanes : this.slabs !== null ? this.slabs.size : this.timers.size) + this.spilledOpen;
  }

  /** Keys on the heap and keys in the spill (with state), and idle key states waiting in their hint slots (releaseKey). */
  get keyCounts(): { heap: number; spilled: number; idle: number } {
    return { heap: this.keys.size - this.idleKeys, spilled: this.spilled.size, idle: this.idleKeys };
  }

  /**
   * Open windows (or panes) with their accumulators and timers, per key in key order, as a plain
   * object (encode it with snapshot-json: it holds −∞ and sets). Accumulators are copied, so the
   * snapshot stays valid while the operator goes on; not for a checkpoint (`encoded`), which
   * gets the keys in binary.
   */
  snapshot(options: SnapshotOptions = {}): WindowOperatorSnapshot {
    return {
      format: 'sw-window',
      step: this.step,
      window: this.spec.window.type,
      watermark: this.watermark,
      keysCreated: this.keysCreated,
      sequence: this.sequence,
      counters: { ...this.counters },
      keys: options.encoded === true ? this.encodedKeys() : this.keySnapshots(structuredClone),
    };
  }

  /** The keys' snapshots in key order; `copy` copies accumulators (null: shared). */
  private keySnapshots(copy: ((accumulators: unknown[]) => unknown[]) | null): WindowKeySnapshot[] {
    const keys: WindowKeySnapshot[] = [];
    for (const state of this.keys.values()) if (!state.idle) keys.push(keySnapshot(state, copy));
    // Spilled keys come back decoded (fresh copies).
    if (this.spill !== null) for (const [, saved] of this.spill.entries()) keys.push(saved as WindowKeySnapshot);
    // The Map is in creation order only without a spill or hints: a key back from the spill, or
    // an idle state taken up again (a new order, its old place in the Map), is out of place.
    if (this.spill !== null || this.hintSlots !== null) keys.sort((a, b) => a.order - b.order);
    return keys;
  }

  /**
   * The keys in binary (checkpoints), written from the operator's runtime state: no snapshot
   * object per key and window (most of a tumbling checkpoint's CPU was building, then reading,
   * those; the first few checkpoints run that code cold). Spilled keys come back as snapshots.
   */
  private encodedKeys(): EncodedState {
    const w = (this.encoder ??= new SnapshotWriter());
    const keys = (this.keysWriter ??= new WindowKeysWriter());
    w.reset();
    if (this.spill !== null) writeWindowKeys(w, this.keySnapshots(null), keys);
    else {
      const states = this.snapshotStates;
      try {
        for (const state of this.keys.values()) if (!state.idle) states.push(state);
        if (this.hintSlots !== null) states.sort(byOrder);
        for (let i = 0; i < states.length; i++) writeKeyState(keys, states[i]!);
        keys.finish(w);
      } finally {
        // Not kept, even when encoding failed: a key released since must not stay reachable from
        // here, nor be written twice by the next checkpoint.
        states.length = 0;
        openWindows.length = 0;
        keys.clear();
      }
    }
    return w.finish(WINDOW_KEYS_LAYOUT, readWindowKeys);
  }

  /** Loads a snapshot into this operator, which must be fresh and built from the same step. */
  restore(snapshot: WindowOperatorSnapshot): void {
    if (snapshot?.format !== 'sw-window') throw new Error(`step ${this.step}: not a window operator snapshot (format ${JSON.stringify(snapshot?.format)})`);
    if (snapshot.step !== this.step) throw new Error(`step ${this.step}: the snapshot belongs to step ${snapshot.step}`);
    if (snapshot.window !== this.spec.window.type) throw new Error(`step ${this.step}: the snapshot holds ${snapshot.window} windows, the step has ${this.spec.window.type} ones`);
    // Idle states hold no window (releaseKey), so the operator is fresh without them; left in their
    // hint slots, they would be found there before the restored states of their keys.
    if (this.idleKeys > 0) for (const state of this.keys.values()) if (state.idle) this.dropKey(state);
    if (this.keys.size > 0 || this.spilled.size > 0) throw new Error(`step ${this.step}: restore needs a fresh operator`);
    for (const saved of plainState(snapshot.keys)) this.restoreKey(saved);
    this.watermark = snapshot.watermark;
    this.keysCreated = snapshot.keysCreated;
    this.sequence = snapshot.sequence;
    Object.assign(this.counters, snapshot.counters);
    this.evictToBudget();
  }

  /** Puts one key's saved state on the heap (snapshot restore, or a key taken from the spill). */
  private restoreKey(saved: WindowKeySnapshot): KeyState {
    const type = this.spec.window.type;
    const id = keyIdOf(saved.key);
    const state = newKeyState(saved.key, id, saved.order, type, this.epoch);
    if (state.sliding !== null) {
      this.panes!.restoreKey(state.sliding, saved.panes ?? [], saved.fireAt ?? Infinity, saved.cleanupAt ?? Infinity);
    } else {
      for (const w of saved.windows ?? []) {
        const window = new Window(w.start, w.end, w.accumulators, state);
        window.onTimePending = w.onTimePending;
        window.timerAt = w.timerAt;
        if (state.tumbling) addAligned(state, window);
        else state.sessions!.push(window);
        this.addTimer(window);
      }
    }
    this.keys.set(id, state);
    return state;
  }

  /**
   * Moves a key to the spill: its per-key snapshot form is written, its timers leave the queues,
   * and a stub at its earliest timer stays so the key is taken back before that timer is due.
   */
  private evict(state: KeyState): void {
    const saved = keySnapshot(state, null);
    let timerAt = Infinity;
    let open: number;
    if (state.sliding !== null) {
      timerAt = Math.min(saved.fireAt!, saved.cleanupAt!);
      open = state.sliding.panes.length;
      this.panes!.releaseKey(state.sliding);
    } else {
      const windows = state.tumbling ? alignedWindows(state) : state.sessions!;
      open = windows.length;
      for (const w of windows) {
        if (w.timerAt < timerAt) timerAt = w.timerAt;
        this.timers.remove(w);
      }
    }
    this.dropKey(state);
    this.spill!.write(state.id as KeyId, saved);
    const stub: SpilledKey = { timerAt, heapIndex: -1, id: state.id, order: state.order, open };
    this.spilled.set(state.id, stub);
    this.spilledTimers.push(stub);
    this.spilledOpen += open;
  }

  /** Takes a spilled key back onto the heap; undefined when the key is not spilled. */
  private takeBack(id: unknown): KeyState | undefined {
    const stub = this.spilled.get(id);
    if (stub === undefined) return undefined;
    this.spilled.delete(id);
    this.spilledTimers.remove(stub);
    this.spilledOpen -= stub.open;
    const saved = this.spill!.take(id as KeyId) as WindowKeySnapshot | undefined;
    if (saved === undefined) throw new Error(`step ${this.step}: the key spill lost key ${JSON.stringify(id)}`);
    return this.restoreKey(saved);
  }

  /** Evicts one key, preferring one with no record since the last watermark advance. */
  private evictOne(): void {
    let first: KeyState | null = null;
    for (let looked = 0; looked < EVICTION_SCAN; looked++) {
      this.hand ??= this.keys.values();
      let next = this.hand.next();
      if (next.done === true) {
        this.hand = this.keys.values();
        next = this.hand.next();
        if (next.done === true) break;
      }
      const state = next.value;
      if (state.touched < this.epoch) {
        this.evict(state);
        return;
      }
      first ??= state;
    }
    if (first !== null) this.evict(first);
  }

  private evictToBudget(): void {
    if (this.spill === null) return;
    while (this.keys.size > this.budget) this.evictOne();
    // Under the budget, nothing moves the hand until the next eviction: let go of it (see `hand`).
    if (this.keys.size < this.budget) this.hand = null;
  }

  /** Takes a key off the heap (forgotten or spilled): neither the Map nor a hint finds it any more. */
  private dropKey(state: KeyState): void {
    this.keys.delete(state.id);
    if (state.idle) {
      state.idle = false;
      this.idleKeys--;
    }
    if (state.hint >= 0 && this.byHint[state.hint] === state) this.clearHint(state.hint);
  }

  /**
   * A key left with no open window. A tumbling key (no spill) that its hint slot still finds
   * stays where it is, idle, for its next window: a Map delete and set and a key state per key
   * and window were ~5% of the bench's time. Idle states are one per hint slot at most (a key
   * taking the slot drops the idle one: findKey), so they stay bounded whatever the input.
   */
  private releaseKey(state: KeyState): void {
    if (this.slabs !== null && state.hint >= 0 && this.byHint[state.hint] === state) {
      state.idle = true;
      this.idleKeys++;
      return;
    }
    this.dropKey(state);
  }

  process(fields: Fields, ts: number, ctx: RecordContext, out: Output): void {
    this.ownTime[0] = ts;
    this.processAt(fields, this.ownTime, ctx, out);
  }

  /**
   * The record's time stays in `time[0]` on the tumbling path down to the aggregates (addValues
   * reads it there): a double argument to a call that is not inlined is a fresh heap number.
   */
  processAt(fields: Fields, time: Float64Array, ctx: RecordContext, out: Output): void {
    this.time = time;
    const ts = time[0]!;
    const counters = this.counters;
    counters.seen++;
    const spec = this.spec;
    if (spec.filter !== null) {
      let passes: boolean;
      try {
        passes = spec.filter(fields) === true;
      } catch {
        counters.exprErrors++;
        return;
      }
      if (!passes) return;
    }
    counters.accepted++;
    if (!Number.isFinite(ts)) {
      // The driver dead-letters records without an event time; a NaN here would corrupt the timers.
      counters.exprErrors++;
      return;
    }
    let key: unknown;
    try {
      key = emittable(spec.key(fields));
    } catch {
      counters.exprErrors++;
      return;
    }

    // The tumbling window [lastStart, lastEnd) is the record's from here on. One call site: V8
    // merged the time boxed for two calls into one box made before either, on every record.
    if (spec.window.type === 'tumbling' && !(ts >= this.lastStart && ts < this.lastEnd)) {
      this.lastStart = windowStart(ts, spec.window.offset, spec.window.size);
      this.lastEnd = this.lastStart + spec.window.size;
    }
    let keyState: KeyState | undefined;
    let hint = -1;
    if (this.hintSlots !== null && typeof key === 'string') {
      hint = this.hintSlots[this.hintAt]!;
      // A hinted state is on the heap (dropKey clears its hint), so no spill lookup either.
      if (hint >= 0 && this.hintKeys[hint] === key) {
        if (this.slabs !== null) {
          // The key's current window is the record's, and open: addToAligned would take it there.
          if (this.hintStarts[hint] === this.lastStart && this.cleanupTime(this.lastEnd) > this.watermark) {
            this.addToOpenWindow(this.hintWindows[hint]!, fields, out);
            return;
          }
        }
        keyState = this.byHint[hint];
      }
    }
    if (keyState === undefined) keyState = this.findKey(key, hint);
    if (keyState.idle) {
      // Taken up again as a state made now would be: a new order.
      keyState.idle = false;
      this.idleKeys--;
      keyState.order = this.keysCreated++;
    }
    // Only eviction reads `touched`: no store into the key's state per record without a spill.
    if (this.spill !== null) keyState.touched = this.epoch;

    this.currentFields = fields;
    this.currentOut = out;
    this.valuesReady = false;
    this.sequence++;
    let taken: boolean;
    switch (spec.window.type) {
      case 'tumbling':
        taken = this.addToAligned(keyState, out);
        break;
      case 'sliding':
        taken = this.panes!.add(keyState.sliding!, ts, this.watermark);
        break;
      case 'session':
        taken = this.addToSession(keyState, ts, ts + spec.window.gap, out);
        break;
    }
    this.currentFields = NO_FIELDS;
    this.currentOut = null;

    if (!taken) {
      // Flink's isSkippedElement && isElementLate: a record in no window at all (a slide longer
      // than the size leaves gaps) is dropped silently unless it is late itself.
      if (ts + spec.allowedLateness <= this.watermark) {
        counters.late++;
        if (spec.lateOutput) out.emit({ step: this.step, kind: 'late', key, event: ctx.original() });
      }
      if (this.isEmpty(keyState)) this.releaseKey(keyState);
    }
  }

  /** The key's state from the Map, the spill or new; found by `hint` from now on when that is ≥ 0. */
  private findKey(key: unknown, hint: number): KeyState {
    const id = keyIdOf(key);
    let keyState = this.keys.get(id);
    if (keyState === undefined && this.spill !== null) {
      // Make room first, so the key this record needs is not the one evicted.
      if (this.keys.size >= this.budget) this.evictOne();
      keyState = this.takeBack(id);
    }
    if (keyState === undefined) {
      keyState = newKeyState(key, id, this.keysCreated++, this.spec.window.type, 0);
      this.keys.set(id, keyState);
    }
    if (hint >= 0) {
      // A state found by another slot before keeps it: drop that entry first, one slot per state.
      if (keyState.hint >= 0 && keyState.hint !== hint && this.byHint[keyState.hint] === keyState) this.clearHint(keyState.hint);
      // An idle state in the slot is found by nothing else: it goes.
      const previous = this.byHint[hint];
      if (previous !== undefined && previous !== keyState && previous.idle) this.dropKey(previous);
      this.clearHint(hint);
      this.byHint[hint] = keyState;
      this.hintKeys[hint] = key;
      keyState.hint = hint;
      this.hintWindow(keyState, keyState.current);
    }
    return keyState;
  }

  advanceWatermark(watermark: number, out: Output): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    this.epoch++;
    if (this.spill === null) {
      this.fireDue(out);
      return;
    }
    this.fireWithSpill(watermark, out);
    this.evictToBudget();
  }

  /**
   * A watermark advance with spilled keys (docs/state.md): the heap's keys fire as without a
   * spill, and each spilled key with a due timer is taken back, fired, and written back (or
   * dropped, when nothing is left open) on its own, so the heap holds at most the budget plus one
   * key during a firing however many spilled keys are due. The output order is the heap run's,
   * (end, key order, start), by a merge of three sorted sources: the heap keys' due windows, the
   * due stubs ordered by (timer, key order) — a stub's earliest timer + 1 is a lower bound of its
   * key's firing ends, so a key is taken back before any of its results is due — and the results
   * of taken-back keys that are not next yet (WaitingResults).
   */
  private fireWithSpill(watermark: number, out: Output): void {
    const panes = this.panes;
    const firing = this.firing;
    const due = this.due;
    const duePanes = this.duePanes;
    if (panes === null) {
      const timers = this.timers;
      while (timers.size > 0 && timers.peekTime() <= watermark) due.push(timers.pop()!);
      for (const w of due) if (w.onTimePending) firing.push(w);
      firing.sort(byEndKeyStart);
    } else {
      panes.collectDue(watermark, duePanes);
      duePanes.sort(byDueEndKeyStart);
    }
    const stubs = this.dueStubs;
    const spilledTimers = this.spilledTimers;
    while (spilledTimers.size > 0 && spilledTimers.peekTime() <= watermark) stubs.push(spilledTimers.pop()!);
    stubs.sort(byTimerOrder);

    const waiting = this.waiting;
    const heapDue = panes === null ? firing.length : duePanes.length;
    let h = 0;
    let k = 0;
    for (;;) {
      const window = panes === null && h < heapDue ? firing[h]! : null;
      const pane = panes !== null && h < heapDue ? duePanes[h]! : null;
      const stub = k < stubs.length ? stubs[k]! : null;
      const next = waiting.peek();
      // The earliest of the three heads; a stub stands for (timer + 1, its key order, −∞).
      let end = Infinity;
      let order = Infinity;
      let start = Infinity;
      let pick = 0;
      if (window !== null || pane !== null) {
        pick = 1;
        end = window?.end ?? pane!.end;
        order = window?.keyState.order ?? pane!.key.keyState.order;
        start = window?.start ?? pane!.start;
      }
      if (stub !== null && (pick === 0 || firesBefore(stub.timerAt + 1, stub.order, -Infinity, { end, order, start }))) {
        pick = 2;
        end = stub.timerAt + 1;
        order = stub.order;
        start = -Infinity;
      }
      if (next !== undefined && (pick === 0 || firesBefore(next.end, next.order, next.start, { end, order, start }))) pick = 3;
      if (pick === 0) break;
      if (pick === 1) {
        h++;
        if (window !== null) {
          window.onTimePending = false;
          this.emitResult(window.keyState, window.start, window.end, window.accumulators, 'onTime', out);
        } else {
          this.emitResult(pane!.key.keyState, pane!.start, pane!.end, panes!.merged(pane!.key, pane!.start, pane!.end), 'onTime', out);
        }
      } else if (pick === 2) {
        k++;
        this.fireSpilledKey(stub!, watermark);
      } else {
        out.emit(waiting.pop()!.record);
      }
    }
    stubs.length = 0;
    firing.length = 0;
    if (panes === null) {
      for (const w of due) this.cleanupOrReschedule(w, watermark);
      due.length = 0;
    } else {
      duePanes.length = 0;
      panes.dropExpired(watermark);
    }
  }

  /**
   * Takes a due spilled key back, computes all its due results into `waiting`, applies its
   * cleanup as the heap run would in this advance, and sends it back to the spill when the heap is
   * over the budget (a key left with no open window is dropped: its row is gone already).
   */
  private fireSpilledKey(stub: SpilledKey, watermark: number): void {
    const keyState = this.takeBack(stub.id);
    if (keyState === undefined) return;
    const order = keyState.order;
    if (keyState.sliding !== null) {
      const panes = this.panes!;
      const due = this.keyDuePanes;
      panes.collectKeyDue(keyState.sliding, watermark, due);
      for (const d of due) this.wait(keyState, d.start, d.end, panes.merged(d.key, d.start, d.end), order);
      due.length = 0;
      panes.expireKey(keyState.sliding, watermark);
    } else {
      // A copy: purging removes windows from the key's own collections.
      const windows = keyState.tumbling ? alignedWindows(keyState) : keyState.sessions!.slice();
      for (const w of windows) {
        if (w.timerAt > watermark) continue;
        this.timers.remove(w);
        if (w.onTimePending) {
          w.onTimePending = false;
          this.wait(keyState, w.start, w.end, w.accumulators, order);
        }
        this.cleanupOrReschedule(w, watermark);
      }
    }
    if (this.keys.get(keyState.id) === keyState && this.keys.size > this.budget) this.evict(keyState);
  }

  private wait(keyState: KeyState, start: number, end: number, accumulators: unknown[], order: number): void {
    const record = this.result(keyState, start, end, accumulators, 'onTime');
    if (record !== null) this.waiting.push({ end, order, start, record });
  }

  /** After a due window's firing: purged when past cleanup, else its timer moves to the cleanup time. */
  private cleanupOrReschedule(w: Window, watermark: number): void {
    const cleanup = this.cleanupTime(w.end);
    if (cleanup <= watermark) this.purge(w);
    else {
      w.timerAt = cleanup;
      this.timers.push(w);
    }
  }

  /**
   * Fires and purges what the watermark (this.watermark, just advanced) passed. The watermark is
   * read from the field, not passed: it moves on most records, and a double argument is boxed.
   */
  private fireDue(out: Output): void {
    const watermark = this.watermark;
    if (this.panes !== null) {
      this.advancePanes(this.panes, out);
      return;
    }
    if (this.slabs !== null) {
      this.fireSlabs(this.slabs, out);
      return;
    }
    const timers = this.timers;
    if (timers.size === 0 || timers.peekTime() > watermark) return;

    const due = this.due;
    due.length = 0;
    // The final watermark is +∞: compare with the earliest timer only while there is one.
    while (timers.size > 0 && timers.peekTime() <= watermark) due.push(timers.pop()!);

    const firing = this.firing;
    for (const w of due) if (w.onTimePending) firing.push(w);
    firing.sort(byEndKeyStart);
    for (const w of firing) {
      w.onTimePending = false;
      this.emitResult(w.keyState, w.start, w.end, w.accumulators, 'onTime', out);
    }
    firing.length = 0;

    for (const w of due) this.cleanupOrReschedule(w, watermark);
    due.length = 0;
  }

  /**
   * fireDue for tumbling slabs: the same firings in the same order, and the same purges. Slabs
   * fire in start order, so in end order, and each slab's windows by key order (equal ends and
   * starts): the order of all firing windows sorted at once. Windows are fired and purged from
   * their slabs' arrays (copying them into lists was 60 bytes a window of garbage).
   */
  private fireSlabs(slabs: TumblingSlabs<Window>, out: Output): void {
    if (!slabs.isDue(this.watermark)) return;
    const firing = this.firingSlabs;
    const purged = this.purgedSlabs;
    slabs.collect(this.watermark, firing, purged);
    for (const slab of firing) {
      const windows = slabs.sortedWindows(slab, byEndKeyStart);
      const cleanup = slabs.cleanupTime(slab);
      for (let i = 0; i < slab.count; i++) {
        const w = windows[i]!;
        if (!w.onTimePending) continue;
        w.onTimePending = false;
        w.timerAt = cleanup;
        this.emitResult(w.keyState, w.start, w.end, w.accumulators, 'onTime', out);
      }
    }
    firing.length = 0;
    for (const slab of purged) {
      const windows = slab.windows;
      for (let i = 0; i < slab.count; i++) this.purge(windows[i]!);
      slabs.release(slab);
    }
    purged.length = 0;
  }

  private advancePanes(panes: SlidingPanes<SlidingState>, out: Output): void {
    const watermark = this.watermark;
    const due = this.duePanes;
    panes.collectDue(watermark, due);
    if (due.length > 1) due.sort(byDueEndKeyStart);
    for (const w of due) this.emitResult(w.key.keyState, w.start, w.end, panes.merged(w.key, w.start, w.end), 'onTime', out);
    due.length = 0;
    panes.dropExpired(watermark);
  }

  // ---------------------------------------------------------------------------------------------

  /** Flink's cleanupTime: the window's last timestamp plus the allowed lateness. */
  private cleanupTime(end: number): number {
    return end - 1 + this.spec.allowedLateness;
  }

  /**
   * The tumbling window [lastStart, lastEnd) takes the current record unless it is past cleanup.
   * The bounds are read from fields, not passed: epoch milliseconds are doubles, and a double
   * argument to a call that is not inlined is a fresh 16-byte heap number (two a record here).
   */
  private addToAligned(keyState: KeyState, out: Output): boolean {
    const start = this.lastStart;
    const end = this.lastEnd;
    if (this.cleanupTime(end) <= this.watermark) return false;
    let w = keyState.current;
    if (w === null || w.start !== start) {
      w = this.alignedWindow(keyState, start, end);
      keyState.current = w;
      if (keyState.hint >= 0) this.hintWindow(keyState, w);
    }
    this.addValues(w.accumulators);
    if (end - 1 <= this.watermark) this.emitResult(keyState, w.start, w.end, w.accumulators, 'late', out);
    return true;
  }

  /** The key's tumbling window at `start`, opened if it has none, for `current` (it is not current now). */
  private alignedWindow(keyState: KeyState, start: number, end: number): Window {
    const aligned = keyState.aligned;
    if (aligned !== null) {
      let w = aligned.get(start);
      if (w === undefined) {
        w = this.openWindow(keyState, start, end);
        aligned.set(start, w);
      }
      return w;
    }
    const previous = keyState.current;
    const other = keyState.other;
    if (other !== null && other.start === start) {
      // The two swap places.
      keyState.other = previous;
      keyState.otherFirst = !keyState.otherFirst;
      return other;
    }
    const w = this.openWindow(keyState, start, end);
    if (previous !== null) {
      if (other === null) {
        keyState.other = previous;
        keyState.otherFirst = true;
      } else {
        keyState.aligned = alignedMap(keyState);
        keyState.aligned.set(start, w);
      }
    }
    return w;
  }

  /**
   * addToAligned's outcome, known from the key hints: the record goes to the key's current
   * tumbling window `w`, which is the record's and open.
   */
  private addToOpenWindow(w: Window, fields: Fields, out: Output): void {
    this.currentFields = fields;
    this.currentOut = out;
    this.valuesReady = false;
    this.sequence++;
    this.addValues(w.accumulators);
    if (this.lastEnd - 1 <= this.watermark) this.emitResult(w.keyState, w.start, w.end, w.accumulators, 'late', out);
    this.currentFields = NO_FIELDS;
    this.currentOut = null;
  }

  /**
   * Flink's MergingWindowSet.addWindow followed by the operator's merge function: the sessions
   * the new window touches merge into the earliest of them (its accumulators take the others'),
   * their timers are cancelled and the merged window gets one at its end − 1 unless the watermark
   * is already past it (EventTimeTrigger.onMerge); then the record is added to the result.
   */
  private addToSession(keyState: KeyState, start: number, end: number, out: Output): boolean {
    const sessions = keyState.sessions!;
    const [lo, hi] = intersectingRange(sessions, start, end);
    let w: Window;
    if (lo === hi) {
      // A new session. Merging never makes a window late (every open session ends after the
      // watermark's cleanup horizon), so only a session of its own can be.
      if (this.cleanupTime(end) <= this.watermark) return false;
      w = this.openWindow(keyState, start, end);
      sessions.splice(lo, 0, w);
    } else {
      w = sessions[lo]!;
      const mergedStart = Math.min(start, w.start);
      const mergedEnd = Math.max(end, sessions[hi - 1]!.end);
      if (hi - lo > 1 || mergedStart !== w.start || mergedEnd !== w.end) {
        for (let i = lo + 1; i < hi; i++) {
          const other = sessions[i]!;
          for (let a = 0; a < this.aggregates.length; a++) {
            this.aggregates[a]!.merge(w.accumulators[a], other.accumulators[a]);
          }
          this.timers.remove(other);
        }
        if (hi - lo > 1) sessions.splice(lo + 1, hi - lo - 1);
        w.start = mergedStart;
        w.end = mergedEnd;
        this.schedule(w);
        this.timers.update(w);
      }
    }
    this.addValues(w.accumulators);
    if (w.end - 1 <= this.watermark) this.emitResult(keyState, w.start, w.end, w.accumulators, 'late', out);
    return true;
  }

  private openWindow(keyState: KeyState, start: number, end: number): Window {
    let w: Window;
    if (this.spareCount > 0) {
      w = this.spare[--this.spareCount]!;
      this.spare[this.spareCount] = undefined;
      w.start = start;
      w.end = end;
      w.keyState = keyState;
      w.heapIndex = -1;
      const accumulators = w.accumulators;
      for (let a = 0; a < this.aggregates.length; a++) {
        const aggregate = this.aggregates[a]!;
        if (aggregate.reset !== undefined) aggregate.reset(accumulators[a]);
        else accumulators[a] = aggregate.create();
      }
    } else {
      const accumulators = new Array<unknown>(this.aggregates.length);
      for (let a = 0; a < this.aggregates.length; a++) accumulators[a] = this.aggregates[a]!.create();
      w = new Window(start, end, accumulators, keyState);
    }
    this.schedule(w);
    this.addTimer(w);
    return w;
  }

  /**
   * A purged window, for openWindow to reuse. Nothing refers to it any more: its key's windows,
   * hint slot, slab and timer let go of it in purge and before (results hold values, not it).
   */
  private spareWindow(w: Window): void {
    if (this.spareCount >= SPARE_WINDOWS) return;
    w.keyState = NO_KEY;
    // An accumulator without reset (count_distinct's Set, percentile's values, first/last, min/max)
    // would hold the purged key's values until reuse: openWindow makes it anew instead.
    const accumulators = w.accumulators;
    for (let a = 0; a < this.aggregates.length; a++) {
      if (this.aggregates[a]!.reset === undefined) accumulators[a] = undefined;
    }
    this.spare[this.spareCount++] = w;
  }

  /** Puts a tumbling or session window's timer (as schedule() set it) in the slabs or the queue. */
  private addTimer(w: Window): void {
    if (this.slabs !== null) this.slabs.add(w);
    else this.timers.push(w);
  }

  /** The window's one timer: its end − 1 if the watermark is before it, else its cleanup. */
  private schedule(w: Window): void {
    const maxTimestamp = w.end - 1;
    w.onTimePending = maxTimestamp > this.watermark;
    w.timerAt = w.onTimePending ? maxTimestamp : this.cleanupTime(w.end);
  }

  /** Adds the current record (its fields, and its time in `time[0]`) to a window's accumulators. */
  private addValues(accumulators: unknown[]): void {
    if (!this.valuesReady) this.evaluateArguments();
    const aggregates = this.aggregates;
    for (let a = 0; a < aggregates.length; a++) {
      const value = this.values[a];
      if (value === EVALUATION_FAILED) continue;
      const aggregate = aggregates[a]!;
      // Only first and last read the time: the others get 0, not a heap number per call.
      if (!aggregate.add(accumulators[a], value, aggregate.readsTime === true ? this.time[0]! : 0, this.sequence) && !this.typeErrorCounted[a]) {
        // A wrong-typed value is one error per record, however many sliding windows it reaches.
        this.typeErrorCounted[a] = true;
        this.counters.exprErrors++;
      }
    }
  }

  /** Aggregate arguments are evaluated once per record, and only for records a window takes. */
  private evaluateArguments(): void {
    const fields = this.currentFields;
    const specs = this.spec.aggregates;
    for (let a = 0; a < specs.length; a++) {
      this.typeErrorCounted[a] = false;
      const arg = specs[a]!.arg;
      if (arg === null) {
        this.values[a] = EVERY_RECORD;
        continue;
      }
      try {
        this.values[a] = arg(fields);
      } catch {
        this.values[a] = EVALUATION_FAILED;
        this.counters.exprErrors++;
      }
    }
    this.valuesReady = true;
  }

  private emitResult(keyState: KeyState, start: number, end: number, accumulators: unknown[], firing: 'onTime' | 'late', out: Output): void {
    const record = this.result(keyState, start, end, accumulators, firing);
    if (record !== null) out.emit(record);
  }

  /** A window's result record (counted), or null when `having` drops it. */
  private result(keyState: KeyState, start: number, end: number, accumulators: unknown[], firing: 'onTime' | 'late'): WindowResult | null {
    const fields: Record<string, unknown> = {};
    const specs = this.spec.aggregates;
    for (let a = 0; a < specs.length; a++) fields[specs[a]!.name] = this.aggregates[a]!.result(accumulators[a]);

    const key = keyState.key;
    // The scope is only read by select and having: without them, no scope objects per result.
    const scoped = this.spec.select.length > 0 || this.spec.having !== null;
    if (scoped) {
      this.scopeFields = fields;
      this.scopeKey = key;
      this.scopeWindow = { start, end };
    }
    for (const computed of this.spec.select) {
      try {
        fields[computed.name] = emittable(computed.evaluate(this.scope));
      } catch {
        fields[computed.name] = null;
        this.counters.exprErrors++;
      }
    }
    let emit = true;
    if (this.spec.having !== null) {
      try {
        emit = this.spec.having(this.scope) === true;
      } catch {
        this.counters.exprErrors++;
        emit = false;
      }
    }
    if (scoped) this.scopeFields = NO_FIELDS;
    if (!emit) return null;
    this.counters.results++;
    return { step: this.step, kind: 'window', key, start, end, firing, fields };
  }

  /** Flink's clearAllState: the window, its accumulators and (if it was the last) its key go. */
  private purge(w: Window): void {
    const keyState = w.keyState;
    if (keyState.tumbling) {
      const aligned = keyState.aligned;
      const current = keyState.current;
      if (aligned === null) {
        if (current === w) {
          keyState.current = keyState.other;
          keyState.other = null;
          if (keyState.hint >= 0) this.hintWindow(keyState, keyState.current);
        } else if (keyState.other === w) keyState.other = null;
      } else {
        aligned.delete(w.start);
        if (aligned.size <= 2) {
          // Back to two windows without the Map (a Map emptied by deletes shrinks, that is
          // reallocates, its table): `current` stays if it is open, else the later one.
          const [first, second] = aligned.values();
          const keep = current !== null && current !== w ? current : (second ?? first ?? null);
          const rest = keep === first ? (second ?? null) : (first ?? null);
          keyState.aligned = null;
          keyState.current = keep;
          keyState.other = rest;
          keyState.otherFirst = rest !== null && rest === first;
          if (current !== keep && keyState.hint >= 0) this.hintWindow(keyState, keep);
        } else if (current === w) {
          keyState.current = null;
          if (keyState.hint >= 0) this.hintWindow(keyState, null);
        }
      }
    } else {
      const sessions = keyState.sessions!;
      sessions.splice(sessions.indexOf(w), 1);
    }
    if (this.isEmpty(keyState)) this.releaseKey(keyState);
    this.spareWindow(w);
  }

  private isEmpty(keyState: KeyState): boolean {
    if (keyState.tumbling) return keyState.aligned !== null ? keyState.aligned.size === 0 : keyState.current === null;
    if (keyState.sessions !== null) return keyState.sessions.length === 0;
    return keyState.sliding!.panes.length === 0;
  }
}

/** One key's state in its snapshot form; `copy` copies accumulators (null: shared, the key is leaving the heap). */
function keySnapshot(state: KeyState, copy: ((accumulators: unknown[]) => unknown[]) | null): WindowKeySnapshot {
  const own = copy ?? ((accumulators: unknown[]) => accumulators);
  if (state.sliding !== null) {
    const sliding = state.sliding;
    return {
      key: state.key,
      order: state.order,
      panes: sliding.panes.map((p) => ({ start: p.start, accumulators: own(p.accumulators) })),
      fireAt: clockAt(sliding.fire),
      cleanupAt: clockAt(sliding.cleanup),
    };
  }
  const windows = state.tumbling ? alignedWindows(state) : state.sessions!;
  return {
    key: state.key,
    order: state.order,
    windows: windows.map((w) => ({ start: w.start, end: w.end, onTimePending: w.onTimePending, timerAt: w.timerAt, accumulators: own(w.accumulators) })),
  };
}

/** One key in binary, from its runtime state (the windows themselves), as writeWindowKeys writes its keySnapshot. */
function writeKeyState(out: WindowKeysWriter, state: KeyState): void {
  const sliding = state.sliding;
  if (sliding !== null) out.panes(state.key, state.order, sliding.panes, clockAt(sliding.fire), clockAt(sliding.cleanup));
  else out.windows(state.key, state.order, state.tumbling ? alignedWindows(state, openWindows) : state.sessions!);
}

/** A sliding key's clock: its time while it is queued, +∞ when not. */
function clockAt(clock: { heapIndex: number; timerAt: number }): number {
  return clock.heapIndex >= 0 ? clock.timerAt : Infinity;
}

function byOrder(a: KeyState, b: KeyState): number {
  return a.order - b.order;
}

/** Adds a restored tumbling window, opened after those its key holds, to its key's windows. */
function addAligned(keyState: KeyState, w: Window): void {
  if (keyState.aligned === null) {
    if (keyState.current === null) {
      keyState.current = w;
      return;
    }
    if (keyState.other === null) {
      keyState.other = w;
      keyState.otherFirst = false;
      return;
    }
    keyState.aligned = alignedMap(keyState);
  }
  keyState.aligned.set(w.start, w);
}

/** A tumbling key's two windows (`current` and `other`) as a Map in the order they opened; `other` becomes null. */
function alignedMap(keyState: KeyState): Map<number, Window> {
  const current = keyState.current!;
  const other = keyState.other!;
  keyState.other = null;
  return keyState.otherFirst
    ? new Map([
        [other.start, other],
        [current.start, current],
      ])
    : new Map([
        [current.start, current],
        [other.start, other],
      ]);
}

/** Reused by writeKeyState: a tumbling key's windows, valid until its next call. */
const openWindows: Window[] = [];

/** A tumbling key's open windows in the order they opened, in `into` (emptied first) or a new array. */
function alignedWindows(keyState: KeyState, into: Window[] = []): Window[] {
  into.length = 0;
  if (keyState.aligned !== null) {
    for (const w of keyState.aligned.values()) into.push(w);
  } else if (keyState.current !== null) {
    if (keyState.other === null) into.push(keyState.current);
    else if (keyState.otherFirst) into.push(keyState.other, keyState.current);
    else into.push(keyState.current, keyState.other);
  }
  return into;
}

function byEndKeyStart(a: Window, b: Window): number {
  return a.end - b.end || a.keyState.order - b.keyState.order || a.start - b.start;
}

function byDueEndKeyStart(a: DueWindow<SlidingState>, b: DueWindow<SlidingState>): number {
  return a.end - b.end || a.key.keyState.order - b.key.keyState.order || a.start - b.start;
}

/** Due stubs in firing order: earliest timer, then key order (timers may be +∞ at the final watermark). */
function byTimerOrder(a: SpilledKey, b: SpilledKey): number {
  return (a.timerAt === b.timerAt ? 0 : a.timerAt < b.timerAt ? -1 : 1) || a.order - b.order;
}

/** CEL integers are bigints, which JSON output cannot carry: emit them as numbers. */
function emittable(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value) && value.some((v) => typeof v === 'bigint')) {
    return value.map((v) => (typeof v === 'bigint' ? Number(v) : v));
  }
  return value;
}

