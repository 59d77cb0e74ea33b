/**
 * The validated, normalized pipeline: what the spec loader produces from YAML, JSON or a
 * TypeScript module, and what every operator, `sw export flink-sql` and `sw design` read.
 * Durations are milliseconds; expressions are CEL source text, compiled by the operators.
 */

export interface PipelineSpec {
  readonly name: string;
  readonly time: TimeSpec;
  /** Steps in declaration order; every step reads the input stream (fan-out). */
  readonly steps: readonly StepSpec[];
  /** File the spec came from, for error messages. */
  readonly source?: string;
}

export interface TimeSpec {
  /** Dotted path of the event-time field (epoch ms number or ISO-8601 string). */
  readonly field: string;
  readonly outOfOrderness: number;
  readonly idleTimeout?: number;
}

/** How a step partitions its input. */
export type KeySpec =
  | { readonly kind: 'none' }
  /** One or several dotted field paths; several give an array key. */
  | { readonly kind: 'fields'; readonly paths: readonly string[]; readonly composite: boolean }
  /** A CEL expression evaluated per record. */
  | { readonly kind: 'expr'; readonly expr: string };

export type StepSpec = WindowStepSpec | PatternStepSpec | ProcessStepSpec;

interface StepBase {
  readonly name: string;
  /** Optional CEL filter applied before the step. */
  readonly where?: string;
  readonly keyBy: KeySpec;
}

export type WindowSpec =
  | { readonly type: 'tumbling'; readonly size: number; readonly offset: number }
  | { readonly type: 'sliding'; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly type: 'session'; readonly gap: number };

export type AggregateFunction =
  | 'count'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count_distinct'
  | 'first'
  | 'last'
  | 'stddev'
  | 'percentile';

export interface AggregateSpec {
  /** Output field name. */
  readonly name: string;
  readonly fn: AggregateFunction;
  /** CEL expression of the aggregated value; absent for count(). */
  readonly arg?: string;
  /** percentile's quantile in [0, 1]. */
  readonly quantile?: number;
}

export interface ComputedField {
  readonly name: string;
  readonly expr: string;
}

export interface WindowStepSpec extends StepBase {
  readonly kind: 'window';
  readonly window: WindowSpec;
  readonly allowedLateness: number;
  readonly lateOutput: boolean;
  readonly aggregate: readonly AggregateSpec[];
  readonly select: readonly ComputedField[];
  readonly having?: string;
}

export type Contiguity = 'next' | 'followedBy' | 'followedByAny' | 'notNext' | 'notFollowedBy';

export type Quantifier =
  /** Exactly one event (no quantifier). */
  | { readonly kind: 'single' }
  /** times(from, to): a bounded loop; times(n) is from = to = n. */
  | { readonly kind: 'times'; readonly from: number; readonly to: number }
  /** oneOrMore (atLeast 1) or timesOrMore(n): an unbounded loop. */
  | { readonly kind: 'looping'; readonly atLeast: number };

export interface StageSpec {
  readonly name: string;
  /** How this stage follows the previous one; absent on the first stage. */
  readonly contiguity?: Contiguity;
  /** CEL condition; several alternatives (OR) are joined by the loader with `||`. */
  readonly where?: string;
  readonly quantifier: Quantifier;
  readonly optional: boolean;
  readonly greedy: boolean;
  /** Inside loops: strict contiguity between the loop's events (Flink's consecutive()). */
  readonly consecutive: boolean;
  /** Inside loops: relaxed non-deterministic contiguity (Flink's allowCombinations()). */
  readonly allowCombinations: boolean;
  /** Stop condition for looping stages. */
  readonly until?: string;
}

export type SkipStrategy =
  | { readonly kind: 'noSkip' }
  | { readonly kind: 'skipToNext' }
  | { readonly kind: 'skipPastLastEvent' }
  | { readonly kind: 'skipToFirst'; readonly stage: string }
  | { readonly kind: 'skipToLast'; readonly stage: string };

export interface PatternSpec {
  readonly within?: number;
  readonly skip: SkipStrategy;
  readonly stages: readonly StageSpec[];
}

export interface PatternStepSpec extends StepBase {
  readonly kind: 'pattern';
  readonly pattern: PatternSpec;
  readonly emitTimeouts: boolean;
  readonly lateOutput: boolean;
  readonly select: readonly ComputedField[];
}

/** A keyed process function from a TypeScript pipeline module (state and timers). */
export interface ProcessStepSpec extends StepBase {
  readonly kind: 'process';
  readonly lateOutput: boolean;
  readonly create: () => import('./process.js').ProcessFunction;
}
