/**
 * Flink's NotPatternITCase (flink-libraries/flink-cep/src/test/.../nfa/NotPatternITCase.java): notNext
 * and notFollowedBy, including notFollowedBy as the last stage with `within` (FLINK-26941). Same
 * inputs and expected matches, every case of the class (WithinType.PREVIOUS_AND_CURRENT through the
 * TypeScript builder's within(d, 'previousAndCurrent')).
 */
import { test } from 'node:test';
import { skipStrategyOf } from '../../../src/engine/cep/nfa/after-match/strategy.js';
import { begin, comparePatterns, eventsOf, feedCase, named, NFATestHarness, type EventPattern, type FlinkCase, type Rec } from './flink-harness.js';

/** NotPatternITCase.NotFollowByData. */
const notFollowByData = {
  A_1: [40, 'a', 1.0], B_1: [41, 'b', 2.0], B_2: [42, 'b', 3.0], B_3: [42, 'b', 4.0], C_1: [43, 'c', 5.0],
  B_4: [42, 'b', 6.0], B_5: [42, 'b', 7.0], B_6: [42, 'b', 8.0], D_1: [43, 'd', 9.0],
} as const;
const numbered = (...names: string[]): [string, number][] => names.map((n, i) => [n, i]);

const acbcd = { a1: [40, 'a', 1.0], c1: [41, 'c', 2.0], b1: [42, 'b', 3.0], c2: [43, 'c', 4.0], d: [43, 'd', 4.0] } as const;
const acbcdInput: [string, number][] = [['a1', 1], ['c1', 2], ['b1', 3], ['c2', 4], ['d', 5]];

const notNextAfterOneOrMore = (allMatches: boolean) => (): EventPattern => {
  const a = begin('a').where(named('a'));
  return (allMatches ? a.followedByAny('b*') : a.followedBy('b*')).where(named('b')).oneOrMore()
    .notNext('not c').where(named('c'))
    .followedBy('d').where(named('d'));
};
const notFollowedByAfterOneOrMore = (eager: boolean, allMatches: boolean) => (): EventPattern => {
  const a = begin('a').where(named('a'));
  const b = (allMatches ? a.followedByAny('b*') : a.followedBy('b*')).where(named('b'));
  return (eager ? b.oneOrMore() : b.oneOrMore().allowCombinations())
    .notFollowedBy('not c').where(named('c'))
    .followedBy('d').where(named('d'));
};
const notFollowedByBefore = (eager: boolean, allMatches: boolean, zeroOrMore: boolean) => (): EventPattern => {
  const a = begin('a').where(named('a')).notFollowedBy('not c').where(named('c'));
  let b = (allMatches ? a.followedByAny('b*') : a.followedBy('b*')).where(named('b')).oneOrMore();
  if (zeroOrMore) b = b.optional();
  return (eager ? b : b.allowCombinations()).followedBy('d').where(named('d'));
};
const afterOneOrMoreInput = numbered('A_1', 'B_1', 'B_2', 'B_3', 'C_1', 'B_4', 'B_5', 'B_6', 'D_1');
const beforeOneOrMoreInput = numbered('A_1', 'B_1', 'C_1', 'B_4', 'B_5', 'B_6', 'D_1');
const beforeEager = ['A_1 B_1 B_4 B_5 B_6 D_1', 'A_1 B_1 B_4 B_5 D_1', 'A_1 B_1 B_4 D_1', 'A_1 B_1 D_1'];
const beforeCombinations = [
  'A_1 B_1 B_4 B_5 B_6 D_1', 'A_1 B_1 B_4 B_6 D_1', 'A_1 B_1 B_4 B_5 D_1', 'A_1 B_1 B_4 D_1',
  'A_1 B_1 B_5 B_6 D_1', 'A_1 B_1 B_5 D_1', 'A_1 B_1 B_6 D_1', 'A_1 B_1 D_1',
];

const cases: FlinkCase[] = [
  feedCase(
    'NotPatternITCase.testNotNext',
    acbcd,
    acbcdInput,
    () => begin('start').where(named('a')).notNext('notPattern').where(named('b')).followedByAny('middle').where(named('c')).followedBy('end').where(named('d')),
    ['a1 c1 d', 'a1 c2 d'],
  ),
  feedCase(
    'NotPatternITCase.testNotNextNoMatches',
    acbcd,
    [['a1', 1], ['b1', 2], ['c1', 3], ['c2', 4], ['d', 5]],
    () => begin('start').where(named('a')).notNext('notPattern').where(named('b')).followedBy('middle').where(named('c')).followedBy('end').where(named('d')),
    [],
  ),
  feedCase(
    'NotPatternITCase.testNotNextNoMatchesAtTheEnd',
    acbcd,
    [['a1', 1], ['c1', 2], ['c2', 3], ['d', 4], ['b1', 5]],
    () => begin('start').where(named('a')).followedByAny('middle').where(named('c')).followedByAny('end').where(named('d')).notNext('notPattern').where(named('b')),
    [],
  ),
  feedCase(
    'NotPatternITCase.testNotFollowedBy',
    acbcd,
    acbcdInput,
    () => begin('start').where(named('a')).notFollowedBy('notPattern').where(named('b')).followedByAny('middle').where(named('c')).followedBy('end').where(named('d')),
    ['a1 c1 d'],
  ),
  feedCase(
    'NotPatternITCase.testNotFollowedByBeforeOptional',
    acbcd,
    acbcdInput,
    () => begin('start').where(named('a')).notFollowedBy('notPattern').where(named('b')).followedByAny('middle').where(named('c')).optional().followedBy('end').where(named('d')),
    ['a1 c1 d'],
  ),
  feedCase(
    'NotPatternITCase.testTimesWithNotFollowedBy',
    { a1: [40, 'a', 1.0], b1: [41, 'b', 2.0], c: [42, 'c', 3.0], b2: [43, 'b', 4.0], d: [43, 'd', 4.0] },
    [['a1', 1], ['b1', 2], ['c', 3], ['b2', 4], ['d', 5]],
    () => begin('start').where(named('a')).followedByAny('middle').where(named('b')).times(2).notFollowedBy('notPattern').where(named('c')).followedBy('end').where(named('d')),
    [],
  ),
  feedCase(
    'NotPatternITCase.testIgnoreStateOfTimesWithNotFollowedBy',
    { a1: [40, 'a', 1.0], e: [41, 'e', 2.0], c1: [42, 'c', 3.0], b1: [43, 'b', 4.0], c2: [44, 'c', 5.0], d1: [45, 'd', 6.0], d2: [46, 'd', 7.0] },
    [['a1', 1], ['d1', 2], ['e', 1], ['b1', 3], ['c1', 2], ['c2', 4], ['d2', 5]],
    () => begin('start').where(named('a')).notFollowedBy('notPattern').where(named('b')).followedByAny('middle').where(named('c')).times(2).optional().followedBy('end').where(named('d')),
    ['a1 d1'],
  ),
  feedCase(
    'NotPatternITCase.testTimesWithNotFollowedByAfter',
    { a1: [40, 'a', 1.0], e: [41, 'e', 2.0], c1: [42, 'c', 3.0], b1: [43, 'b', 4.0], b2: [44, 'b', 5.0], d1: [46, 'd', 7.0], d2: [47, 'd', 8.0] },
    [['a1', 1], ['d1', 2], ['e', 1], ['b1', 3], ['b2', 3], ['c1', 2], ['d2', 5]],
    () => begin('start').where(named('a')).followedByAny('middle').where(named('b')).times(2).notFollowedBy('notPattern').where(named('c')).followedBy('end').where(named('d')),
    [],
  ),
  feedCase(
    'NotPatternITCase.testNotFollowedByBeforeOptionalAtTheEnd',
    { a1: [40, 'a', 1.0], c1: [41, 'c', 2.0], b1: [42, 'b', 3.0], c2: [43, 'c', 4.0] },
    [['a1', 1], ['c1', 2], ['b1', 3], ['c2', 4]],
    () => begin('start').where(named('a')).notFollowedBy('notPattern').where(named('b')).followedByAny('end').where(named('c')).optional(),
    ['a1 c1', 'a1'],
  ),
  feedCase(
    'NotPatternITCase.testNotFollowedByBeforeOptionalTimes',
    acbcd,
    acbcdInput,
    () => begin('start').where(named('a')).notFollowedBy('notPattern').where(named('b')).followedByAny('middle').where(named('c')).times(2).optional().followedBy('end').where(named('d')),
    ['a1 c1 c2 d'],
  ),
  feedCase(
    'NotPatternITCase.testNotFollowedByWithBranchingAtStart',
    { a1: [40, 'a', 1.0], b1: [42, 'b', 3.0], c1: [41, 'c', 2.0], a2: [41, 'a', 4.0], c2: [43, 'c', 5.0], d: [43, 'd', 6.0] },
    [['a1', 1], ['b1', 2], ['c1', 3], ['a2', 4], ['c2', 5], ['d', 6]],
    () => begin('start').where(named('a')).notFollowedBy('notPattern').where(named('b')).followedBy('middle').where(named('c')).followedBy('end').where(named('d')),
    ['a2 c2 d'],
  ),
  feedCase('NotPatternITCase.testNotNextAfterOneOrMoreSkipTillNext', notFollowByData, numbered('A_1', 'B_1', 'C_1', 'B_2', 'D_1'), notNextAfterOneOrMore(false), []),
  feedCase('NotPatternITCase.testNotNextAfterOneOrMoreSkipTillAny', notFollowByData, numbered('A_1', 'B_1', 'C_1', 'B_2', 'D_1'), notNextAfterOneOrMore(true), ['A_1 B_2 D_1']),
  feedCase('NotPatternITCase.testNotFollowedByNextAfterOneOrMoreEager', notFollowByData, afterOneOrMoreInput, notFollowedByAfterOneOrMore(true, false), []),
  feedCase('NotPatternITCase.testNotFollowedByAnyAfterOneOrMoreEager', notFollowByData, afterOneOrMoreInput, notFollowedByAfterOneOrMore(true, true), [
    'A_1 B_4 B_5 B_6 D_1', 'A_1 B_4 B_5 D_1', 'A_1 B_4 D_1', 'A_1 B_5 B_6 D_1', 'A_1 B_5 D_1', 'A_1 B_6 D_1',
  ]),
  feedCase('NotPatternITCase.testNotFollowedByNextAfterOneOrMoreCombinations', notFollowByData, afterOneOrMoreInput, notFollowedByAfterOneOrMore(false, false), []),
  feedCase('NotPatternITCase.testNotFollowedByAnyAfterOneOrMoreCombinations', notFollowByData, afterOneOrMoreInput, notFollowedByAfterOneOrMore(false, true), [
    'A_1 B_4 B_5 B_6 D_1', 'A_1 B_4 B_5 D_1', 'A_1 B_4 B_6 D_1', 'A_1 B_4 D_1', 'A_1 B_5 B_6 D_1', 'A_1 B_5 D_1', 'A_1 B_6 D_1',
  ]),
  feedCase('NotPatternITCase.testNotFollowedByAnyBeforeOneOrMoreEager', notFollowByData, beforeOneOrMoreInput, notFollowedByBefore(true, true, false), beforeEager),
  feedCase('NotPatternITCase.testNotFollowedByAnyBeforeOneOrMoreCombinations', notFollowByData, beforeOneOrMoreInput, notFollowedByBefore(false, true, false), beforeCombinations),
  feedCase('NotPatternITCase.testNotFollowedByBeforeOneOrMoreEager', notFollowByData, beforeOneOrMoreInput, notFollowedByBefore(true, false, false), beforeEager),
  feedCase('NotPatternITCase.testNotFollowedByBeforeOneOrMoreCombinations', notFollowByData, beforeOneOrMoreInput, notFollowedByBefore(false, false, false), beforeCombinations),
  feedCase('NotPatternITCase.testNotFollowedByBeforeZeroOrMoreEagerSkipTillNext', notFollowByData, beforeOneOrMoreInput, notFollowedByBefore(true, false, true), beforeEager),
  feedCase('NotPatternITCase.testNotFollowedByBeforeZeroOrMoreCombinationsSkipTillNext', notFollowByData, beforeOneOrMoreInput, notFollowedByBefore(false, false, true), beforeCombinations),
  feedCase('NotPatternITCase.testNotFollowedByBeforeZeroOrMoreEagerSkipTillAny', notFollowByData, beforeOneOrMoreInput, notFollowedByBefore(true, true, true), beforeEager),
  feedCase('NotPatternITCase.testNotFollowedByBeforeZeroOrMoreCombinationsSkipTillAny', notFollowByData, beforeOneOrMoreInput, notFollowedByBefore(false, true, true), beforeCombinations),
  ...(['firstAndLast', 'previousAndCurrent'] as const).map((type) =>
    feedCase(
      `NotPatternITCase.testNotFollowedByWithin${type === 'firstAndLast' ? 'FirstAndLast' : 'PreviousAndCurrent'}AtEnd`,
      { a1: [40, 'a', 1.0], b1: [41, 'b', 2.0], a2: [42, 'a', 3.0], c: [43, 'c', 4.0], b2: [44, 'b', 5.0], a3: [45, 'a', 7.0], b3: [46, 'b', 8.0] },
      [['a1', 1], ['b1', 2], ['a2', 4], ['c', 5], ['b2', 10], ['a3', 11], ['b3', 13]],
      () => begin('a').where(named('a')).notFollowedBy('b').where(named('b')).within(3, type),
      ['a2'],
    ),
  ),
  feedCase(
    'NotPatternITCase.testNotFollowByBeforeTimesWithin',
    { a1: [40, 'a', 1.0], b1: [41, 'b', 2.0], a2: [42, 'a', 3.0], c1: [43, 'c', 4.0], c2: [44, 'c', 5.0], a3: [45, 'a', 7.0], c3: [46, 'c', 8.0], c4: [47, 'c', 8.0] },
    [['a1', 1], ['b1', 2], ['a2', 10], ['c1', 11], ['c2', 12], ['a3', 20], ['c3', 21], ['c4', 24]],
    () => begin('a').where(named('a')).notFollowedBy('b').where(named('b')).followedBy('c').where(named('c')).times(0, 2).within(3),
    ['a1', 'a2', 'a2 c1', 'a2 c1 c2', 'a3', 'a3 c3'],
  ),
  {
    name: 'NotPatternITCase.testNotFollowedByWithinAtEndAfterMatch',
    run() {
      const e = eventsOf({ a1: [40, 'a', 1.0], a2: [41, 'a', 2.0], a3: [42, 'a', 3.0], c1: [43, 'c', 4.0], c2: [44, 'c', 5.0] });
      const pattern = begin('a', { kind: 'skipPastLastEvent' }).where(named('a')).oneOrMore().allowCombinations()
        .followedBy('c').where(named('c'))
        .notFollowedBy('b').where(named('b'))
        .within(5);
      const harness = NFATestHarness.forNFA(pattern, false, skipStrategyOf({ kind: 'skipPastLastEvent' }));
      const input: Rec[] = [[e.a1!, 1], [e.a2!, 2], [e.a3!, 3], [e.c1!, 4], [e.c2!, 10]];
      comparePatterns(harness.feedRecords(input), [[e.a1!, e.a2!, e.a3!, e.c1!]]);
    },
  },
];

for (const c of cases) test(c.name, c.run);
