/**
 * A compiled expression is a tree of closures, one per AST node, built once per spec. Each closure
 * takes the record and the bindings and returns the node's value or throws EvaluationError.
 */
import type { Fields } from '../operator.js';
import { typeName } from './values.js';

export type Bindings = (name: string) => unknown;

export type Closure = (event: Fields, bindings: Bindings | undefined) => unknown;

/** What is known at compile time about a node's value; `dyn` when it depends on the record. */
export type StaticType = 'null' | 'bool' | 'number' | 'string' | 'list' | 'map' | 'dyn';

export interface Node {
  readonly run: Closure;
  readonly type: StaticType;
  /** Present when the value is known at compile time (a literal or a folded subtree). */
  readonly constant?: { readonly value: unknown };
  /**
   * Set when the node is a plain read of this top-level event field. Operators use it to build a
   * closure that reads the field inline instead of calling the field's closure.
   */
  readonly field?: string;
}

/** Throws an EvaluationError naming the expression and the node's column. */
export type Fail = (what: string) => never;

/** The static type of a literal or folded value (always a JSON value, so never `dyn`). */
export function staticTypeOf(value: unknown): StaticType {
  return typeName(value) as StaticType;
}
