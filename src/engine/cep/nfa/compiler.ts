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
 */
import type { Contiguity, PatternSpec, SkipStrategy, StageSpec } from '../../spec.js';
import { and, not, State, TRUE, type Condition, type StageCondition, type StateKind } from './state.js';

export const ENDING_STATE_NAME = '$endState$';

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
  /** Stage names in pattern order. */
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

/** Checks Flink's Pattern API enforces while the pattern is built. */
export function validatePattern(spec: PatternSpec): void {
  const { stages } = spec;
  if (stages.length === 0) throw new MalformedPatternError('pattern.stages is empty: add at least one stage');
  const names = new Set<string>();
  stages.forEach((stage, i) => {
    const at = `pattern.stages[${i}] (${stage.name})`;
    if (stage.name === ENDING_STATE_NAME) throw new MalformedPatternError(`${at}: the name ${ENDING_STATE_NAME} is reserved; rename the stage`);
    if (names.has(stage.name)) throw new MalformedPatternError(`${at}: duplicate stage name; give every stage a unique name`);
    names.add(stage.name);
    const negated = stage.contiguity === 'notNext' || stage.contiguity === 'notFollowedBy';
    if (i === 0 && stage.contiguity !== undefined) throw new MalformedPatternError(`${at}: the first stage has no contiguity; remove "contiguity: ${stage.contiguity}"`);
    if (negated) {
      if (stage.quantifier.kind !== 'single' || stage.optional || stage.greedy || stage.until !== undefined || stage.consecutive || stage.allowCombinations)
        throw new MalformedPatternError(`${at}: ${stage.contiguity} stages take no quantifier, optional, greedy, until, consecutive or allowCombinations; remove them`);
      const previous = stages[i - 1]!;
      if (previous.optional || (previous.quantifier.kind === 'times' && previous.quantifier.from === 0))
        throw new MalformedPatternError(`${at}: a ${stage.contiguity} stage cannot follow an optional stage (${previous.name}); write two patterns, one with and one without the optional stage`);
    }
    if (i > 0 && stages[i - 1]!.greedy && (stage.optional || (stage.quantifier.kind === 'times' && stage.quantifier.from === 0)))
      throw new MalformedPatternError(`${at}: an optional stage cannot follow a greedy stage (${stages[i - 1]!.name}); drop greedy there or optional here`);
    const q = stage.quantifier;
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
  });
  const last = stages[stages.length - 1]!;
  if (last.contiguity === 'notFollowedBy' && !(spec.within !== undefined && spec.within > 0))
    throw new MalformedPatternError(`pattern.stages[${stages.length - 1}] (${last.name}): notFollowedBy as the last stage needs pattern.within (the match completes when within expires)`);
  if (spec.within !== undefined && !(spec.within > 0)) throw new MalformedPatternError(`pattern.within must be a positive duration; got ${spec.within}`);
  const skip = spec.skip;
  if ((skip.kind === 'skipToFirst' || skip.kind === 'skipToLast') && !names.has(skip.stage))
    throw new MalformedPatternError(`pattern.skip: ${skip.kind}:${skip.stage} names no stage; use one of ${[...names].join(', ')}`);
}

export function compilePattern<E>(spec: PatternSpec, conditions: ReadonlyMap<string, StageConditions<E>>): CompiledPattern<E> {
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
  private readonly stages: readonly StageSpec[];
  private readonly windowTime: number;
  private current: number;
  private following: number | null = null;

  constructor(
    private readonly spec: PatternSpec,
    private readonly conditions: ReadonlyMap<string, StageConditions<E>>,
  ) {
    this.stages = spec.stages;
    this.windowTime = spec.within ?? 0;
    this.current = this.stages.length - 1;
  }

  compile(): CompiledPattern<E> {
    let sink = this.createState(ENDING_STATE_NAME, ENDING_STATE_NAME, 'final');
    sink = this.createMiddleStates(sink);
    const start = this.convertPattern(sink);
    start.kind = 'start';
    return { states: this.states, start, windowTime: this.windowTime, skip: this.spec.skip, stages: this.stages.map((s) => s.name) };
  }

  // ---- stage properties (Flink's Quantifier) ----

  private get stage(): StageSpec {
    return this.stages[this.current]!;
  }
  private isLooping(s: StageSpec): boolean {
    return s.quantifier.kind === 'looping';
  }
  private isOptional(s: StageSpec): boolean {
    return s.optional || (s.quantifier.kind === 'times' && s.quantifier.from === 0);
  }
  private times(s: StageSpec): { from: number; to: number } {
    const q = s.quantifier;
    if (q.kind === 'times') return { from: Math.max(1, q.from), to: q.to };
    if (q.kind === 'looping') return { from: q.atLeast, to: q.atLeast };
    return { from: 1, to: 1 };
  }
  private takeCondition(s: StageSpec): Condition<E> {
    const where = this.conditions.get(s.name)?.where ?? null;
    return where === null ? TRUE : { kind: 'where', stage: s.name, test: where };
  }
  private untilCondition(s: StageSpec): Condition<E> | null {
    const until = this.conditions.get(s.name)?.until ?? null;
    return until === null ? null : { kind: 'until', stage: s.name, test: until };
  }
  private ignoreConditionFor(s: StageSpec, consuming: Consuming): Condition<E> | null {
    switch (consuming) {
      case 'strict':
        return null;
      case 'skipTillNext':
        return not(this.takeCondition(s));
      case 'skipTillAny':
        return TRUE;
      default:
        return null;
    }
  }
  private ignoreCondition(s: StageSpec): Condition<E> | null {
    return this.ignoreConditionFor(s, consumingOf(s.contiguity));
  }
  private innerIgnoreCondition(s: StageSpec): Condition<E> | null {
    return this.ignoreConditionFor(s, innerConsumingOf(s));
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

  private createStageState(kind: StateKind): State<E> {
    return this.createState(this.stage.name, this.stage.name, kind);
  }

  private createMiddleStates(sink: State<E>): State<E> {
    let lastSink = sink;
    while (this.current > 0) {
      const stage = this.stage;
      const consuming = consumingOf(stage.contiguity);
      if (consuming === 'notFollow') {
        // Mid-pattern notFollowedBy becomes Stop edges on its neighbours; as the last stage with
        // `within` it is a Pending state that ignores everything but the negated event.
        if (this.windowTime > 0 && lastSink.isFinal) {
          const notFollow = this.createStageState('pending');
          const notCondition = this.takeCondition(stage);
          const stop = this.createStopState(notCondition, stage.name);
          notFollow.addProceed(stop, notCondition);
          notFollow.addIgnore(notFollow, not(notCondition));
          lastSink = notFollow;
        }
      } else if (consuming === 'notNext') {
        const notNext = this.createStageState('normal');
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
      this.following = this.current;
      this.current--;
    }
    return lastSink;
  }

  private convertPattern(sink: State<E>): State<E> {
    const stage = this.stage;
    let lastSink: State<E>;
    if (this.isLooping(stage)) {
      const looping = this.createLooping(this.copyWithoutTransitiveNots(sink));
      lastSink = this.createTimesState(looping, sink, this.times(stage));
    } else if (stage.quantifier.kind === 'times') {
      lastSink = this.createTimesState(sink, sink, this.times(stage));
    } else {
      lastSink = this.createSingletonState(sink, sink, this.takeCondition(stage), this.ignoreCondition(stage), this.isOptional(stage));
    }
    this.addStopStates(lastSink);
    return lastSink;
  }

  /** notFollowedBy stages reachable backwards through optional stages: their Stop edges apply here. */
  private currentNotConditions(): NotCondition<E>[] {
    const result: NotCondition<E>[] = [];
    let previous = this.current;
    while (previous > 0) {
      const before = this.stages[previous - 1]!;
      const beforeIsNotFollow = before.contiguity === 'notFollowedBy';
      if (!(this.isOptional(before) || beforeIsNotFollow)) break;
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
    if (nots.length === 0 || !this.isOptional(this.stage)) return sink;
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
    if (this.following === null) return;
    const following = this.stages[this.following]!;
    if (following.contiguity !== 'notFollowedBy') return;
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
    return this.createSingletonState(lastSink, proceedState, take, this.ignoreCondition(stage), this.isOptional(stage));
  }

  private createSingletonState(
    sink: State<E>,
    proceedState: State<E> | null,
    take: Condition<E>,
    ignore: Condition<E> | null,
    isOptional: boolean,
  ): State<E> {
    const stage = this.stage;
    const singleton = this.createStageState('normal');
    // An accepted event voids the notFollowedBy stages before an optional stage.
    const target = this.copyWithoutTransitiveNots(sink);
    singleton.addTake(target, take);
    if (isOptional && proceedState !== null) {
      if (stage.greedy) {
        const until = this.untilCondition(stage);
        const original = this.originalStateMap.get(proceedState.name);
        if (until !== null && original !== undefined) singleton.addProceed(original, and(TRUE, until));
        singleton.addProceed(proceedState, until !== null ? and(TRUE, not(until)) : TRUE);
      } else {
        singleton.addProceed(proceedState, TRUE);
      }
    }
    if (ignore !== null) {
      let ignoreState: State<E>;
      if (isOptional) {
        // A twin without the PROCEED edge, so that each PROCEED branch is created only once.
        ignoreState = this.createStageState('normal');
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

  private createLooping(sink: State<E>): State<E> {
    const stage = this.stage;
    const until = this.untilCondition(stage);
    const ignore = this.extendWithUntil(this.innerIgnoreCondition(stage), until, false);
    const take = this.extendWithUntil(this.takeCondition(stage), until, true)!;
    const looping = this.createStageState('normal');
    if (stage.greedy) {
      if (until !== null) {
        const sinkCopy = this.copy(sink);
        looping.addProceed(sinkCopy, and(TRUE, until));
        this.originalStateMap.set(sink.name, sinkCopy);
      }
      looping.addProceed(sink, until !== null ? and(TRUE, not(until)) : TRUE);
      this.updateWithGreedyCondition(sink, this.takeCondition(stage));
    } else {
      looping.addProceed(sink, TRUE);
    }
    looping.addTake(looping, take);
    this.addStopStateToLooping(looping);
    if (ignore !== null) {
      const ignoreState = this.createStageState('normal');
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
