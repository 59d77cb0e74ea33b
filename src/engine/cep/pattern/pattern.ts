/**
 * The TypeScript Pattern API, in Flink's vocabulary:
 *
 *   Pattern.begin('start').where("eventType == 'content.watched'")
 *     .next('more').where("eventType == 'content.watched'").times(3)
 *     .within('2h')
 *
 * It builds the same PatternSpec the YAML loader produces (conditions as CEL text), so both compile
 * to the same NFA. The condition type is a parameter: tests build patterns over TypeScript
 * functions (`Pattern.begin<Cond>('a').where((e) => e.name === 'a')`) and compile them with
 * `functionConditions`. As in Flink, where() ANDs with the stage's condition and or() ORs.
 *
 * Beyond the YAML keys (builder-only, see docs/patterns.md): group patterns
 * (`.followedBy(Pattern.begin('a')...).oneOrMore()`, Flink's GroupPattern), within between
 * consecutive events (`within('5s', 'previousAndCurrent')`, Flink's WithinType) and quantifier
 * windows (`times(3, undefined, '5s')`, `oneOrMore('5s')`).
 */
import type { Contiguity, Quantifier, SkipStrategy } from '../../spec.js';
import { MalformedPatternError, type CepPatternSpec, type CepStageSpec, type StageConditions } from '../nfa/compiler.js';
import type { StageCondition } from '../nfa/state.js';

/** A stage condition as written: leaves joined by where() (and) and or() (or). */
export type ConditionTree<C> =
  | { readonly kind: 'leaf'; readonly value: C }
  | { readonly kind: 'and' | 'or'; readonly left: ConditionTree<C>; readonly right: ConditionTree<C> };

interface StageDraft<C> {
  readonly name: string;
  readonly contiguity?: Contiguity;
  readonly where: ConditionTree<C> | null;
  readonly until: ConditionTree<C> | null;
  readonly quantifier: Quantifier;
  readonly optional: boolean;
  readonly greedy: boolean;
  readonly consecutive: boolean;
  readonly allowCombinations: boolean;
  /** within(d, 'previousAndCurrent') on this stage, ms. */
  readonly withinPrevious?: number;
  /** The quantifier's window between consecutive events of the loop, ms. */
  readonly loopWithin?: number;
  /** A group pattern: the nested pattern. */
  readonly group?: Pattern<C>;
}

/** Flink's WithinType. */
export type WithinType = 'firstAndLast' | 'previousAndCurrent';

/** A duration as `within` takes it: ms, or text such as 500ms, 5s, 15m, 2h, 7d. */
export type Duration = number | string;

/** Per stage (or group, by its spec name): its where / until trees (null when absent). */
export type ConditionTrees<C> = ReadonlyMap<string, { readonly where: ConditionTree<C> | null; readonly until: ConditionTree<C> | null }>;

/** Flink's name for a group pattern (GroupPattern's constructor). */
const GROUP = 'GroupPattern';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(value: Duration): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new MalformedPatternError(`within(${value}): a duration is a number of ms ≥ 0 or text such as 5s`);
    return value;
  }
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new MalformedPatternError(`within('${value}'): write a duration such as 500ms, 5s, 15m, 2h or 7d`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

export class Pattern<C = string> {
  private constructor(
    private readonly drafts: readonly StageDraft<C>[],
    private readonly skipStrategy: SkipStrategy,
    private readonly windowMs: number | undefined,
  ) {}

  /**
   * The first stage, or a group pattern as the first stage (Flink's Pattern.begin(Pattern));
   * `skip` is the after-match skip strategy (default noSkip).
   */
  static begin<C = string>(name: string | Pattern<C>, skip: SkipStrategy = { kind: 'noSkip' }): Pattern<C> {
    return new Pattern<C>([Pattern.draft<C>(name)], skip, undefined);
  }

  private static draft<C>(stage: string | Pattern<C>, contiguity?: Contiguity): StageDraft<C> {
    return {
      name: typeof stage === 'string' ? stage : GROUP,
      ...(typeof stage === 'string' ? {} : { group: stage }),
      ...(contiguity === undefined ? {} : { contiguity }),
      where: null,
      until: null,
      quantifier: { kind: 'single' },
      optional: false,
      greedy: false,
      consecutive: false,
      allowCombinations: false,
    };
  }

  private get last(): StageDraft<C> {
    return this.drafts[this.drafts.length - 1]!;
  }

  private withLast(change: Partial<StageDraft<C>>): Pattern<C> {
    const drafts = this.drafts.slice(0, -1);
    drafts.push({ ...this.last, ...change });
    return new Pattern(drafts, this.skipStrategy, this.windowMs);
  }

  private append(stage: string | Pattern<C>, contiguity: Contiguity): Pattern<C> {
    return new Pattern([...this.drafts, Pattern.draft<C>(stage, contiguity)], this.skipStrategy, this.windowMs);
  }

  private checkNotGroup(clause: string): void {
    if (this.last.group !== undefined) throw new MalformedPatternError(`a group pattern does not support ${clause}; put it on the group's stages`);
  }

  private get isNegated(): boolean {
    return this.last.contiguity === 'notNext' || this.last.contiguity === 'notFollowedBy';
  }

  private checkNotNegated(option: string): void {
    if (this.isNegated) throw new MalformedPatternError(`stage ${this.last.name}: ${option} is not applicable to a ${this.last.contiguity} stage`);
  }

  private checkNoQuantifier(): void {
    if (this.last.quantifier.kind !== 'single') throw new MalformedPatternError(`stage ${this.last.name}: a quantifier is already applied`);
  }

  // ---- conditions ----
  where(condition: C): Pattern<C> {
    this.checkNotGroup('where');
    const leaf: ConditionTree<C> = { kind: 'leaf', value: condition };
    return this.withLast({ where: this.last.where === null ? leaf : { kind: 'and', left: this.last.where, right: leaf } });
  }
  or(condition: C): Pattern<C> {
    this.checkNotGroup('or');
    const leaf: ConditionTree<C> = { kind: 'leaf', value: condition };
    return this.withLast({ where: this.last.where === null ? leaf : { kind: 'or', left: this.last.where, right: leaf } });
  }
  /** Stop condition of a looping stage: the loop accepts no event from the one it holds for. */
  until(condition: C): Pattern<C> {
    this.checkNotNegated('until');
    if (this.last.quantifier.kind !== 'looping') throw new MalformedPatternError(`stage ${this.last.name}: until applies only to looping stages (oneOrMore, timesOrMore)`);
    if (this.last.until !== null) throw new MalformedPatternError(`stage ${this.last.name}: only one until condition can be applied; join the conditions with ||`);
    return this.withLast({ until: { kind: 'leaf', value: condition } });
  }

  // ---- contiguity (a Pattern argument makes a group pattern, as Flink's next(Pattern) ...) ----
  next(stage: string | Pattern<C>): Pattern<C> {
    return this.append(stage, 'next');
  }
  followedBy(stage: string | Pattern<C>): Pattern<C> {
    return this.append(stage, 'followedBy');
  }
  followedByAny(stage: string | Pattern<C>): Pattern<C> {
    return this.append(stage, 'followedByAny');
  }
  notNext(name: string): Pattern<C> {
    this.checkNotOptionalBeforeNot();
    return this.append(name, 'notNext');
  }
  notFollowedBy(name: string): Pattern<C> {
    this.checkNotOptionalBeforeNot();
    return this.append(name, 'notFollowedBy');
  }
  private checkNotOptionalBeforeNot(): void {
    if (this.last.optional)
      throw new MalformedPatternError(`stage ${this.last.name}: a pattern with an optional path to a NOT condition is not supported; write two patterns, one with and one without the optional stage`);
  }

  // ---- quantifiers ----
  // `window`: the longest time between consecutive events of the loop (Flink's times(n, Duration)).
  oneOrMore(window?: Duration): Pattern<C> {
    return this.timesOrMore(1, window);
  }
  timesOrMore(times: number, window?: Duration): Pattern<C> {
    this.checkNotNegated('timesOrMore');
    this.checkNoQuantifier();
    if (!Number.isInteger(times) || times < 1) throw new MalformedPatternError(`stage ${this.last.name}: timesOrMore(${times}) needs a whole number ≥ 1`);
    return this.withLast({ quantifier: { kind: 'looping', atLeast: times }, ...Pattern.loopWindow(window) });
  }
  /** times(n), times(from, to), times(n, '5s') or times(from, to, '5s'). */
  times(from: number, to?: number | string, window?: Duration): Pattern<C> {
    this.checkNotNegated('times');
    this.checkNoQuantifier();
    if (typeof to === 'string') return this.times(from, from, to);
    const upTo = to ?? from;
    // Flink's Times.of preconditions.
    if (!Number.isInteger(from) || !Number.isInteger(upTo) || from < 0 || upTo < from || upTo === 0)
      throw new MalformedPatternError(`stage ${this.last.name}: times(${from}, ${upTo}) needs whole numbers with 0 ≤ from ≤ to and to ≥ 1`);
    if (from === 0) return this.withLast({ quantifier: { kind: 'times', from: 1, to: upTo }, optional: true, ...Pattern.loopWindow(window) });
    return this.withLast({ quantifier: { kind: 'times', from, to: upTo }, ...Pattern.loopWindow(window) });
  }
  private static loopWindow(window: Duration | undefined): { loopWithin?: number } {
    const ms = window === undefined ? 0 : durationMs(window);
    return ms === 0 ? {} : { loopWithin: ms };
  }
  optional(): Pattern<C> {
    this.checkNotNegated('optional');
    return this.withLast({ optional: true });
  }
  greedy(): Pattern<C> {
    this.checkNotNegated('greedy');
    this.checkNotGroup('greedy');
    if (this.last.quantifier.kind === 'single') throw new MalformedPatternError(`stage ${this.last.name}: greedy applies only to quantified stages`);
    if (this.last.contiguity === 'followedByAny') throw new MalformedPatternError(`stage ${this.last.name}: greedy is not applicable to a followedByAny stage`);
    return this.withLast({ greedy: true });
  }
  /** Strict contiguity between a loop's events. */
  consecutive(): Pattern<C> {
    if (this.last.quantifier.kind === 'single') throw new MalformedPatternError(`stage ${this.last.name}: consecutive applies only to quantified stages`);
    if (this.last.allowCombinations) throw new MalformedPatternError(`stage ${this.last.name}: choose either consecutive or allowCombinations, not both`);
    return this.withLast({ consecutive: true });
  }
  /** Non-deterministic relaxed contiguity between a loop's events. */
  allowCombinations(): Pattern<C> {
    if (this.last.quantifier.kind === 'single') throw new MalformedPatternError(`stage ${this.last.name}: allowCombinations applies only to quantified stages`);
    if (this.last.consecutive) throw new MalformedPatternError(`stage ${this.last.name}: choose either consecutive or allowCombinations, not both`);
    return this.withLast({ allowCombinations: true });
  }

  /**
   * firstAndLast (default): the whole match must fit in this time from its first event (ms, or
   * "2h"); Flink keeps the smallest. previousAndCurrent: this stage's event must come within this
   * time of the previous accepted event (Flink's WithinType.PREVIOUS_AND_CURRENT).
   */
  within(duration: Duration, type: WithinType = 'firstAndLast'): Pattern<C> {
    const ms = durationMs(duration);
    // A zero window is none, as in Flink (it keeps the entry, but a 0 window never times out).
    if (type === 'previousAndCurrent') return this.withLast(ms === 0 ? { withinPrevious: undefined } : { withinPrevious: ms });
    return new Pattern(this.drafts, this.skipStrategy, this.windowMs === undefined ? ms : Math.min(ms, this.windowMs));
  }

  /** The normalized spec; `text` renders a condition (CEL source for string patterns). */
  toSpec(text: (condition: C) => string = String): CepPatternSpec {
    const render = (tree: ConditionTree<C>): string =>
      tree.kind === 'leaf' ? text(tree.value) : `(${render(tree.left)}) ${tree.kind === 'and' ? '&&' : '||'} (${render(tree.right)})`;
    const stages = this.walk((d, name, group): CepStageSpec => ({
      name,
      ...(d.contiguity === undefined ? {} : { contiguity: d.contiguity }),
      ...(d.where === null ? {} : { where: render(d.where) }),
      quantifier: d.quantifier,
      optional: d.optional,
      greedy: d.greedy,
      consecutive: d.consecutive,
      allowCombinations: d.allowCombinations,
      ...(d.until === null ? {} : { until: render(d.until) }),
      ...(d.withinPrevious === undefined ? {} : { withinPrevious: d.withinPrevious }),
      ...(d.loopWithin === undefined ? {} : { loopWithin: d.loopWithin }),
      ...(group === undefined ? {} : { group }),
    }));
    // As Flink, the smallest window wins, and a zero window means none (within(0) switches it off).
    const windowMs = this.smallestWindow();
    return { ...(windowMs === undefined || windowMs === 0 ? {} : { within: windowMs }), skip: this.skipStrategy, stages };
  }

  /** Per stage, and per group by its spec name: its where / until trees (null when absent). */
  conditionTrees(): ConditionTrees<C> {
    const trees = new Map<string, { where: ConditionTree<C> | null; until: ConditionTree<C> | null }>();
    this.walk((d, name) => trees.set(name, { where: d.where, until: d.until }));
    return trees;
  }

  /**
   * Visits the stages depth-first, groups after their stages, naming groups GroupPattern,
   * GroupPattern#2, ... in that order (Flink names them all GroupPattern; the suffix keeps each
   * group's `until` apart).
   */
  private walk<T>(visit: (draft: StageDraft<C>, name: string, group: T[] | undefined) => T, counter = { groups: 0 }): T[] {
    return this.drafts.map((d) => {
      if (d.group === undefined) return visit(d, d.name, undefined);
      const inner = d.group.walk(visit, counter);
      counter.groups++;
      return visit(d, counter.groups === 1 ? GROUP : `${GROUP}#${counter.groups}`, inner);
    });
  }

  /** Flink keeps the smallest first-to-last window, the group patterns' included. */
  private smallestWindow(): number | undefined {
    let smallest = this.windowMs;
    for (const d of this.drafts) {
      const inner = d.group?.smallestWindow();
      if (inner !== undefined && (smallest === undefined || inner < smallest)) smallest = inner;
    }
    return smallest;
  }
}

/** Compiles a pattern built over functions into the NFA's per-stage conditions. */
export function functionConditions<E>(pattern: Pattern<StageCondition<E>>): Map<string, StageConditions<E>> {
  const compile = (tree: ConditionTree<StageCondition<E>> | null): StageCondition<E> | null => {
    if (tree === null) return null;
    if (tree.kind === 'leaf') return tree.value;
    const left = compile(tree.left)!;
    const right = compile(tree.right)!;
    return tree.kind === 'and' ? (e, s) => left(e, s) && right(e, s) : (e, s) => left(e, s) || right(e, s);
  };
  const result = new Map<string, StageConditions<E>>();
  for (const [stage, trees] of pattern.conditionTrees()) result.set(stage, { where: compile(trees.where), until: compile(trees.until) });
  return result;
}
