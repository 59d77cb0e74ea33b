/**
 * The compiled NFA graph, as Flink's State / StateTransition: states named after their stage
 * (`more`, `more:0`, ... for the copies a quantifier needs), each with TAKE / IGNORE / PROCEED
 * edges guarded by a condition tree. The compiler builds it once; it is immutable afterwards and
 * shared by the NFA runs of every key.
 */

/** Stage name → events already accepted into that stage of the current partial match. */
export type StageEventsOf<E> = (stage: string) => readonly E[];

/** A stage's compiled `where` or `until`: the current event and the partial match so far. */
export type StageCondition<E> = (event: E, stages: StageEventsOf<E>) => boolean;

/** Edge guards: a stage's `where` / `until`, combined as Flink's NFACompiler combines them. */
export type Condition<E> =
  | { readonly kind: 'true' }
  | { readonly kind: 'where'; readonly stage: string; readonly test: StageCondition<E> }
  | { readonly kind: 'until'; readonly stage: string; readonly test: StageCondition<E> }
  | { readonly kind: 'not'; readonly of: Condition<E> }
  | { readonly kind: 'and'; readonly left: Condition<E>; readonly right: Condition<E> };

export const TRUE = { kind: 'true' } as const;

export function not<E>(of: Condition<E>): Condition<E> {
  return { kind: 'not', of };
}

export function and<E>(left: Condition<E>, right: Condition<E>): Condition<E> {
  return { kind: 'and', left, right };
}

/** Readable form for `sw pattern explain`: `more.where && !more.until`. */
export function describeCondition(condition: Condition<unknown>): string {
  switch (condition.kind) {
    case 'true':
      return 'true';
    case 'where':
      return `${condition.stage}.where`;
    case 'until':
      return `${condition.stage}.until`;
    case 'not': {
      const inner = describeCondition(condition.of);
      return condition.of.kind === 'and' ? `!(${inner})` : `!${inner}`;
    }
    case 'and':
      if (condition.left.kind === 'true') return describeCondition(condition.right);
      if (condition.right.kind === 'true') return describeCondition(condition.left);
      return `${describeCondition(condition.left)} && ${describeCondition(condition.right)}`;
  }
}

export type StateKind = 'start' | 'normal' | 'final' | 'stop' | 'pending';
export type Action = 'take' | 'ignore' | 'proceed';

export interface StateTransition<E> {
  readonly action: Action;
  readonly source: State<E>;
  readonly target: State<E>;
  /** Mutable only while compiling (greedy quantifiers narrow the following stage's edges). */
  condition: Condition<E>;
}

export class State<E> {
  readonly transitions: StateTransition<E>[] = [];
  /**
   * Flink's windowTimes entry for this state (WithinType.PREVIOUS_AND_CURRENT, or a quantifier's
   * window): a partial match here times out this many ms after its previous event; 0 = none.
   */
  previousWindow = 0;

  constructor(
    /** Unique internal name: the stage name, then `stage:0`, `stage:1`, ... for copies. */
    readonly name: string,
    /** The stage (pattern name) this state belongs to: the page its events are stored under. */
    readonly stage: string,
    public kind: StateKind,
  ) {}

  get isStart(): boolean {
    return this.kind === 'start';
  }
  get isFinal(): boolean {
    return this.kind === 'final';
  }
  get isStop(): boolean {
    return this.kind === 'stop';
  }
  get isPending(): boolean {
    return this.kind === 'pending';
  }

  add(action: Action, target: State<E>, condition: Condition<E>): void {
    this.transitions.push({ action, source: this, target, condition });
  }
  addTake(target: State<E>, condition: Condition<E>): void {
    this.add('take', target, condition);
  }
  addIgnore(target: State<E>, condition: Condition<E>): void {
    this.add('ignore', target, condition);
  }
  addProceed(target: State<E>, condition: Condition<E>): void {
    this.add('proceed', target, condition);
  }
}
