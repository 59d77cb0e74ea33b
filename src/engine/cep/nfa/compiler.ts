/**
 * PatternSpec → immutable state graph, as Flink's NFACompiler. The pattern is walked from the last
 * stage to the first, so the first state built is the final one:
 *
 *   1. `$endState$` (Final);
 *   2. every stage but the first, backwards: notNext becomes a state with a PROCEED (or, before the
 *      final state, IGNORE) edge on the negated condition and a PROCEED edge to a Stop state;
 *      notFollowedBy becomes Stop edges on the stages around it, or, as the last stage with
 *      `within`, a Pending state that completes the match when `within` expires (FLINK-26941);
 *      other stages become a singleton, times or looping chain;
 *   3. the first stage, marked Start.
 *
 * A singleton state TAKEs into its sink, IGNOREs per its contiguity (next: never; followedBy: when
 * the condition fails; followedByAny: always) and, when optional, PROCEEDs past itself. Quantified
 * stages are chains of such states; `until` is folded into the take / ignore conditions and
 * greedy narrows the following stage's edges with "and not this stage's condition".
 *
 * A group stage (Flink's GroupPattern, `followedBy(Pattern.begin(...)...)`) compiles its own stages
 * the same way, recursively, in place of a singleton state: its first stage takes the group's
 * contiguity (the loop's inner contiguity when repeating), the group's `until` guards every edge
 * inside it, and a looping group returns through a dummy state to its first stage.
 */
import type { Contiguity, PatternSpec, SkipStrategy, StageSpec } from '../../spec.js';
import { and, not, State, TRUE, type Condition, type StageCondition, type StateKind } from './state.js';

export const ENDING_STATE_NAME = '$endState$';
/** Flink's name for every group pattern's own states (GroupPattern's constructor). */
export const GROUP_STATE_NAME = 'GroupPattern';

/**
 * A stage as the compiler reads it: the pipeline spec's StageSpec plus the parts of Flink's Pattern
 * API that only the TypeScript builder expresses (pipeline-spec's fixed YAML keys have no place for
 * them). A spec from YAML has none of them.
 */
export interface CepStageSpec extends StageSpec {
  /**
   * Flink's within(d, WithinType.PREVIOUS_AND_CURRENT) on this stage, in ms: a partial match waiting
   * in this stage times out when d has passed since its previous accepted event.
   */
  readonly withinPrevious?: number;
  /**
   * The quantifier's own window (Flink's times(n, d), times(from, to, d), oneOrMore(d),
   * timesOrMore(n, d)), in ms, between consecutive events of the loop.
   */
  readonly loopWithin?: number;
  /**
   * A group pattern (Flink's GroupPattern): these stages, matched as one unit that takes this
   * stage's contiguity and quantifier. A group has no `where`; its `until` guards every edge inside.
   * Its `name` only keys its `until` condition (the builder names groups GroupPattern, GroupPattern#2, ...).
   */
  readonly group?: readonly CepStageSpec[];
}

export interface CepPatternSpec extends PatternSpec {
  readonly stages: readonly CepStageSpec[];
}

/** Every stage that takes events, groups flattened, in pattern order. */
export function leafStages(stages: readonly CepStageSpec[]): CepStageSpec[] {
  return stages.flatMap((s) => (s.group === undefined ? [s] : leafStages(s.group)));
}

export interface StageConditions<E> {
  readonly where: StageCondition<E> | null;
  readonly until: StageCondition<E> | null;
}

export interface CompiledPattern<E> {
  /** Every state, in creation order (final state first). */
  readonly states: readonly State<E>[];
  readonly start: State<E>;
  /** `within` in ms; 0 when absent. */
  readonly windowTime: number;
  readonly skip: SkipStrategy;
  /** Names of the stages that take events (groups flattened), in pattern order. */
  readonly stages: readonly string[];
}

/** A pattern Flink's Pattern API would reject; the message names the stage and the fix. */
export class MalformedPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPatternError';
  }
}

type Consuming = 'strict' | 'skipTillNext' | 'skipTillAny' | 'notNext' | 'notFollow';

function consumingOf(contiguity: Contiguity | undefined): Consuming {
  switch (contiguity) {
    case undefined:
    case 'next':
      return 'strict';
    case 'followedBy':
      return 'skipTillNext';
    case 'followedByAny':
      return 'skipTillAny';
    case 'notNext':
      return 'notNext';
    case 'notFollowedBy':
      return 'notFollow';
  }
}

function innerConsumingOf(stage: StageSpec): Consuming {
  if (stage.consecutive) return 'strict';
  if (stage.allowCombinations) return 'skipTillAny';
  return 'skipTillNext';
}

function isOptionalStage(s: StageSpec): boolean {
  return s.optional || (s.quantifier.kind === 'times' && s.quantifier.from === 0);
}

/**
 * Flink's NFACompiler.canProduceEmptyMatches: PROCEED edges alone lead from the start state to the
 * final state, so the pattern matches an empty sequence (A?, A*, A* B?).
 */
export function canProduceEmptyMatches<E>(compiled: CompiledPattern<E>): boolean {
  const seen = new Set<State<E>>();
  const pending: State<E>[] = [compiled.start];
  while (pending.length > 0) {
    const state = pending.pop()!;
    if (seen.has(state)) continue;
    seen.add(state);
    for (const t of state.transitions) {
      if (t.action !== 'proceed') continue;
      if (t.target.isFinal) return true;
      pending.push(t.target);
    }
  }
  return false;
}

/** Checks Flink's Pattern API enforces while the pattern is built (and NFACompiler at compile time). */
export function validatePattern(spec: CepPatternSpec): void {
  const names = new Set<string>();
  validateChain(spec.stages, 'pattern.stages', names);
  const { stages } = spec;
  const hasWithin = spec.within !== undefined;
  if (hasWithin && !(spec.within! > 0)) throw new MalformedPatternError(`pattern.within must be a positive duration; got ${spec.within}`);
  const last = stages[stages.length - 1]!;
  if (last.contiguity === 'notFollowedBy' && !hasWithin && !(last.withinPrevious !== undefined && last.withinPrevious > 0))
    throw new MalformedPatternError(`pattern.stages[${stages.length - 1}] (${last.name}): notFollowedBy as the last stage needs pattern.within (the match completes when within expires)`);
  // NFACompiler.checkPatternWindowTimes: a window between events cannot exceed the whole match's.
  if (hasWithin) {
    for (const s of allStages(stages)) {
      for (const [what, ms] of [['within(previousAndCurrent)', s.withinPrevious], ['the quantifier window', s.loopWithin]] as const)
        if (ms !== undefined && ms > spec.within!)
          throw new MalformedPatternError(`stage ${s.name}: ${what} (${ms}ms) is longer than pattern.within (${spec.within}ms); the window between two events cannot exceed the whole match's`);
    }
  }
  const skip = spec.skip;
  // As Flink's checkPatternSkipStrategy: the stage is looked up among the top-level stages.
  if ((skip.kind === 'skipToFirst' || skip.kind === 'skipToLast') && !stages.some((s) => s.name === skip.stage))
    throw new MalformedPatternError(`pattern.skip: ${skip.kind}:${skip.stage} names no stage; use one of ${stages.map((s) => s.name).join(', ')}`);
}

export function allStages(stages: readonly CepStageSpec[]): CepStageSpec[] {
  return stages.flatMap((s) => (s.group === undefined ? [s] : [s, ...allStages(s.group)]));
}

function validateChain(stages: readonly CepStageSpec[], path: string, names: Set<string>): void {
  if (stages.length === 0) throw new MalformedPatternError(`${path} is empty: add at least one stage`);
  stages.forEach((stage, i) => {
    const at = `${path}[${i}] (${stage.name})`;
    const q = stage.quantifier;
    if (stage.group !== undefined) {
      if (stage.where !== undefined) throw new MalformedPatternError(`${at}: a group pattern has no where; put the conditions on its stages`);
      if (stage.greedy) throw new MalformedPatternError(`${at}: greedy is not applicable to a group pattern`);
      if (stage.withinPrevious !== undefined) throw new MalformedPatternError(`${at}: within(previousAndCurrent) applies to the group's stages, not to the group`);
      validateChain(stage.group, `${at}.group`, names);
    } else {
      // Flink checks uniqueness on the stages that take events; groups share the name GroupPattern.
      if (stage.name === ENDING_STATE_NAME) throw new MalformedPatternError(`${at}: the name ${ENDING_STATE_NAME} is reserved; rename the stage`);
      if (names.has(stage.name)) throw new MalformedPatternError(`${at}: duplicate stage name; give every stage a unique name`);
      names.add(stage.name);
    }
    const negated = stage.contiguity === 'notNext' || stage.contiguity === 'notFollowedBy';
    if (i === 0 && stage.contiguity !== undefined) throw new MalformedPatternError(`${at}: the first stage has no contiguity; remove "contiguity: ${stage.contiguity}"`);
    if (negated) {
      if (stage.group !== undefined) throw new MalformedPatternError(`${at}: a group pattern cannot be negated; negate a single stage`);
      if (q.kind !== 'single' || stage.optional || stage.greedy || stage.until !== undefined || stage.consecutive || stage.allowCombinations || stage.loopWithin !== undefined)
        throw new MalformedPatternError(`${at}: ${stage.contiguity} stages take no quantifier, optional, greedy, until, consecutive or allowCombinations; remove them`);
      const previous = stages[i - 1]!;
      if (isOptionalStage(previous))
        throw new MalformedPatternError(`${at}: a ${stage.contiguity} stage cannot follow an optional stage (${previous.name}); write two patterns, one with and one without the optional stage`);
    }
    if (i > 0 && stages[i - 1]!.greedy && isOptionalStage(stage))
      throw new MalformedPatternError(`${at}: an optional stage cannot follow a greedy stage (${stages[i - 1]!.name}); drop greedy there or optional here`);
    if (q.kind === 'times' && (q.from < 0 || q.to < 1 || q.from > q.to || !Number.isInteger(q.from) || !Number.isInteger(q.to)))
      throw new MalformedPatternError(`${at}: times must be whole numbers with 0 ≤ from ≤ to and to ≥ 1; got [${q.from}, ${q.to}]`);
    if (q.kind === 'looping' && (q.atLeast < 1 || !Number.isInteger(q.atLeast)))
      throw new MalformedPatternError(`${at}: timesOrMore needs a whole number ≥ 1 (got ${q.atLeast}); use oneOrMore with optional: true for "zero or more"`);
    if (stage.greedy) {
      if (q.kind === 'single') throw new MalformedPatternError(`${at}: greedy applies only to quantified stages (times, oneOrMore, timesOrMore)`);
      if (stage.contiguity === 'followedByAny') throw new MalformedPatternError(`${at}: greedy is not applicable to a followedByAny stage`);
    }
    if (stage.until !== undefined && q.kind !== 'looping')
      throw new MalformedPatternError(`${at}: until applies only to looping stages (oneOrMore, timesOrMore)`);
    if ((stage.consecutive || stage.allowCombinations) && q.kind === 'single')
      throw new MalformedPatternError(`${at}: consecutive / allowCombinations apply only to quantified stages`);
    if (stage.consecutive && stage.allowCombinations)
      throw new MalformedPatternError(`${at}: choose either consecutive or allowCombinations, not both`);
    if (stage.loopWithin !== undefined && (q.kind === 'single' || !(stage.loopWithin > 0)))
      throw new MalformedPatternError(`${at}: a quantifier window needs a quantifier (times, oneOrMore, timesOrMore) and a positive duration`);
    if (stage.withinPrevious !== undefined && !(stage.withinPrevious > 0))
      throw new MalformedPatternError(`${at}: within(previousAndCurrent) must be a positive duration; got ${stage.withinPrevious}`);
  });
}

export function compilePattern<E>(spec: CepPatternSpec, conditions: ReadonlyMap<string, StageConditions<E>>): CompiledPattern<E> {
  validatePattern(spec);
  return new NfaCompiler(spec, conditions).compile();
}

interface NotCondition<E> {
  readonly condition: Condition<E>;
  readonly name: string;
}

class NfaCompiler<E> {
  private readonly states: State<E>[] = [];
  private readonly usedNames = new Set<string>();
  private readonly stopStates = new Map<string, State<E>>();
  private readonly originalStateMap = new Map<string, State<E>>();
  private readonly windowTime: number;
  /** The chain being compiled (the pattern, or a group's stages) and the position in it: Flink's currentPattern. */
  private chain: readonly CepStageSpec[];
  private current: number;
  /** Flink's followingPattern: the stage after the current one (kept across a group's boundary). */
  private following: CepStageSpec | null = null;
  /** Flink's currentGroupPattern: the innermost group being compiled. */
  private group: CepStageSpec | null = null;
  /** Flink's firstOfLoopMap: whether a repeating group is building its first iteration. */
  private readonly firstOfLoop = new Map<CepStageSpec, boolean>();

  constructor(
    private readonly spec: CepPatternSpec,
    private readonly conditions: ReadonlyMap<string, StageConditions<E>>,
  ) {
    this.windowTime = spec.within ?? 0;
    this.chain = spec.stages;
    this.current = spec.stages.length - 1;
  }

  compile(): CompiledPattern<E> {
    let sink = this.createState(ENDING_STATE_NAME, ENDING_STATE_NAME, 'final');
    sink = this.createMiddleStates(sink);
    const start = this.convertPattern(sink);
    start.kind = 'start';
    return { states: this.states, start, windowTime: this.windowTime, skip: this.spec.skip, stages: leafStages(this.spec.stages).map((s) => s.name) };
  }

  // ---- stage properties (Flink's Quantifier) ----

  private get stage(): CepStageSpec {
    return this.chain[this.current]!;
  }
  private isLooping(s: StageSpec): boolean {
    return s.quantifier.kind === 'looping';
  }
  private times(s: StageSpec): { from: number; to: number } {
    const q = s.quantifier;
    if (q.kind === 'times') return { from: Math.max(1, q.from), to: q.to };
    if (q.kind === 'looping') return { from: q.atLeast, to: q.atLeast };
    return { from: 1, to: 1 };
  }
  /** The current stage is its group's first (Flink's headOfGroup): it takes the group's contiguity. */
  private get headOfGroup(): boolean {
    return this.group !== null && this.current === 0;
  }
  private get groupFirstOfLoop(): boolean {
    return this.group === null || (this.firstOfLoop.get(this.group) ?? true);
  }
  private setFirstOfLoop(first: boolean): void {
    if (this.stage.group !== undefined) this.firstOfLoop.set(this.stage, first);
  }
  /** The innermost group's `until`: it guards every take, ignore and proceed edge inside the group. */
  private groupUntil(): Condition<E> | null {
    return this.group === null ? null : this.untilCondition(this.group);
  }
  /** The stage's own condition (Flink's pattern.getCondition(); true when absent, and for groups). */
  private whereCondition(s: CepStageSpec): Condition<E> {
    const where = this.conditions.get(s.name)?.where ?? null;
    return where === null || s.group !== undefined ? TRUE : { kind: 'where', stage: s.name, test: where };
  }
  private takeCondition(s: CepStageSpec): Condition<E> {
    return this.extendWithUntil(this.whereCondition(s), this.groupUntil(), true)!;
  }
  private untilCondition(s: CepStageSpec): Condition<E> | null {
    const until = this.conditions.get(s.name)?.until ?? null;
    return until === null ? null : { kind: 'until', stage: s.name, test: until };
  }
  /** Flink's getTrueFunction: the PROCEED guard, "not the group's until" inside a group. */
  private trueCondition(): Condition<E> {
    return this.extendWithUntil(TRUE, this.groupUntil(), true)!;
  }
  private ignoreConditionFor(s: CepStageSpec, consuming: Consuming): Condition<E> | null {
    let ignore: Condition<E> | null;
    switch (consuming) {
      case 'skipTillNext':
        ignore = not(this.whereCondition(s));
        break;
      case 'skipTillAny':
        ignore = TRUE;
        break;
      default:
        ignore = null;
    }
    return this.extendWithUntil(ignore, this.groupUntil(), false);
  }
  private ignoreCondition(s: CepStageSpec): Condition<E> | null {
    let consuming = consumingOf(s.contiguity);
    if (this.headOfGroup) consuming = this.groupFirstOfLoop ? consumingOf(this.group!.contiguity) : innerConsumingOf(this.group!);
    return this.ignoreConditionFor(s, consuming);
  }
  private innerIgnoreCondition(s: CepStageSpec): Condition<E> | null {
    return this.ignoreConditionFor(s, innerConsumingOf(this.headOfGroup ? this.group! : s));
  }

  // ---- graph construction ----

  private createState(name: string, stage: string, kind: StateKind): State<E> {
    let candidate = name;
    let counter = 0;
    while (this.usedNames.has(candidate)) candidate = `${name}:${counter++}`;
    this.usedNames.add(candidate);
    const state = new State<E>(candidate, stage, kind);
    this.states.push(state);
    return state;
  }

  /**
   * A state of the current stage (Flink's createState(type, isTake)). A state that takes events
   * carries the window since the previous event (WithinType.PREVIOUS_AND_CURRENT): an unquantified
   * stage's own, or, on a loop's copies (named `stage:n`), the quantifier's window.
   */
  private createStageState(kind: StateKind, isTake: boolean): State<E> {
    const stage = this.stage;
    const name = stage.group === undefined ? stage.name : GROUP_STATE_NAME;
    const state = this.createState(name, name, kind);
    if (isTake) {
      if (stage.quantifier.kind === 'single') {
        if (stage.withinPrevious !== undefined) state.previousWindow = stage.withinPrevious;
      } else if (state.name.includes(':') && stage.loopWithin !== undefined) {
        state.previousWindow = stage.loopWithin;
      }
    }
    return state;
  }

  private createMiddleStates(sink: State<E>): State<E> {
    let lastSink = sink;
    while (this.current > 0) {
      const stage = this.stage;
      const consuming = consumingOf(stage.contiguity);
      if (consuming === 'notFollow') {
        // Mid-pattern notFollowedBy becomes Stop edges on its neighbours; as the last stage with
        // `within` it is a Pending state that ignores everything but the negated event.
        if ((stage.withinPrevious !== undefined || this.windowTime > 0) && lastSink.isFinal) {
          const notFollow = this.createStageState('pending', true);
          const notCondition = this.takeCondition(stage);
          const stop = this.createStopState(notCondition, stage.name);
          notFollow.addProceed(stop, notCondition);
          notFollow.addIgnore(notFollow, not(notCondition));
          lastSink = notFollow;
        }
      } else if (consuming === 'notNext') {
        const notNext = this.createStageState('normal', true);
        const notCondition = this.takeCondition(stage);
        const stop = this.createStopState(notCondition, stage.name);
        // Before the final state an IGNORE edge, so that PROCEED does not complete the match early.
        if (lastSink.isFinal) notNext.addIgnore(lastSink, not(notCondition));
        else notNext.addProceed(lastSink, not(notCondition));
        notNext.addProceed(stop, notCondition);
        lastSink = notNext;
      } else {
        lastSink = this.convertPattern(lastSink);
      }
      this.following = stage;
      this.current--;
    }
    return lastSink;
  }

  private convertPattern(sink: State<E>): State<E> {
    const stage = this.stage;
    let lastSink: State<E>;
    if (this.isLooping(stage)) {
      // Once the loop has started, the notFollowedBy stages before an optional loop no longer apply.
      this.setFirstOfLoop(false);
      const looping = this.createLooping(this.copyWithoutTransitiveNots(sink));
      this.setFirstOfLoop(true);
      lastSink = this.createTimesState(looping, sink, this.times(stage));
    } else if (stage.quantifier.kind === 'times') {
      lastSink = this.createTimesState(sink, sink, this.times(stage));
    } else {
      lastSink = this.createSingletonState(sink, sink, this.takeCondition(stage), this.ignoreCondition(stage), isOptionalStage(stage));
    }
    this.addStopStates(lastSink);
    return lastSink;
  }

  /** notFollowedBy stages reachable backwards through optional stages: their Stop edges apply here. */
  private currentNotConditions(): NotCondition<E>[] {
    const result: NotCondition<E>[] = [];
    let previous = this.current;
    while (previous > 0) {
      const before = this.chain[previous - 1]!;
      const beforeIsNotFollow = before.contiguity === 'notFollowedBy';
      if (!(isOptionalStage(before) || beforeIsNotFollow)) break;
      previous--;
      if (beforeIsNotFollow) result.push({ condition: this.takeCondition(before), name: before.name });
    }
    return result;
  }

  private createStopState(notCondition: Condition<E>, name: string): State<E> {
    let stop = this.stopStates.get(name);
    if (stop === undefined) {
      stop = this.createState(name, name, 'stop');
      stop.addTake(stop, notCondition);
      this.stopStates.set(name, stop);
    }
    return stop;
  }

  /**
   * Taking an event in an optional stage voids the notFollowedBy stages before it: e.g. for
   * begin(a).notFollowedBy(b).followedByAny(c).optional().followedByAny(d), {a c b d} matches but
   * {a b d} does not. Copies the sink without those Stop edges, only when needed.
   */
  private copyWithoutTransitiveNots(sink: State<E>): State<E> {
    const nots = this.currentNotConditions();
    if (nots.length === 0 || !isOptionalStage(this.stage)) return sink;
    // As Flink: the copy gets a new name, and Flink keys the between-events window by state name,
    // so the copy has none.
    const copy = this.createState(sink.name, sink.stage, sink.kind);
    for (const t of sink.transitions) {
      if (t.action === 'proceed') {
        let target = t.target;
        let remove = false;
        if (target.isStop) {
          for (const n of nots) if (target.name === n.name) remove = true;
        } else {
          target = this.copyWithoutTransitiveNots(t.target);
        }
        if (!remove) copy.add(t.action, target, t.condition);
      } else {
        copy.add(t.action, t.target === t.source ? copy : t.target, t.condition);
      }
    }
    return copy;
  }

  private copy(state: State<E>): State<E> {
    const copy = this.createState(state.stage, state.stage, state.kind);
    for (const t of state.transitions) copy.add(t.action, t.target === t.source ? copy : t.target, t.condition);
    return copy;
  }

  private addStopStates(state: State<E>): void {
    for (const n of this.currentNotConditions()) state.addProceed(this.createStopState(n.condition, n.name), n.condition);
  }

  private addStopStateToLooping(state: State<E>): void {
    const following = this.following;
    if (following === null || following.contiguity !== 'notFollowedBy') return;
    const notCondition = this.takeCondition(following);
    state.addProceed(this.createStopState(notCondition, following.name), notCondition);
  }

  private extendWithUntil(condition: Condition<E> | null, until: Condition<E> | null, isTake: boolean): Condition<E> | null {
    if (until !== null && condition !== null) return and(not(until), condition);
    if (until !== null && isTake) return not(until);
    return condition;
  }

  private createTimesState(sink: State<E>, proceedState: State<E>, times: { from: number; to: number }): State<E> {
    const stage = this.stage;
    let lastSink = sink;
    this.setFirstOfLoop(false);
    const until = this.untilCondition(stage);
    const innerIgnore = this.extendWithUntil(this.innerIgnoreCondition(stage), until, false);
    const take = this.extendWithUntil(this.takeCondition(stage), until, true)!;
    if (stage.greedy && times.from !== times.to) {
      if (until !== null) this.originalStateMap.set(sink.name, this.copy(sink));
      this.updateWithGreedyCondition(sink, take);
    }
    for (let i = times.from; i < times.to; i++) {
      lastSink = this.createSingletonState(lastSink, proceedState, take, innerIgnore, true);
      this.addStopStateToLooping(lastSink);
    }
    for (let i = 0; i < times.from - 1; i++) {
      lastSink = this.createSingletonState(lastSink, null, take, innerIgnore, false);
      this.addStopStateToLooping(lastSink);
    }
    // The first state of the chain: it follows the previous stage with the stage's own contiguity.
    this.setFirstOfLoop(true);
    return this.createSingletonState(lastSink, proceedState, take, this.ignoreCondition(stage), isOptionalStage(stage));
  }

  private createSingletonState(
    sink: State<E>,
    proceedState: State<E> | null,
    take: Condition<E>,
    ignore: Condition<E> | null,
    isOptional: boolean,
  ): State<E> {
    const stage = this.stage;
    if (stage.group !== undefined) return this.createGroupPatternState(stage, sink, proceedState, isOptional);
    const singleton = this.createStageState('normal', true);
    // An accepted event voids the notFollowedBy stages before an optional stage.
    const target = this.copyWithoutTransitiveNots(sink);
    singleton.addTake(target, take);
    const proceed = this.trueCondition();
    if (isOptional && proceedState !== null) {
      if (stage.greedy) {
        const until = this.untilCondition(stage);
        const original = this.originalStateMap.get(proceedState.name);
        if (until !== null && original !== undefined) singleton.addProceed(original, and(proceed, until));
        singleton.addProceed(proceedState, until !== null ? and(proceed, not(until)) : proceed);
      } else {
        singleton.addProceed(proceedState, proceed);
      }
    }
    if (ignore !== null) {
      let ignoreState: State<E>;
      if (isOptional || this.isHeadOfOptionalGroup()) {
        // A twin without the PROCEED edge, so that each PROCEED branch is created only once.
        ignoreState = this.createStageState('normal', false);
        ignoreState.addTake(target, take);
        ignoreState.addIgnore(ignoreState, ignore);
        this.addStopStates(ignoreState);
      } else {
        ignoreState = singleton;
      }
      singleton.addIgnore(ignoreState, ignore);
    }
    return singleton;
  }

  private isHeadOfOptionalGroup(): boolean {
    return this.headOfGroup && this.groupFirstOfLoop && isOptionalStage(this.group!);
  }

  /** Compiles `body` with `group`'s stages as the current chain, restoring the outer position after. */
  private insideGroup(group: CepStageSpec, body: () => State<E>): State<E> {
    const saved = { chain: this.chain, current: this.current, following: this.following, group: this.group };
    this.group = group;
    this.chain = group.group!;
    this.current = this.chain.length - 1;
    try {
      return body();
    } finally {
      this.chain = saved.chain;
      this.current = saved.current;
      this.following = saved.following;
      this.group = saved.group;
    }
  }

  /** One pass through a group: its stages compiled into `sink`; optional groups may PROCEED past. */
  private createGroupPatternState(group: CepStageSpec, sink: State<E>, proceedState: State<E> | null, isOptional: boolean): State<E> {
    const proceed = this.trueCondition();
    return this.insideGroup(group, () => {
      const first = this.convertPattern(this.createMiddleStates(sink));
      if (isOptional && proceedState !== null) first.addProceed(proceedState, proceed);
      return first;
    });
  }

  /** A repeating group: each pass ends in a dummy state that PROCEEDs back to the group's first state. */
  private createLoopingGroupPatternState(group: CepStageSpec, sink: State<E>): State<E> {
    const proceed = this.trueCondition();
    const dummy = this.createStageState('normal', true);
    return this.insideGroup(group, () => {
      const first = this.convertPattern(this.createMiddleStates(dummy));
      first.addProceed(sink, proceed);
      dummy.addProceed(first, proceed);
      return first;
    });
  }

  private createLooping(sink: State<E>): State<E> {
    const stage = this.stage;
    if (stage.group !== undefined) return this.createLoopingGroupPatternState(stage, sink);
    const until = this.untilCondition(stage);
    const ignore = this.extendWithUntil(this.innerIgnoreCondition(stage), until, false);
    const take = this.extendWithUntil(this.takeCondition(stage), until, true)!;
    const proceed = this.trueCondition();
    const looping = this.createStageState('normal', true);
    if (stage.greedy) {
      if (until !== null) {
        const sinkCopy = this.copy(sink);
        looping.addProceed(sinkCopy, and(proceed, until));
        this.originalStateMap.set(sink.name, sinkCopy);
      }
      looping.addProceed(sink, until !== null ? and(proceed, not(until)) : proceed);
      this.updateWithGreedyCondition(sink, this.takeCondition(stage));
    } else {
      looping.addProceed(sink, proceed);
    }
    looping.addTake(looping, take);
    this.addStopStateToLooping(looping);
    if (ignore !== null) {
      const ignoreState = this.createStageState('normal', false);
      ignoreState.addTake(looping, take);
      ignoreState.addIgnore(ignoreState, ignore);
      looping.addIgnore(ignoreState, ignore);
      this.addStopStateToLooping(ignoreState);
    }
    return looping;
  }

  /** Greedy: the following stage may only use events this stage cannot take. */
  private updateWithGreedyCondition(state: State<E>, take: Condition<E>): void {
    for (const t of state.transitions) t.condition = and(t.condition, not(take));
  }
}
