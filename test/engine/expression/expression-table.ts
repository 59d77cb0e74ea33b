/**
 * The table format the expression tests share: each case is a source, an optional event and
 * bindings, and either the value it gives or the error it raises (a RegExp on the message).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvaluationError, ExpressionSyntaxError, compileExpression } from '../../../src/engine/expression/index.js';

export interface ExpressionCase {
  readonly source: string;
  readonly event?: Record<string, unknown>;
  readonly bindings?: Record<string, unknown>;
  /** The expected value (compared with deepStrictEqual). */
  readonly value?: unknown;
  /** An EvaluationError for this event whose message matches. */
  readonly evaluationError?: RegExp;
  /** A compile-time ExpressionSyntaxError whose message matches. */
  readonly syntaxError?: RegExp;
}

export const WHERE = 'steps.test.where';

export function evaluateCase(c: ExpressionCase): unknown {
  const bindings = c.bindings;
  const compiled = compileExpression(c.source, { where: WHERE, bindings: bindings ? Object.keys(bindings) : [] });
  return compiled.evaluate(c.event ?? {}, bindings ? (name) => bindings[name] : undefined);
}

export function expressionTable(group: string, cases: readonly ExpressionCase[]): void {
  for (const c of cases) {
    const expectation =
      c.syntaxError !== undefined ? `syntax error ${c.syntaxError}` : c.evaluationError !== undefined ? `error ${c.evaluationError}` : `→ ${JSON.stringify(c.value)}`;
    test(`${group}: ${c.source} ${expectation}`, () => {
      if (c.syntaxError !== undefined) {
        assert.throws(() => evaluateCase(c), (error: unknown) => error instanceof ExpressionSyntaxError && c.syntaxError!.test(error.message));
      } else if (c.evaluationError !== undefined) {
        assert.throws(() => evaluateCase(c), (error: unknown) => error instanceof EvaluationError && c.evaluationError!.test(error.message));
      } else {
        assert.ok('value' in c, 'a case states its value or its error');
        assert.deepStrictEqual(evaluateCase(c), c.value);
      }
    });
  }
}
