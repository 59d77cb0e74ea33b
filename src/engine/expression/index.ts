/**
 * CEL expressions for pipeline specs (filters, conditions, keys, computed fields), compiled once
 * into JavaScript closures. No user text is ever run as JavaScript: there is no eval and no
 * new Function, only a walk over the parsed AST. See docs/expressions.md for the language.
 */
import type { Fields } from '../operator.js';
import { Compilation } from './compile.js';
import { ExpressionSite } from './errors.js';
import type { Bindings } from './node.js';
import { parseExpression } from './parse.js';
import { typeName } from './values.js';

export type { Bindings } from './node.js';
export { EvaluationError, ExpressionSyntaxError } from './errors.js';

export interface CompileOptions {
  /** Where the expression sits in the spec, for messages: e.g. "steps.trending.where". */
  readonly where: string;
  /** Identifiers resolved through the Bindings function instead of the event (stage names, aggregate names, `key`, `window`). */
  readonly bindings?: readonly string[];
}

export interface CompiledExpression {
  readonly source: string;
  /** Top-level event fields the expression reads (so the reader can decode only those). */
  readonly fields: ReadonlySet<string>;
  /** True when the expression reads `event` (the whole record). */
  readonly wholeEvent: boolean;
  /** True when the expression reads one of its bindings (CompileOptions.bindings). */
  readonly readsBindings: boolean;
  /** Throws EvaluationError on a missing field, a type error or no matching overload. */
  evaluate(event: Fields, bindings?: Bindings): unknown;
}

export type CompiledCondition = CompiledExpression & { test(event: Fields, bindings?: Bindings): boolean };

export function compileExpression(source: string, options: CompileOptions): CompiledExpression {
  const { compilation, root } = compileRoot(source, options);
  return { source, fields: compilation.fields, wholeEvent: compilation.wholeEvent, readsBindings: compilation.readsBindings, evaluate: root.run };
}

/** Like compileExpression, but evaluate returns boolean: a non-boolean result is an EvaluationError. */
export function compileCondition(source: string, options: CompileOptions): CompiledCondition {
  const { compilation, root } = compileRoot(source, options);
  if (root.type !== 'bool' && root.type !== 'dyn') {
    throw compilation.syntax(`a condition must be true or false, but this gives a ${root.type}; compare it, e.g. ${source} > 0`, 0);
  }
  const fail = compilation.failAt(0);
  const run = root.run;
  const test =
    root.type === 'bool'
      ? (run as (event: Fields, bindings?: Bindings) => boolean)
      : (event: Fields, bindings?: Bindings): boolean => {
          const value = run(event, bindings);
          return typeof value === 'boolean' ? value : fail(`a condition must be true or false, got ${typeName(value)} ${JSON.stringify(value)}`);
        };
  return { source, fields: compilation.fields, wholeEvent: compilation.wholeEvent, readsBindings: compilation.readsBindings, evaluate: test, test };
}

function compileRoot(source: string, options: CompileOptions) {
  const site = new ExpressionSite(options.where, source);
  const compilation = new Compilation(site, new Set(options.bindings ?? []));
  const root = compilation.node(parseExpression(site));
  return { compilation, root };
}
