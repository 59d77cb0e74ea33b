/**
 * Flink's GroupITCase (flink-libraries/flink-cep/src/test/.../nfa/GroupITCase.java): group patterns
 * (Pattern.begin(Pattern), next / followedBy / followedByAny(Pattern)) with quantifiers, optional,
 * consecutive, allowCombinations, until, negation after a group and nesting. Same inputs and expected
 * matches, every case of the class.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { begin, comparePatterns, eventsOf, feedCase, named, NFATestHarness, type EventPattern, type FlinkCase, type Rec } from './flink-harness.js';

/** (a b): middle1 a, followed by middle2 b. */
const ab = (): EventPattern => begin('middle1').where(named('a')).followedBy('middle2').where(named('b'));
/** (b c): middle2 b, followed by middle3 c. */
const bc = (): EventPattern => begin('middle2').where(named('b')).followedBy('middle3').where(named('c'));
const cStart = (): EventPattern => begin('start').where(named('c'));

const cabd = { c: [40, 'c', 1.0], a1: [41, 'a', 2.0], b1: [42, 'b', 3.0], a2: [43, 'a', 4.0], b2: [44, 'b', 5.0], d: [45, 'd', 6.0] } as const;
const cabdInput: [string, number][] = [['c', 1], ['a1', 2], ['b1', 3], ['a2', 4], ['b2', 5], ['d', 6]];
const cababd = {
  c: [40, 'c', 1.0], a1: [41, 'a', 2.0], b1: [42, 'b', 3.0], a2: [43, 'a', 4.0], b2: [44, 'b', 5.0],
  a3: [45, 'a', 4.0], b3: [46, 'b', 5.0], d: [47, 'd', 6.0],
} as const;
const cababdInput: [string, number][] = [['c', 1], ['a1', 2], ['b1', 3], ['a2', 4], ['b2', 5], ['a3', 6], ['b3', 7], ['d', 8]];
const cabdabe = { c: [40, 'c', 1.0], a1: [41, 'a', 2.0], b1: [42, 'b', 3.0], d: [43, 'd', 3.0], a2: [44, 'a', 4.0], b2: [45, 'b', 5.0], e: [46, 'e', 6.0] } as const;
const cabdabeInput: [string, number][] = [['c', 1], ['a1', 2], ['b1', 3], ['d', 4], ['a2', 5], ['b2', 6], ['e', 7]];
const nest = {
  d: [40, 'd', 1.0], a1: [41, 'a', 2.0], b1: [42, 'b', 3.0], c1: [43, 'c', 4.0], b2: [44, 'b', 5.0], c2: [45, 'c', 4.0],
  b3: [46, 'b', 5.0], c3: [47, 'c', 4.0], a2: [48, 'a', 2.0], b4: [49, 'b', 3.0], c4: [50, 'c', 4.0], b5: [51, 'b', 5.0],
  c5: [52, 'c', 4.0], b6: [53, 'b', 5.0], c6: [54, 'c', 4.0], e: [55, 'e', 6.0], breaking: [0, 'breaking', 99.0],
} as const;
const endD = (p: EventPattern): EventPattern => p.followedBy('end').where(named('d'));
const endE = (p: EventPattern): EventPattern => p.followedBy('end').where(named('e'));

const cases: FlinkCase[] = [
  feedCase('GroupITCase.testGroupFollowedByTimes', cabd, cabdInput, () => endD(cStart().followedBy(ab()).times(2)), ['c a1 b1 a2 b2 d']),
  feedCase(
    'GroupITCase.testGroupFollowedByOptional',
    { c: [40, 'c', 1.0], a1: [41, 'a', 2.0], a2: [42, 'a', 2.0], b: [43, 'b', 3.0], d: [44, 'd', 4.0] },
    [['c', 1], ['a1', 2], ['a2', 3], ['b', 4], ['d', 5]],
    () => endD(cStart().followedBy(ab()).optional()),
    ['c d', 'c a1 b d'],
  ),
  feedCase(
    'GroupITCase.testFollowedByGroupTimesOptional',
    { c: [40, 'c', 1.0], a: [41, 'a', 2.0], d: [45, 'd', 3.0] },
    [['c', 1], ['a', 2], ['d', 3]],
    () => endD(cStart().followedBy(ab()).times(2).optional()),
    ['c d'],
  ),
  feedCase('GroupITCase.testGroupFollowedByOneOrMore', cabd, cabdInput, () => endD(cStart().followedBy(ab()).oneOrMore()), ['c a1 b1 d', 'c a1 b1 a2 b2 d']),
  feedCase('GroupITCase.testGroupFollowedByZeroOrMore', cabd, cabdInput, () => endD(cStart().followedBy(ab()).oneOrMore().optional()), [
    'c d', 'c a1 b1 d', 'c a1 b1 a2 b2 d',
  ]),
  feedCase('GroupITCase.testGroupFollowedByAnyTimesCombinations', cababd, cababdInput, () => endD(cStart().followedByAny(ab()).times(2).allowCombinations()), [
    'c a1 b1 a2 b2 d', 'c a1 b1 a3 b3 d', 'c a2 b2 a3 b3 d',
  ]),
  feedCase('GroupITCase.testGroupFollowedByAnyTimesOptional', cababd, cababdInput, () => endD(cStart().followedByAny(ab()).times(2).optional()), [
    'c d', 'c a1 b1 a2 b2 d', 'c a2 b2 a3 b3 d',
  ]),
  feedCase('GroupITCase.testGroupFollowedByAnyOneOrMore', cababd, cababdInput, () => endD(cStart().followedByAny(ab()).oneOrMore()), [
    'c a1 b1 d', 'c a2 b2 d', 'c a3 b3 d', 'c a1 b1 a2 b2 d', 'c a2 b2 a3 b3 d', 'c a1 b1 a2 b2 a3 b3 d',
  ]),
  feedCase(
    'GroupITCase.testGroupNextZeroOrMore',
    {
      c: [40, 'c', 1.0], a1: [41, 'a', 2.0], b1: [42, 'b', 3.0], a2: [43, 'a', 3.0], b2: [44, 'b', 3.0],
      a3: [45, 'a', 4.0], b3: [46, 'b', 3.0], d: [47, 'd', 1.0],
    },
    [['c', 1], ['a1', 3], ['b1', 4], ['a2', 5], ['b2', 6], ['a3', 7], ['b3', 8], ['d', 9]],
    () => endD(cStart().next(ab()).oneOrMore().optional().consecutive()),
    ['c d', 'c a1 b1 d', 'c a1 b1 a2 b2 d', 'c a1 b1 a2 b2 a3 b3 d'],
  ),
  feedCase(
    'GroupITCase.testGroupNotFollowedBy',
    cabdabe,
    cabdabeInput,
    () => endE(cStart().followedByAny(ab()).notFollowedBy('notPattern').where(named('d'))),
    ['c a2 b2 e'],
  ),
  feedCase('GroupITCase.testGroupNotNext', cabdabe, cabdabeInput, () => endE(cStart().followedByAny(ab()).notNext('notPattern').where(named('d'))), ['c a2 b2 e']),
  feedCase(
    'GroupITCase.testGroupNest',
    nest,
    [['d', 1], ['a1', 2], ['b1', 3], ['c1', 4], ['b2', 5], ['c2', 6], ['e', 7]],
    // d (a (b c)*)? e
    () => endE(begin('start').where(named('d')).followedBy(begin('middle1').where(named('a')).followedBy(bc()).oneOrMore().optional()).optional()),
    ['d e', 'd a1 e', 'd a1 b1 c1 e', 'd a1 b1 c1 b2 c2 e'],
  ),
  feedCase(
    'GroupITCase.testGroupNestTimes',
    nest,
    [
      ['d', 1], ['a1', 2], ['b1', 3], ['c1', 4], ['b2', 5], ['c2', 6], ['b3', 7], ['c3', 8],
      ['a2', 9], ['b4', 10], ['c4', 11], ['b5', 12], ['c5', 13], ['b6', 14], ['c6', 15], ['e', 16],
    ],
    // d any (a (b c){3}){0, 2} e
    () => endE(begin('start').where(named('d')).followedByAny(begin('middle1').where(named('a')).followedBy(bc()).times(3)).times(0, 2)),
    ['d e', 'd a1 b1 c1 b2 c2 b3 c3 e', 'd a2 b4 c4 b5 c5 b6 c6 e', 'd a1 b1 c1 b2 c2 b3 c3 a2 b4 c4 b5 c5 b6 c6 e'],
  ),
  feedCase(
    'GroupITCase.testGroupNestTimesConsecutive',
    nest,
    [
      ['d', 1], ['a1', 2], ['b1', 3], ['c1', 4], ['b2', 5], ['c2', 6], ['b3', 7], ['c3', 8], ['a2', 9],
      ['b4', 10], ['c4', 11], ['breaking', 12], ['b5', 13], ['c5', 14], ['b6', 15], ['c6', 16], ['e', 17],
    ],
    () =>
      endE(
        begin('start').where(named('d')).followedByAny(begin('middle1').where(named('a')).followedBy(bc()).times(3).consecutive()).times(0, 2).consecutive(),
      ),
    ['d e', 'd a1 b1 c1 b2 c2 b3 c3 e'],
  ),
  feedCase(
    'GroupITCase.testGroupBegin',
    { a1: [41, 'a', 2.0], b1: [42, 'b', 3.0], a2: [43, 'a', 4.0], b2: [44, 'b', 5.0], d: [45, 'd', 6.0] },
    [['a1', 1], ['b1', 2], ['a2', 3], ['b2', 4], ['d', 5]],
    () => endD(begin(ab()).times(1, 2)),
    ['a1 b1 d', 'a2 b2 d', 'a1 b1 a2 b2 d'],
  ),
  {
    name: 'GroupITCase.testGroupFollowedByOneOrMoreWithUntilCondition',
    run() {
      const e = eventsOf(cabd);
      const harness = NFATestHarness.forNFA(endD(cStart().followedBy(ab()).oneOrMore().until(named('d'))));
      const input: Rec[] = cabdInput.map(([name, ts]) => [e[name]!, ts]);
      comparePatterns(harness.feedRecords(input), [
        [e.c!, e.a1!, e.b1!, e.d!],
        [e.c!, e.a1!, e.b1!, e.a2!, e.b2!, e.d!],
      ]);
      assert.deepEqual(
        harness.nfa.runStates(harness.state),
        ['start'],
      );
    },
  },
  feedCase(
    'GroupITCase.testGroupStartsWithOptionalPattern',
    { a: [40, 'a', 1.0], c: [41, 'c', 2.0], d: [42, 'd', 3.0] },
    [['a', 1], ['c', 2], ['d', 3]],
    // a (b? c) d
    () => begin('start').where(named('a')).next(begin('middle1').where(named('b')).optional().next('middle2').where(named('c'))).next('d').where(named('d')),
    ['a c d'],
  ),
  feedCase(
    'GroupITCase.testFollowedByOptionalGroupPattern',
    { a: [40, 'a', 1.0], d1: [41, 'd', 2.0], d2: [42, 'd', 3.0] },
    [['a', 1], ['d1', 2], ['d2', 3]],
    // a -> (b c)? d
    () => begin('start').where(named('a')).followedBy(begin('middle1').where(named('b')).next('middle2').where(named('c'))).optional().next('d').where(named('d')),
    ['a d1'],
  ),
];

for (const c of cases) test(c.name, c.run);
