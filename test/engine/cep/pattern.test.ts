/**
 * Flink's PatternTest (flink-libraries/flink-cep/src/test/.../pattern/PatternTest.java): building
 * patterns with the TypeScript builder — stage chain and contiguity, where / or combination, and the
 * checks Flink's Pattern API makes while a pattern is built (MalformedPatternException and
 * IllegalArgumentException both become MalformedPatternError). Flink's getPrevious() chain is the
 * spec's stage list; getCondition() is the stage's condition tree. Not ported: testPatternWithSubtyping
 * and testPatternWithSubtypingAndFilter (subtype(): sw records are untyped).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedPatternError } from '../../../src/engine/cep/nfa/compiler.js';
import { Pattern } from '../../../src/engine/cep/pattern/pattern.js';
import type { FlinkCase } from './flink-harness.js';

/** dummyCondition(): always true (CEL). */
const dummy = 'true';

function chain(pattern: Pattern): [string, string | undefined][] {
  return pattern.toSpec().stages.map((s) => [s.name, s.contiguity]);
}

function rejected(name: string, build: () => unknown): FlinkCase {
  return { name, run: () => assert.throws(build, MalformedPatternError) };
}

const cases: FlinkCase[] = [
  {
    name: 'PatternTest.testStrictContiguity',
    run: () => assert.deepEqual(chain(Pattern.begin('start').next('next').next('end')), [['start', undefined], ['next', 'next'], ['end', 'next']]),
  },
  {
    name: 'PatternTest.testNonStrictContiguity',
    run: () => assert.deepEqual(chain(Pattern.begin('start').followedBy('next').followedBy('end')), [['start', undefined], ['next', 'followedBy'], ['end', 'followedBy']]),
  },
  {
    name: 'PatternTest.testStrictContiguityWithCondition',
    run() {
      const pattern = Pattern.begin('start').next('next').where("name == 'foobar'").next('end').where('id == 42');
      assert.deepEqual(chain(pattern), [['start', undefined], ['next', 'next'], ['end', 'next']]);
      // Flink's getCondition() is never null (true when no where); here an absent where is true.
      const trees = pattern.conditionTrees();
      assert.equal(trees.get('start')!.where, null);
      assert.deepEqual(trees.get('next')!.where, { kind: 'leaf', value: "name == 'foobar'" });
      assert.deepEqual(trees.get('end')!.where, { kind: 'leaf', value: 'id == 42' });
    },
  },
  {
    name: 'PatternTest.testPatternWithOrFilter',
    run() {
      const pattern = Pattern.begin('start').where('false').or('false').next('or').or('false').followedBy('end');
      assert.deepEqual(chain(pattern), [['start', undefined], ['or', 'next'], ['end', 'followedBy']]);
      const trees = pattern.conditionTrees();
      // or() on a stage without a condition is just that condition, not an OR.
      assert.equal(trees.get('or')!.where!.kind, 'leaf');
      assert.equal(trees.get('start')!.where!.kind, 'or');
    },
  },
  {
    name: 'PatternTest.testRichCondition',
    run() {
      const trees = Pattern.begin('start').where('a').where('b').followedBy('end').where('c').or('d').conditionTrees();
      assert.equal(trees.get('end')!.where!.kind, 'or');
      assert.equal(trees.get('start')!.where!.kind, 'and');
    },
  },
  rejected('PatternTest.testPatternTimesNegativeTimes', () => Pattern.begin('start').where(dummy).times(-1)),
  rejected('PatternTest.testPatternTimesNegativeFrom', () => Pattern.begin('start').where(dummy).times(-1, 2)),
  rejected('PatternTest.testPatternCanHaveQuantifierSpecifiedOnce1', () => Pattern.begin('start').where(dummy).oneOrMore().oneOrMore().optional()),
  rejected('PatternTest.testPatternCanHaveQuantifierSpecifiedOnce2', () => Pattern.begin('start').where(dummy).oneOrMore().optional().times(1)),
  rejected('PatternTest.testPatternCanHaveQuantifierSpecifiedOnce3', () => Pattern.begin('start').where(dummy).times(1).oneOrMore()),
  rejected('PatternTest.testPatternCanHaveQuantifierSpecifiedOnce4', () => Pattern.begin('start').where(dummy).oneOrMore().oneOrMore()),
  rejected('PatternTest.testPatternCanHaveQuantifierSpecifiedOnce5', () => Pattern.begin('start').where(dummy).oneOrMore().oneOrMore().optional()),
  rejected('PatternTest.testNotNextCannotBeOneOrMore', () => Pattern.begin('start').where(dummy).notNext('not').where(dummy).oneOrMore()),
  rejected('PatternTest.testNotNextCannotBeTimes', () => Pattern.begin('start').where(dummy).notNext('not').where(dummy).times(3)),
  rejected('PatternTest.testNotNextCannotBeOptional', () => Pattern.begin('start').where(dummy).notNext('not').where(dummy).optional()),
  rejected('PatternTest.testNotFollowedCannotBeOneOrMore', () => Pattern.begin('start').where(dummy).notFollowedBy('not').where(dummy).oneOrMore()),
  rejected('PatternTest.testNotFollowedCannotBeTimes', () => Pattern.begin('start').where(dummy).notFollowedBy('not').where(dummy).times(3)),
  rejected('PatternTest.testNotFollowedCannotBeOptional', () => Pattern.begin('start').where(dummy).notFollowedBy('not').where(dummy).optional()),
  rejected('PatternTest.testUntilCannotBeAppliedToTimes', () => Pattern.begin('start').where(dummy).times(1).until(dummy)),
  rejected('PatternTest.testUntilCannotBeAppliedToSingleton', () => Pattern.begin('start').where(dummy).until(dummy)),
  rejected('PatternTest.testUntilCannotBeAppliedTwice', () => Pattern.begin('start').where(dummy).until(dummy).until(dummy)),
];

// Flink's GroupPattern rejects where / or, and greedy() rejects group patterns.
const group = (): Pattern => Pattern.begin('a').where(dummy).followedBy('b').where(dummy);
cases.push(
  rejected('GroupPattern.where (UnsupportedOperationException in Flink)', () => Pattern.begin('start').followedBy(group()).where(dummy)),
  rejected('GroupPattern.or (UnsupportedOperationException in Flink)', () => Pattern.begin('start').followedBy(group()).or(dummy)),
  rejected('Pattern.greedy on a group pattern (checkIfNoGroupPattern)', () => Pattern.begin('start').followedBy(group()).oneOrMore().greedy()),
  {
    name: 'Pattern.until applied twice on a loop: only one until condition (Flink: "Only one until condition can be applied.")',
    run: () => assert.throws(() => Pattern.begin('start').where(dummy).oneOrMore().until(dummy).until(dummy), /only one until condition/),
  },
);

for (const c of cases) test(c.name, c.run);
