import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvaluationError, ExpressionSyntaxError, compileExpression } from '../../../src/engine/expression/index.js';

const where = 'steps.trending.where';

function syntaxMessage(source: string): string {
  try {
    compileExpression(source, { where });
  } catch (error) {
    assert.ok(error instanceof ExpressionSyntaxError, `${source}: ${String(error)}`);
    return error.message;
  }
  assert.fail(`${source} compiled`);
}

test('syntax errors: one line, the spec place, the column, the source, and the fix when known', () => {
  const cases: ReadonlyArray<[source: string, message: string]> = [
    ['price = 100', 'steps.trending.where: a single = is not an operator; use == to compare at column 7 in "price = 100"'],
    ['price === 100', 'steps.trending.where: CEL has no === or !==; use == or != at column 7 in "price === 100"'],
    ['a <> b', 'steps.trending.where: <> is not an operator; use != for "not equal" at column 3 in "a <> b"'],
    ['a & b', 'steps.trending.where: a single & is not an operator; use && for "and" at column 3 in "a & b"'],
    ['a | b', 'steps.trending.where: a single | is not an operator; use || for "or" at column 3 in "a | b"'],
    ['a and b', 'steps.trending.where: use && for "and" at column 3 in "a and b"'],
    ['a or b', 'steps.trending.where: use || for "or" at column 3 in "a or b"'],
    ['not a', 'steps.trending.where: use ! for "not" at column 1 in "not a"'],
    ["eventType == 'click", 'steps.trending.where: unterminated string; close it with the quote that opened it at column 14 in "eventType == \'click"'],
    ['price >', 'steps.trending.where: the expression ends too early; complete the last operand at column 8 in "price >"'],
    ['(price > 1', 'steps.trending.where: Expected RPAREN, got EOF; close the parenthesis at column 11 in "(price > 1"'],
    ['[1, 2', 'steps.trending.where: Expected RBRACKET, got EOF; close the list with ] at column 6 in "[1, 2"'],
    ['a ? b', 'steps.trending.where: Expected COLON, got EOF; a conditional needs both branches: c ? a : b at column 6 in "a ? b"'],
    ['metadata.', 'steps.trending.where: Expected IDENTIFIER, got EOF; a field name must follow the dot at column 10 in "metadata."'],
    ['', 'steps.trending.where: the expression is empty; write one such as eventType == \'click\' at column 1 in ""'],
    ['   ', 'steps.trending.where: the expression is empty; write one such as eventType == \'click\' at column 1 in "   "'],
    ['1 +* 2', 'steps.trending.where: Unexpected token: MULTIPLY at column 4 in "1 +* 2"'],
    ['price $ 2', 'steps.trending.where: Unexpected character: $ at column 7 in "price $ 2"'],
    ["name == 'a = b' &&", 'steps.trending.where: the expression ends too early; complete the last operand at column 19 in "name == \'a = b\' &&"'],
    ['sizee(tags)', "steps.trending.where: unknown function 'sizee'; did you mean 'size'? at column 1 in \"sizee(tags)\""],
    ['xs.exist(x, x)', "steps.trending.where: unknown function 'exist'; did you mean 'exists'? at column 4 in \"xs.exist(x, x)\""],
    ['price.contains(1, 2)', "steps.trending.where: wrong number of arguments to contains(); write s.contains('text') at column 7 in \"price.contains(1, 2)\""],
  ];
  for (const [source, message] of cases) {
    const actual = syntaxMessage(source);
    assert.equal(actual, message, source);
    assert.ok(!actual.includes('\n'), `${source}: one line`);
  }
});

test('evaluation errors: one line naming the spec place, the column and the expression', () => {
  const cases: ReadonlyArray<[source: string, event: Record<string, unknown>, message: string]> = [
    ['price > 100', {}, `${where}: no such field 'price'; test for it with has(price) at column 1 in "price > 100"`],
    ['metadata.price > 100', { metadata: {} }, `${where}: no such field 'metadata.price'; test for it with has(metadata.price) at column 10 in "metadata.price > 100"`],
    ['metadata.price > 100', {}, `${where}: no such field 'metadata'; test for it with has(metadata) at column 1 in "metadata.price > 100"`],
    ["price > 'x'", { price: 1 }, `${where}: no such overload: number > string at column 7 in "price > 'x'"`],
    ['total / count', { total: 1, count: 0 }, `${where}: division by zero (1 / 0) at column 7 in "total / count"`],
  ];
  for (const [source, event, message] of cases) {
    const compiled = compileExpression(source, { where });
    assert.throws(
      () => compiled.evaluate(event),
      (error: unknown) => error instanceof EvaluationError && error.message === message,
      source,
    );
  }
});

test('a bug in a binding function is not mistaken for an evaluation error: && does not absorb it', () => {
  const compiled = compileExpression('boom > 1 && flag', { where, bindings: ['boom'] });
  assert.throws(
    () =>
      compiled.evaluate({ flag: false }, () => {
        throw new RangeError('bug');
      }),
    RangeError,
  );
  // `false` as a literal decides without evaluating the other side at all.
  assert.equal(compileExpression('boom > 1 && false', { where, bindings: ['boom'] }).evaluate({}), false);
});

test('huge or deeply nested expressions are syntax errors, not stack overflows, and messages stay short', () => {
  const cases: ReadonlyArray<[source: string, message: RegExp]> = [
    [Array.from({ length: 20_000 }, () => 'a').join(' + '), /the expression nests more than 1000 levels deep; split it into computed fields/],
    ['-'.repeat(3000) + '1', /nests more than 1000 levels deep/],
    ['('.repeat(300) + '1' + ')'.repeat(300), /Exceeded maxDepth \(250\): the expression nests too deeply/],
  ];
  for (const [source, message] of cases) {
    const actual = syntaxMessage(source);
    assert.match(actual, message);
    assert.ok(actual.length < 400, `message of ${actual.length} characters`);
  }
});
