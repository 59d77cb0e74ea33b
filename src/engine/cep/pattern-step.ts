/**
 * A pattern step as the operator receives it: the normalized PatternSpec plus its expressions
 * already compiled (the pipeline compiler turns CEL into these functions; tests pass plain
 * TypeScript functions). The operator itself never compiles CEL.
 */
import type { Fields } from '../operator.js';
import type { PatternSpec } from '../spec.js';

/** Stage name → the events already accepted into that stage of the current partial match (original records). */
export type StageEvents = (stage: string) => readonly Record<string, unknown>[];

export interface PatternStep {
  readonly name: string;
  readonly pattern: PatternSpec;
  readonly emitTimeouts: boolean;
  readonly lateOutput: boolean;
  /** The step's `where`; a throw is an expression error and the record is not taken. */
  readonly filter: ((fields: Fields) => boolean) | null;
  /** Output key value; null when not keyed. */
  readonly key: (fields: Fields) => unknown;
  /** The top-level field `key` reads, when the step is keyed by one such field (key hints: PatternOperator.useKeyHints). */
  readonly keyField?: string;
  /**
   * Per stage name: its compiled `where` and `until` (null when absent), called with the CURRENT
   * event's original record and the partial match's accepted events (iterative conditions). A throw
   * counts as an expression error and the condition is false.
   */
  readonly conditions: ReadonlyMap<
    string,
    {
      readonly where: ((event: Record<string, unknown>, stages: StageEvents) => boolean) | null;
      readonly until: ((event: Record<string, unknown>, stages: StageEvents) => boolean) | null;
    }
  >;
  /**
   * True when the stage conditions read nothing but the current event's fields the pipeline
   * decodes (no stage's accepted events, no whole `event`): the operator may then keep a record as
   * those fields (RecordContext.retain) and decode it whole only when it is output. Absent: false.
   */
  readonly conditionsReadFieldsOnly?: boolean;
  /**
   * Whether some stage condition reads the partial match's accepted events (iterative conditions):
   * the pipeline compiler knows it for CEL. Absent: taken as true (a function's arity cannot tell:
   * rest and default parameters, `arguments`). Only a pattern with `false` may run on the linear
   * matcher.
   */
  readonly conditionsReadStages?: boolean;
  /** Computed output fields over the match: the scope resolves each stage name to its list of events. */
  readonly select: readonly { readonly name: string; readonly evaluate: (scope: (name: string) => unknown) => unknown }[];
}

export { PatternOperator } from './pattern-operator.js';
