/**
 * Flink's AfterMatchSkipITCase (flink-libraries/flink-cep/src/test/.../nfa/AfterMatchSkipITCase.java):
 * every after-match skip strategy, same inputs and expected matches. Records without a timestamp
 * (Flink's StreamRecord(value)) all carry NO_TIMESTAMP, as Flink's Long.MIN_VALUE.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipStrategyOf } from '../../../src/engine/cep/nfa/after-match/strategy.js';
import { SkipToElementError } from '../../../src/engine/cep/nfa/after-match/skip-to-element.js';
import type { SkipStrategy } from '../../../src/engine/spec.js';
import { begin, feedCase, NFATestHarness, NO_TIMESTAMP, named, event, type EventPattern, type EventTable, type FlinkCase } from './flink-harness.js';

const untimed = (...names: string[]): [string, number][] => names.map((n) => [n, NO_TIMESTAMP]);
const contains = (s: string) => (e: { name: string }): boolean => e.name.includes(s);

const aaaaaa: EventTable = { a1: [1, 'a', 0.0], a2: [2, 'a', 0.0], a3: [3, 'a', 0.0], a4: [4, 'a', 0.0], a5: [5, 'a', 0.0], a6: [6, 'a', 0.0] };
const abab: EventTable = { ab1: [1, 'ab', 0.0], ab2: [2, 'ab', 0.0], ab3: [3, 'ab', 0.0], ab4: [4, 'ab', 0.0], ab5: [5, 'ab', 0.0], ab6: [6, 'ab', 0.0], ab7: [7, 'ab', 0.0] };
/** TwoVariablesFollowedByAny. */
const twoVariables: EventTable = { a1: [1, 'a', 0.0], b1: [2, 'b', 0.0], a2: [4, 'a', 0.0], b2: [5, 'b', 0.0] };
const twoVariablesPattern = (): EventPattern => begin('start').where(named('a')).followedByAny('end').where(named('b'));
/** QuantifierAtEndOfPattern. */
const quantifierAtEnd: EventTable = { a1: [1, 'a', 0.0], b1: [2, 'b', 0.0], b2: [4, 'b', 0.0], b3: [5, 'b', 0.0] };
const quantifierAtEndPattern = (): EventPattern => begin('start').where(named('a')).next('end').where(named('b')).oneOrMore();
/** MissedSkipTo. */
const missedSkipTo: EventTable = { a: [1, 'a', 0.0], c: [4, 'c', 0.0] };
const missedSkipToPattern = (): EventPattern =>
  begin('a').where(contains('a')).next('b').where(contains('b')).oneOrMore().optional().consecutive().next('c').where(contains('c'));
const oneOrMoreAtBeginning: EventTable = { a1: [1, 'a1', 0.0], a2: [2, 'a2', 0.0], a3: [3, 'a3', 0.0], b1: [4, 'b1', 0.0] };
const atBeginning = (skip: SkipStrategy) => (): EventPattern =>
  begin('a', skip).where(contains('a')).oneOrMore().consecutive().greedy().next('b').where(contains('b'));
const abWithOneOrMore: EventTable = { a1: [1, 'a1', 0.0], b1: [2, 'b1', 0.0], a2: [3, 'a2', 0.0], b2: [4, 'b2', 0.0], b3: [5, 'b3', 0.0], a3: [3, 'a3', 0.0], b4: [4, 'b4', 0.0] };
const abcc: EventTable = { ab1: [1, 'ab1', 0.0], c1: [2, 'c1', 0.0], ab2: [3, 'ab2', 0.0], c2: [4, 'c2', 0.0] };

/** A case Flink declares with @Test(expected = FlinkRuntimeException.class). */
const throwsCase = (name: string, table: EventTable, input: [string, number][], pattern: () => EventPattern, skip: SkipStrategy): FlinkCase => ({
  name,
  run() {
    const harness = NFATestHarness.forPattern(pattern(), { skip: skipStrategyOf(skip, true) });
    const events = Object.fromEntries(Object.entries(table).map(([k, [id, n, p]]) => [k, event(id, n, p)]));
    assert.throws(() => harness.feedRecords(input.map(([k, ts]) => [events[k]!, ts])), SkipToElementError);
  },
});

const cases: FlinkCase[] = [
  feedCase('AfterMatchSkipITCase.testNoSkip', aaaaaa, untimed('a1', 'a2', 'a3', 'a4', 'a5', 'a6'), () => begin('start', { kind: 'noSkip' }).where(named('a')).times(3), [
    'a1 a2 a3', 'a2 a3 a4', 'a3 a4 a5', 'a4 a5 a6',
  ], 'forPattern'),
  feedCase('AfterMatchSkipITCase.testNoSkipWithFollowedByAny', twoVariables, untimed('a1', 'b1', 'a2', 'b2'), twoVariablesPattern, ['a1 b1', 'a1 b2', 'a2 b2'], skipStrategyOf({ kind: 'noSkip' })),
  feedCase('AfterMatchSkipITCase.testSkipToNextWithFollowedByAny', twoVariables, untimed('a1', 'b1', 'a2', 'b2'), twoVariablesPattern, ['a1 b1', 'a2 b2'], skipStrategyOf({ kind: 'skipToNext' })),
  feedCase('AfterMatchSkipITCase.testNoSkipWithQuantifierAtTheEnd', quantifierAtEnd, untimed('a1', 'b1', 'b2', 'b3'), quantifierAtEndPattern, ['a1 b1 b2 b3', 'a1 b1 b2', 'a1 b1'], skipStrategyOf({ kind: 'noSkip' })),
  feedCase('AfterMatchSkipITCase.testSkipToNextWithQuantifierAtTheEnd', quantifierAtEnd, untimed('a1', 'b1', 'b2', 'b3'), quantifierAtEndPattern, ['a1 b1'], skipStrategyOf({ kind: 'skipToNext' })),
  feedCase('AfterMatchSkipITCase.testSkipPastLast', aaaaaa, untimed('a1', 'a2', 'a3', 'a4', 'a5', 'a6'), () => begin('start', { kind: 'skipPastLastEvent' }).where(named('a')).times(3), [
    'a1 a2 a3', 'a4 a5 a6',
  ], 'forPattern'),
  feedCase(
    'AfterMatchSkipITCase.testSkipToFirst',
    abab,
    untimed('ab1', 'ab2', 'ab3', 'ab4', 'ab5', 'ab6'),
    () => begin('start', { kind: 'skipToFirst', stage: 'end' }).where(contains('a')).times(2).next('end').where(contains('b')).times(2),
    ['ab1 ab2 ab3 ab4', 'ab3 ab4 ab5 ab6'],
    'forPattern',
  ),
  feedCase(
    'AfterMatchSkipITCase.testSkipToLast',
    abab,
    untimed('ab1', 'ab2', 'ab3', 'ab4', 'ab5', 'ab6', 'ab7'),
    () => begin('start', { kind: 'skipToLast', stage: 'end' }).where(contains('a')).times(2).next('end').where(contains('b')).times(2),
    ['ab1 ab2 ab3 ab4', 'ab4 ab5 ab6 ab7'],
    'forPattern',
  ),
  feedCase(
    'AfterMatchSkipITCase.testSkipPastLast2',
    { a1: [1, 'a1', 0.0], a2: [2, 'a2', 0.0], b1: [3, 'b1', 0.0], b2: [4, 'b2', 0.0], c1: [5, 'c1', 0.0], c2: [6, 'c2', 0.0], d1: [7, 'd1', 0.0], d2: [7, 'd2', 0.0] },
    untimed('a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'd1', 'd2'),
    () => begin('a', { kind: 'skipPastLastEvent' }).where(contains('a')).followedByAny('b').where(contains('b')).followedByAny('c').where(contains('c')).followedBy('d').where(contains('d')),
    ['a1 b1 c1 d1'],
    'forPattern',
  ),
  feedCase(
    'AfterMatchSkipITCase.testSkipPastLast3',
    { a1: [1, 'a1', 0.0], c: [2, 'c', 0.0], a2: [3, 'a2', 0.0], b2: [4, 'b2', 0.0] },
    untimed('a1', 'c', 'a2', 'b2'),
    () => begin('a', { kind: 'skipPastLastEvent' }).where(contains('a')).next('b').where(contains('b')),
    ['a2 b2'],
    'forPattern',
  ),
  feedCase(
    'AfterMatchSkipITCase.testSkipToFirstWithOptionalMatch',
    abcc,
    untimed('ab1', 'c1', 'ab2', 'c2'),
    () => begin('x', { kind: 'skipToFirst', stage: 'b' }).where(contains('x')).oneOrMore().optional().next('b').where(contains('b')).next('c').where(contains('c')),
    ['ab1 c1', 'ab2 c2'],
    'forPattern',
  ),
  feedCase(
    'AfterMatchSkipITCase.testSkipToFirstAtStartPosition',
    abcc,
    untimed('ab1', 'c1', 'ab2', 'c2'),
    () => begin('b', { kind: 'skipToFirst', stage: 'b' }).where(contains('b')).next('c').where(contains('c')),
    ['ab1 c1', 'ab2 c2'],
    'forPattern',
  ),
  feedCase(
    'AfterMatchSkipITCase.testSkipToFirstWithOneOrMore',
    abWithOneOrMore,
    untimed('a1', 'b1', 'a2', 'b2', 'b3', 'a3', 'b4'),
    () => begin('a', { kind: 'skipToFirst', stage: 'b' }).where(contains('a')).next('b').where(contains('b')).oneOrMore().consecutive(),
    ['a1 b1', 'a2 b2', 'a3 b4'],
    'forPattern',
  ),
  throwsCase('AfterMatchSkipITCase.testSkipToFirstElementOfMatch', { a1: [1, 'a1', 0.0] }, untimed('a1'), () => begin('a').where(contains('a')), { kind: 'skipToFirst', stage: 'a' }),
  throwsCase('AfterMatchSkipITCase.testSkipToFirstNonExistentPosition', missedSkipTo, untimed('a', 'c'), missedSkipToPattern, { kind: 'skipToFirst', stage: 'b' }),
  feedCase('AfterMatchSkipITCase.testSkipToFirstNonExistentPositionWithoutException', missedSkipTo, untimed('a', 'c'), missedSkipToPattern, ['a c'], skipStrategyOf({ kind: 'skipToFirst', stage: 'b' })),
  throwsCase('AfterMatchSkipITCase.testSkipToLastNonExistentPosition', missedSkipTo, untimed('a', 'c'), missedSkipToPattern, { kind: 'skipToLast', stage: 'b' }),
  // Flink's case uses skipToFirst here too (sic); kept as written.
  feedCase('AfterMatchSkipITCase.testSkipToLastNonExistentPositionWithoutException', missedSkipTo, untimed('a', 'c'), missedSkipToPattern, ['a c'], skipStrategyOf({ kind: 'skipToFirst', stage: 'b' })),
  feedCase(
    'AfterMatchSkipITCase.testSkipToLastWithOneOrMore',
    abWithOneOrMore,
    untimed('a1', 'b1', 'a2', 'b2', 'b3', 'a3', 'b4'),
    () => begin('a', { kind: 'skipToLast', stage: 'b' }).where(contains('a')).next('b').where(contains('b')).oneOrMore().consecutive(),
    ['a1 b1', 'a2 b2', 'a3 b4'],
    'forPattern',
  ),
  feedCase('AfterMatchSkipITCase.testSkipPastLastWithOneOrMoreAtBeginning', oneOrMoreAtBeginning, untimed('a1', 'a2', 'a3', 'b1'), atBeginning({ kind: 'skipPastLastEvent' }), ['a1 a2 a3 b1'], 'forPattern'),
  feedCase('AfterMatchSkipITCase.testSkipToLastWithOneOrMoreAtBeginning', oneOrMoreAtBeginning, untimed('a1', 'a2', 'a3', 'b1'), atBeginning({ kind: 'skipToLast', stage: 'a' }), ['a1 a2 a3 b1', 'a3 b1'], 'forPattern'),
  feedCase('AfterMatchSkipITCase.testSkipToFirstWithOneOrMoreAtBeginning', oneOrMoreAtBeginning, untimed('a1', 'a2', 'a3', 'b1'), atBeginning({ kind: 'skipToFirst', stage: 'a' }), [
    'a1 a2 a3 b1', 'a2 a3 b1', 'a3 b1',
  ], 'forPattern'),
  feedCase('AfterMatchSkipITCase.testNoSkipWithOneOrMoreAtBeginning', oneOrMoreAtBeginning, untimed('a1', 'a2', 'a3', 'b1'), atBeginning({ kind: 'noSkip' }), [
    'a1 a2 a3 b1', 'a2 a3 b1', 'a3 b1',
  ], 'forPattern'),
  feedCase(
    'AfterMatchSkipITCase.testSkipToFirstDiscarding',
    { a: [1, 'a', 0.0], b: [2, 'b', 0.0], c1: [3, 'c1', 0.0], c2: [4, 'c2', 0.0], c3: [5, 'c3', 0.0], d: [6, 'd', 0.0] },
    untimed('a', 'b', 'c1', 'c2', 'c3', 'd'),
    () => begin('a or c', { kind: 'skipToFirst', stage: 'c*' }).where((v) => v.name.includes('a') || v.name.includes('c'))
      .followedBy('b or c').where((v) => v.name.includes('b') || v.name.includes('c'))
      .followedBy('c*').where(contains('c')).oneOrMore().greedy()
      .followedBy('d').where(contains('d')),
    ['a b c1 c2 c3 d', 'c1 c2 c3 d'],
    'forPattern',
  ),
  feedCase(
    'AfterMatchSkipITCase.testSkipBeforeOtherAlreadyCompleted',
    { a1: [1, 'a1', 0.0], c1: [2, 'c1', 0.0], a2: [3, 'a2', 1.0], c2: [4, 'c2', 0.0], b1: [5, 'b1', 1.0], b2: [6, 'b2', 0.0] },
    untimed('a1', 'c1', 'a2', 'c2', 'b1', 'b2'),
    () => begin('a', { kind: 'skipToFirst', stage: 'c' }).where(contains('a'))
      .followedBy('c').where(contains('c'))
      .followedBy('b').where((value, stages) => value.name.includes('b') && stages('a')[0]!.price === value.price),
    ['a1 c1 b2', 'a2 c2 b1'],
    'forPattern',
  ),
  {
    name: 'AfterMatchSkipITCase.testSharedBufferIsProperlyCleared',
    run() {
      const harness = NFATestHarness.forPattern(begin('start', { kind: 'skipPastLastEvent' }).where(() => true).times(2));
      harness.feedRecords([0, 1, 2, 3].map((i) => [event(1, 'a', 1.0), i] as const));
      assert.equal(harness.state.liveNodes, 0);
      assert.equal(harness.state.liveEvents, 0);
    },
  },
];

for (const c of cases) test(c.name, c.run);
