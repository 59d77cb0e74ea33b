/**
 * Differential test against @marcbachmann/cel-js's own evaluator (a full CEL implementation):
 * on generated expressions and events, whenever both give a value the values agree, and we never
 * fail where CEL gives a value.
 *
 * Left out of the generator, because we differ from CEL on purpose:
 * - `/` and `%`: ours is floating-point division on every number and x / 0 is an error; cel-js
 *   divides ints as ints, gives Infinity for a double / 0.0 and has no double %.
 * - int literals in arithmetic: cel-js keeps int and double apart (1 + 1.5 is "no such overload"),
 *   ours has only doubles, as JSON does. Generated number literals are therefore all doubles.
 * - Large magnitudes: ours makes overflow to ±Infinity an error; generated numbers stay small.
 * Where cel-js fails and we give a value (its int/double split again, e.g. size(s) + 1.0, and its
 * homogeneous list literals), the case counts as skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '@marcbachmann/cel-js';
import { EvaluationError, compileExpression } from '../../../src/engine/expression/index.js';

const numberLiteral = fc.constantFrom('0.0', '1.0', '2.5', '-3.0', '10.0', '0.25');
const stringLiteral = fc.constantFrom("'a'", "'ab'", "'B'", "''", "'b a'");

const { bool } = fc.letrec<{ num: string; str: string; bool: string }>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('a', 'b', 'm.k', 'xs[0]'),
    numberLiteral,
    fc.tuple(tie('num'), fc.constantFrom('+', '-', '*'), tie('num')).map(([x, op, y]) => `(${x} ${op} ${y})`),
    tie('num').map((x) => `-(${x})`),
    fc.tuple(tie('bool'), tie('num'), tie('num')).map(([c, x, y]) => `(${c} ? ${x} : ${y})`),
    tie('str').map((s) => `double(size(${s}))`),
  ),
  str: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('s', 't'),
    stringLiteral,
    fc.tuple(tie('str'), tie('str')).map(([x, y]) => `(${x} + ${y})`),
    tie('str').map((x) => `${x}.lowerAscii()`),
  ),
  bool: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('flag', 'true', 'false', 'has(m.k)', 'has(m.zz)', "'k' in m", 'zz > 1.0'),
    fc.tuple(tie('num'), fc.constantFrom('<', '<=', '>', '>=', '==', '!='), tie('num')).map(([x, op, y]) => `${x} ${op} ${y}`),
    fc.tuple(tie('str'), fc.constantFrom('<', '>', '==', '!='), tie('str')).map(([x, op, y]) => `${x} ${op} ${y}`),
    fc.tuple(tie('str'), fc.constantFrom('startsWith', 'endsWith', 'contains'), tie('str')).map(([x, f, y]) => `${x}.${f}(${y})`),
    fc.tuple(tie('bool'), fc.constantFrom('&&', '||'), tie('bool')).map(([x, op, y]) => `(${x} ${op} ${y})`),
    tie('bool').map((x) => `!(${x})`),
    fc.tuple(tie('num'), tie('num'), tie('num')).map(([x, y, z]) => `${x} in [${y}, ${z}]`),
    fc.tuple(fc.constantFrom('all', 'exists', 'exists_one'), fc.constantFrom('<', '>', '=='), tie('num')).map(([m, op, y]) => `xs.${m}(x, x ${op} ${y})`),
    fc.tuple(tie('bool'), tie('bool'), tie('bool')).map(([c, x, y]) => `(${c} ? ${x} : ${y})`),
  ),
}));

const smallNumber = fc.constantFrom(0, 1, -1, 2.5, 10, -3, 0.25, 7);
const text = fc.constantFrom('a', 'ab', 'B', '', 'b a', 'Ab');
const event = fc.record({
  a: smallNumber,
  b: smallNumber,
  s: text,
  t: text,
  flag: fc.boolean(),
  xs: fc.array(smallNumber, { minLength: 1, maxLength: 4 }),
  m: fc.oneof(fc.record({ k: smallNumber }), fc.constant({ j: 1 })),
});

/** cel-js gives ints as bigint; ours are numbers. -0 and 0 are equal in CEL. */
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function run(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

test('differential: compiled closures agree with @marcbachmann/cel-js where both are defined', () => {
  const tally = { agreed: 0, bothFailed: 0, skipped: 0 };
  fc.assert(
    fc.property(bool, event, (source, record) => {
      const ours = run(() => compileExpression(source, { where: 'differential' }).evaluate(record));
      const theirs = run(() => parse(source)(record));
      if (ours.ok && theirs.ok) {
        assert.deepStrictEqual(normalize(ours.value), normalize(theirs.value), `${source} on ${JSON.stringify(record)}`);
        tally.agreed++;
      } else if (!ours.ok && !theirs.ok) {
        tally.bothFailed++;
      } else if (!ours.ok) {
        assert.fail(`we fail where CEL gives ${String(theirs.ok && theirs.value)}: ${source} on ${JSON.stringify(record)}: ${String(ours.error)}`);
      } else {
        tally.skipped++;
      }
      if (!ours.ok && !(ours.error instanceof EvaluationError)) {
        assert.fail(`${source}: not an EvaluationError: ${String(ours.error)}`);
      }
    }),
    { numRuns: 600, seed: 20260101 },
  );
  // The comparison must have had something to compare: most cases are defined for both.
  assert.ok(tally.agreed >= 300, `agreed on ${tally.agreed} of 600 (${JSON.stringify(tally)})`);
});

/**
 * The specialised closures (a field against a literal, folded constants, a Set for `in` over a
 * literal list) against the generic ones: the same expression with every literal turned into a
 * binding, which nothing can fold or specialise, gives the same value or also fails.
 */
test('differential: specialised closures agree with the generic path (literals moved into bindings)', () => {
  let compared = 0;
  fc.assert(
    fc.property(bool, event, (source, record) => {
      const literals: unknown[] = [];
      const generic = source.replace(/'[^']*'|-?\d+\.\d+/g, (literal) => {
        literals.push(literal.startsWith("'") ? literal.slice(1, -1) : Number(literal));
        return ` lit${literals.length - 1} `;
      });
      const names = literals.map((_, i) => `lit${i}`);
      const fast = run(() => compileExpression(source, { where: 'fast' }).evaluate(record));
      const slow = run(() => compileExpression(generic, { where: 'generic', bindings: names }).evaluate(record, (name) => literals[Number(name.slice(3))]));
      assert.equal(fast.ok, slow.ok, `${source} | ${generic} on ${JSON.stringify(record)}: ${fast.ok ? '' : String(fast.error)}${slow.ok ? '' : String(slow.error)}`);
      if (fast.ok && slow.ok) {
        assert.deepStrictEqual(normalize(fast.value), normalize(slow.value), `${source} | ${generic}`);
        compared++;
      }
    }),
    { numRuns: 600, seed: 20260102 },
  );
  assert.ok(compared >= 300, `compared ${compared} of 600`);
});
