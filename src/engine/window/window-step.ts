/**
 * What the window operator receives: a window step with its CEL expressions already compiled to
 * functions (the operator never compiles or runs user code itself).
 */
import type { Fields } from '../operator.js';
import type { WindowSpec, AggregateFunction } from '../spec.js';

export type Scope = (name: string) => unknown;

export interface WindowStep {
  readonly name: string;
  readonly window: WindowSpec;
  readonly allowedLateness: number;
  readonly lateOutput: boolean;
  /** null = every record passes. Any throw counts an expression error and the record does not pass. */
  readonly filter: ((fields: Fields) => boolean) | null;
  /** The output key value: string/number, an array for several key fields, null when not keyed. A throw drops the record from this step (counted as exprErrors). */
  readonly key: (fields: Fields) => unknown;
  /** The top-level field `key` returns as it is, when the step is keyed by one such field (key hints, see WindowOperator.useKeyHints). */
  readonly keyField?: string;
  readonly aggregates: readonly { readonly name: string; readonly fn: AggregateFunction; readonly arg: ((fields: Fields) => unknown) | null; readonly quantile?: number }[];
  /** Computed fields, in order; the scope resolves aggregate names, earlier select names, `key` and `window` ({start, end}). A throw → the field is null and exprErrors counts it. */
  readonly select: readonly { readonly name: string; readonly evaluate: (scope: Scope) => unknown }[];
  /** null = every result is emitted; a throw or false suppresses it. */
  readonly having: ((scope: Scope) => boolean) | null;
}

export { WindowOperator } from './window-operator.js';
