import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvaluationError, ExpressionSyntaxError, compileCondition } from '../../../src/engine/expression/index.js';

const where = 'steps.s.where';

test('compileCondition: test() and evaluate() give booleans', () => {
  const cases: ReadonlyArray<[source: string, event: Record<string, unknown>, expected: boolean]> = [
    ['price > 100', { price: 101 }, true],
    ['price > 100', { price: 100 }, false],
    ['flag', { flag: true }, true],
    ['flag', { flag: false }, false],
    ['has(price)', {}, false],
    ['true', {}, true],
    ['xs.exists(x, x == 2)', { xs: [1, 2] }, true],
    ['a ? b : c', { a: false, b: 1, c: true }, true],
  ];
  for (const [source, event, expected] of cases) {
    const condition = compileCondition(source, { where });
    assert.equal(condition.test(event), expected, source);
    assert.equal(condition.evaluate(event), expected, source);
  }
});

test('compileCondition: a result that is not a boolean is an evaluation error', () => {
  const cases: ReadonlyArray<[source: string, event: Record<string, unknown>, message: RegExp]> = [
    ['flag', { flag: 1 }, /a condition must be true or false, got number 1 at column 1 in "flag"/],
    ['name', { name: 'x' }, /got string "x"/],
    ['a ? b : c', { a: true, b: 'yes', c: false }, /got string "yes"/],
    ['missing', {}, /no such field 'missing'/],
  ];
  for (const [source, event, message] of cases) {
    const condition = compileCondition(source, { where });
    assert.throws(() => condition.test(event), (error: unknown) => error instanceof EvaluationError && message.test(error.message), source);
  }
});

test('compileCondition: an expression that can never be a boolean is rejected at compile time', () => {
  const cases: ReadonlyArray<[source: string, message: RegExp]> = [
    ['price + 1', /steps\.s\.where: a condition must be true or false, but this gives a number; compare it, e\.g\. price \+ 1 > 0 at column 1/],
    ["'yes'", /gives a string/],
    ['[true]', /gives a list/],
    ['xs.map(x, x)', /gives a list/],
    ['size(xs)', /gives a number/],
  ];
  for (const [source, message] of cases) {
    assert.throws(() => compileCondition(source, { where }), (error: unknown) => error instanceof ExpressionSyntaxError && message.test(error.message), source);
  }
});
