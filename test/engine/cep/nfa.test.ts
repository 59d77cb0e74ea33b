/**
 * Flink's NFAITCase (flink-libraries/flink-cep/src/test/.../nfa/NFAITCase.java), ported case by case:
 * same inputs, same expected matches. Lambdas became TypeScript functions; WithinType.PREVIOUS_AND_CURRENT
 * is the builder's within(d, 'previousAndCurrent'). Not ported: testSharedBufferClearing, which only
 * checks with Mockito that SharedBufferAccessor.advanceTime (its per-timestamp event-id counters) runs
 * in NFA.advanceTime and not in process; sw's shared buffer has no such counters (events carry an
 * arrival sequence number), so there is no call to observe.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  begin,
  comparePatterns,
  event,
  feedNFA,
  named,
  eventsOf,
  type EventTable,
  type EventPattern,
  feedCase,
  runRecords,
  mapKey,
  assertSameSet,
  NFATestHarness,
  subEvent,
  type Event,
  type FlinkCase,
  type Rec,
} from './flink-harness.js';

const abcde = (): { a: Event; b: Event; c: Event; d: Event; e: Event; input: Rec[] } => {
  const a = event(40, 'a', 1.0);
  const b = event(41, 'b', 2.0);
  const c = event(42, 'c', 3.0);
  const d = event(43, 'd', 4.0);
  const e = event(44, 'e', 5.0);
  return { a, b, c, d, e, input: [[a, 1], [b, 2], [c, 3], [d, 4], [e, 5]] };
};

/** The input of NFAITCase's testSimplePatternWithTimeWindowNFA* and testSimplePatternWithTimeoutHandling* cases. */
const timeWindowInput = (): Rec[] => [
  [event(1, 'start', 1.0), 1],
  [event(2, 'start', 1.0), 2],
  [event(3, 'middle', 1.0), 3],
  [event(4, 'foobar', 1.0), 4],
  [event(5, 'end', 1.0), 11],
  [event(6, 'end', 1.0), 13],
];

/** testSimplePatternWithTimeoutHandlingWithin{FirstAndLast,PreviousAndCurrent}: within(10) of either type. */
function timeoutHandlingCase(type: 'firstAndLast' | 'previousAndCurrent', matchCount: number, expected: [Record<string, Event[]>, number][]): FlinkCase {
  return {
    name: `NFAITCase.testSimplePatternWithTimeoutHandlingWithin${type === 'firstAndLast' ? 'FirstAndLast' : 'PreviousAndCurrent'}`,
    run() {
      const input = timeWindowInput();
      const pattern = begin('start').where(named('start'))
        .followedByAny('middle').where(named('middle'))
        .followedByAny('end').where(named('end'))
        .within(10, type);
      const { matches, timeouts } = runRecords(NFATestHarness.forNFA(pattern, true), input);
      assert.equal(matches.length, matchCount);
      assert.equal(timeouts.length, expected.length);
      assertSameSet(timeouts.map(([m, t]) => `${mapKey(m)}@${t}`), expected.map(([m, t]) => `${mapKey(m)}@${t}`));
    },
  };
}

const cases: FlinkCase[] = [];
cases.push(
  {
    name: 'NFAITCase.testNoConditionNFA',
    run() {
      const { a, b, c, d, e, input } = abcde();
      comparePatterns(feedNFA(input, begin('start').followedBy('end')), [[a, b], [b, c], [c, d], [d, e]]);
    },
  },
  {
    name: 'NFAITCase.testNoConditionLoopingNFA',
    run() {
      const { a, b, c, d, e, input } = abcde();
      comparePatterns(feedNFA(input, begin('start').followedBy('end').oneOrMore()), [
        [a, b, c, d, e], [a, b, c, d], [a, b, c], [a, b],
        [b, c, d, e], [b, c, d], [b, c],
        [c, d, e], [c, d],
        [d, e],
      ]);
    },
  },
  {
    name: 'NFAITCase.testAnyWithNoConditionNFA',
    run() {
      const { a, b, c, d, e, input } = abcde();
      comparePatterns(feedNFA(input, begin('start').followedByAny('end')), [
        [a, b], [a, c], [a, d], [a, e], [b, c], [b, d], [b, e], [c, d], [c, e], [d, e],
      ]);
    },
  },
  {
    name: 'NFAITCase.testSimplePatternNFA',
    run() {
      const startEvent = event(41, 'start', 1.0);
      const middleEvent = subEvent(42, 'foo', 1.0, 10.0);
      const endEvent = event(43, 'end', 1.0);
      const input: Rec[] = [
        [startEvent, 1],
        [event(43, 'foobar', 1.0), 2],
        [subEvent(41, 'barfoo', 1.0, 5.0), 3],
        [middleEvent, 3],
        [event(43, 'start', 1.0), 4],
        [endEvent, 5],
      ];
      const pattern = begin('start').where(named('start'))
        .followedBy('middle').where((v) => v.volume !== undefined && v.volume > 5.0)
        .followedBy('end').where(named('end'));
      comparePatterns(feedNFA(input, pattern), [[startEvent, middleEvent, endEvent]]);
    },
  },
  {
    name: 'NFAITCase.testStrictContinuityWithResults',
    run() {
      const middleEvent1 = event(41, 'a', 2.0);
      const end = event(42, 'b', 4.0);
      const pattern = begin('middle').where(named('a')).next('end').where(named('b'));
      comparePatterns(feedNFA([[middleEvent1, 3], [end, 5]], pattern), [[middleEvent1, end]]);
    },
  },
  {
    name: 'NFAITCase.testStrictContinuityNoResults',
    run() {
      const pattern = begin('middle').where(named('a')).next('end').where(named('b'));
      const input: Rec[] = [[event(41, 'a', 2.0), 3], [event(42, 'c', 3.0), 4], [event(43, 'b', 4.0), 5]];
      comparePatterns(feedNFA(input, pattern), []);
    },
  },
  {
    name: 'NFAITCase.testSimplePatternWithTimeWindowNFAWithinFirstAndLast',
    run() {
      const pattern = begin('start').where(named('start'))
        .followedBy('middle').where(named('middle'))
        .followedBy('end').where(named('end'))
        .within(10);
      comparePatterns(feedNFA(timeWindowInput(), pattern), [[event(2, 'start', 1.0), event(3, 'middle', 1.0), event(5, 'end', 1.0)]]);
    },
  },
);
cases.push(
  {
    name: 'NFAITCase.testSimplePatternWithTimeWindowNFAWithinPreviousAndCurrent',
    run() {
      const pattern = begin('start').where(named('start'))
        .followedBy('middle').where(named('middle'))
        .followedBy('end').where(named('end'))
        .within(9, 'previousAndCurrent');
      comparePatterns(feedNFA(timeWindowInput(), pattern), [
        [event(1, 'start', 1.0), event(3, 'middle', 1.0), event(5, 'end', 1.0)],
        [event(2, 'start', 1.0), event(3, 'middle', 1.0), event(5, 'end', 1.0)],
      ]);
    },
  },
  timeoutHandlingCase('firstAndLast', 1, [
    [{ start: [event(1, 'start', 1.0)], middle: [event(3, 'middle', 1.0)] }, 11],
    [{ start: [event(2, 'start', 1.0)], middle: [event(3, 'middle', 1.0)] }, 12],
    [{ start: [event(1, 'start', 1.0)] }, 11],
    [{ start: [event(2, 'start', 1.0)] }, 12],
  ]),
  timeoutHandlingCase('previousAndCurrent', 2, [
    [{ start: [event(1, 'start', 1.0)], middle: [event(3, 'middle', 1.0)] }, 13],
    [{ start: [event(2, 'start', 1.0)], middle: [event(3, 'middle', 1.0)] }, 13],
  ]),
  ...(['firstAndLast', 'previousAndCurrent'] as const).map((type): FlinkCase => ({
    name: `NFAITCase.testPendingStateMatchesWithin${type === 'firstAndLast' ? 'FirstAndLast' : 'PreviousAndCurrent'}`,
    run() {
      const input: Rec[] = [
        [event(1, 'start', 1.0), 1],
        [event(2, 'middle', 1.0), 4],
        [event(3, 'start', 1.0), 5],
        [event(4, 'start', 1.0), 11],
        [event(5, 'middle', 1.0), 18],
      ];
      const pattern = begin('start').where(named('start')).notFollowedBy('middle').where(named('middle')).within(5, type);
      const { pending } = runRecords(NFATestHarness.forNFA(pattern, true), input);
      assert.equal(pending.length, 2);
      assertSameSet(pending.map(mapKey), [mapKey({ start: [event(3, 'start', 1.0)] }), mapKey({ start: [event(4, 'start', 1.0)] })]);
    },
  })),
  {
    name: 'NFAITCase.testBranchingPattern',
    run() {
      const startEvent = event(40, 'start', 1.0);
      const middleEvent1 = subEvent(41, 'foo1', 1.0, 10.0);
      const middleEvent2 = subEvent(42, 'foo2', 1.0, 10.0);
      const middleEvent3 = subEvent(43, 'foo3', 1.0, 10.0);
      const nextOne1 = subEvent(44, 'next-one', 1.0, 2.0);
      const nextOne2 = subEvent(45, 'next-one', 1.0, 2.0);
      const endEvent = event(46, 'end', 1.0);
      const input: Rec[] = [[startEvent, 1], [middleEvent1, 3], [middleEvent2, 4], [middleEvent3, 5], [nextOne1, 6], [nextOne2, 7], [endEvent, 8]];
      const pattern = begin('start').where(named('start'))
        .followedByAny('middle-first').where((v) => v.volume !== undefined && v.volume > 5.0)
        .followedByAny('middle-second').where((v) => v.volume !== undefined && v.name === 'next-one')
        .followedByAny('end').where(named('end'));
      comparePatterns(feedNFA(input, pattern), [
        [startEvent, middleEvent1, nextOne1, endEvent],
        [startEvent, middleEvent2, nextOne1, endEvent],
        [startEvent, middleEvent3, nextOne1, endEvent],
        [startEvent, middleEvent1, nextOne2, endEvent],
        [startEvent, middleEvent2, nextOne2, endEvent],
        [startEvent, middleEvent3, nextOne2, endEvent],
      ]);
    },
  },
  {
    name: 'NFAITCase.testComplexBranchingAfterZeroOrMore',
    run() {
      const startEvent = event(40, 'c', 1.0);
      const middleEvent1 = event(41, 'a', 2.0);
      const middleEvent2 = event(42, 'a', 3.0);
      const middleEvent3 = event(43, 'a', 4.0);
      const end1 = event(44, 'b', 5.0);
      const end2 = event(45, 'd', 6.0);
      const end3 = event(46, 'd', 7.0);
      const end4 = event(47, 'e', 8.0);
      const input: Rec[] = [[startEvent, 1], [middleEvent1, 3], [middleEvent2, 4], [middleEvent3, 5], [end1, 6], [end2, 7], [end3, 8], [end4, 9]];
      const pattern = begin('start').where(named('c'))
        .followedByAny('middle').where(named('a')).oneOrMore().allowCombinations().optional()
        .followedByAny('end1').where(named('b'))
        .followedByAny('end2').where(named('d'))
        .followedByAny('end3').where(named('e'));
      comparePatterns(feedNFA(input, pattern), [
        [startEvent, middleEvent1, middleEvent2, middleEvent3, end1, end2, end4],
        [startEvent, middleEvent1, middleEvent2, end1, end2, end4],
        [startEvent, middleEvent1, middleEvent3, end1, end2, end4],
        [startEvent, middleEvent2, middleEvent3, end1, end2, end4],
        [startEvent, middleEvent1, end1, end2, end4],
        [startEvent, middleEvent2, end1, end2, end4],
        [startEvent, middleEvent3, end1, end2, end4],
        [startEvent, end1, end2, end4],
        [startEvent, middleEvent1, middleEvent2, middleEvent3, end1, end3, end4],
        [startEvent, middleEvent1, middleEvent2, end1, end3, end4],
        [startEvent, middleEvent1, middleEvent3, end1, end3, end4],
        [startEvent, middleEvent2, middleEvent3, end1, end3, end4],
        [startEvent, middleEvent1, end1, end3, end4],
        [startEvent, middleEvent2, end1, end3, end4],
        [startEvent, middleEvent3, end1, end3, end4],
        [startEvent, end1, end3, end4],
      ]);
    },
  },
);
cases.push(
  feedCase(
    'NFAITCase.testZeroOrMore',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], end1: [44, 'b', 5.0] },
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['end1', 6]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).oneOrMore().allowCombinations().optional().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end1', 'startEvent middleEvent1 end1', 'startEvent middleEvent2 end1', 'startEvent end1'],
  ),
  feedCase(
    'NFAITCase.testEagerZeroOrMore',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [43, 'a', 4.0], end1: [44, 'b', 5.0] },
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], [event(50, 'd', 6.0), 5], ['middleEvent3', 6], ['end1', 7]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore().optional().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 middleEvent3 end1', 'startEvent middleEvent1 middleEvent2 end1', 'startEvent middleEvent1 end1', 'startEvent end1'],
  ),
  feedCase(
    'NFAITCase.testBeginWithZeroOrMore',
    { middleEvent1: [40, 'a', 2.0], middleEvent2: [41, 'a', 3.0], middleEvent3: [41, 'a', 3.0], end: [42, 'b', 4.0] },
    [['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5], ['end', 6]],
    () => begin('middle').where(named('a')).oneOrMore().optional().followedBy('end').where(named('b')),
    [
      'middleEvent1 middleEvent2 middleEvent3 end', 'middleEvent1 middleEvent2 end', 'middleEvent2 middleEvent3 end',
      'middleEvent1 end', 'middleEvent2 end', 'middleEvent3 end', 'end',
    ],
  ),
  feedCase(
    'NFAITCase.testZeroOrMoreAfterZeroOrMore',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'd', 3.0], middleEvent3: [43, 'd', 4.0], end: [44, 'e', 4.0] },
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5], ['end', 6]],
    () => begin('start').where(named('c'))
      .followedByAny('middle-first').where(named('a')).oneOrMore().allowCombinations().optional()
      .followedBy('middle-second').where(named('d')).oneOrMore().allowCombinations().optional()
      .followedBy('end').where(named('e')),
    [
      'startEvent middleEvent1 middleEvent2 middleEvent3 end', 'startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent2 middleEvent3 end',
      'startEvent middleEvent2 end', 'startEvent middleEvent1 end', 'startEvent end',
    ],
  ),
  feedCase(
    'NFAITCase.testZeroOrMoreAfterBranching',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], merging: [42, 'f', 3.0], kleene1: [43, 'd', 4.0], kleene2: [44, 'd', 4.0], end: [45, 'e', 4.0] },
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['merging', 5], ['kleene1', 6], ['kleene2', 7], ['end', 8]],
    () => begin('start').where(named('c'))
      .followedByAny('branching').where(named('a'))
      .followedByAny('merging').where(named('f'))
      .followedByAny('kleene').where(named('d')).oneOrMore().allowCombinations().optional()
      .followedBy('end').where(named('e')),
    [
      'startEvent middleEvent1 merging end', 'startEvent middleEvent1 merging kleene1 end', 'startEvent middleEvent1 merging kleene2 end',
      'startEvent middleEvent1 merging kleene1 kleene2 end', 'startEvent middleEvent2 merging end', 'startEvent middleEvent2 merging kleene1 end',
      'startEvent middleEvent2 merging kleene2 end', 'startEvent middleEvent2 merging kleene1 kleene2 end',
    ],
  ),
  feedCase(
    'NFAITCase.testStrictContinuityNoResultsAfterZeroOrMore',
    { start: [40, 'd', 2.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 2.0], middleEvent3: [43, 'c', 3.0], end: [44, 'b', 4.0] },
    [['start', 1], ['middleEvent1', 2], ['middleEvent2', 3], ['middleEvent3', 4], ['end', 5]],
    () => begin('start').where(named('d')).followedBy('middle').where(named('a')).oneOrMore().optional().next('end').where(named('b')),
    [],
  ),
  feedCase(
    'NFAITCase.testStrictContinuityResultsAfterZeroOrMore',
    { start: [40, 'd', 2.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 2.0], end: [43, 'b', 4.0] },
    [['start', 1], ['middleEvent1', 2], ['middleEvent2', 3], ['end', 5]],
    () => begin('start').where(named('d')).followedByAny('middle').where(named('a')).oneOrMore().optional().allowCombinations().next('end').where(named('b')),
    ['start middleEvent1 middleEvent2 end', 'start middleEvent2 end'],
  ),
  feedCase(
    'NFAITCase.testAtLeastOne',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], end1: [44, 'b', 5.0] },
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['end1', 6]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).oneOrMore().allowCombinations().followedByAny('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end1', 'startEvent middleEvent1 end1', 'startEvent middleEvent2 end1'],
  ),
);
/** NFAITCase.ConsecutiveData. */
const consecutiveData = { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [43, 'a', 4.0], middleEvent4: [43, 'a', 5.0], end: [44, 'b', 5.0] } as const;

cases.push(
  feedCase(
    'NFAITCase.testBeginWithAtLeastOne',
    { startEvent1: [41, 'a', 2.0], startEvent2: [42, 'a', 3.0], startEvent3: [42, 'a', 4.0], end1: [44, 'b', 5.0] },
    [['startEvent1', 3], ['startEvent2', 4], ['startEvent3', 5], ['end1', 6]],
    () => begin('start').where(named('a')).oneOrMore().allowCombinations().followedBy('end').where(named('b')),
    [
      'startEvent1 startEvent2 startEvent3 end1', 'startEvent1 startEvent2 end1', 'startEvent1 startEvent3 end1', 'startEvent2 startEvent3 end1',
      'startEvent1 end1', 'startEvent2 end1', 'startEvent3 end1',
    ],
  ),
  feedCase(
    'NFAITCase.testNextZeroOrMore',
    { startEvent: [40, 'start', 1.0], middleEvent1: [40, 'middle', 2.0], middleEvent2: [40, 'middle', 3.0], middleEvent3: [40, 'middle', 4.0], endEvent: [46, 'end', 1.0] },
    [['startEvent', 1], [event(1, 'event', 1.0), 2], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5], ['endEvent', 6]],
    () => begin('start').where(named('start')).next('middle').where(named('middle')).oneOrMore().optional().consecutive().followedBy('end').where(named('end')),
    ['startEvent endEvent'],
  ),
  feedCase(
    'NFAITCase.testAtLeastOneEager',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [43, 'a', 4.0], end1: [44, 'b', 5.0] },
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5], ['end1', 6]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).oneOrMore().followedByAny('end1').where(named('b')),
    [
      'startEvent middleEvent1 middleEvent2 middleEvent3 end1', 'startEvent middleEvent1 middleEvent2 end1', 'startEvent middleEvent2 middleEvent3 end1',
      'startEvent middleEvent3 end1', 'startEvent middleEvent2 end1', 'startEvent middleEvent1 end1',
    ],
  ),
  feedCase(
    'NFAITCase.testOptional',
    { startEvent: [40, 'c', 1.0], middleEvent: [43, 'a', 4.0], end1: [44, 'b', 5.0] },
    [['startEvent', 1], ['middleEvent', 5], ['end1', 6]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).optional().followedBy('end1').where(named('b')),
    ['startEvent middleEvent end1', 'startEvent end1'],
  ),
  feedCase(
    'NFAITCase.testTimes',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [43, 'a', 4.0], end1: [44, 'b', 5.0] },
    [['startEvent', 1], ['middleEvent1', 2], ['middleEvent2', 3], ['middleEvent3', 4], ['end1', 6]],
    () => begin('start').where(named('c')).next('middle').where(named('a')).times(2).allowCombinations().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end1', 'startEvent middleEvent1 middleEvent3 end1'],
  ),
  feedCase(
    'NFAITCase.testStartWithTimes',
    { middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [43, 'a', 4.0], end1: [44, 'b', 5.0] },
    [['middleEvent1', 2], ['middleEvent2', 3], ['middleEvent3', 4], ['end1', 6]],
    () => begin('middle').where(named('a')).times(2).consecutive().followedBy('end1').where(named('b')),
    ['middleEvent1 middleEvent2 end1', 'middleEvent2 middleEvent3 end1'],
  ),
  feedCase(
    'NFAITCase.testTimesNonStrictWithNext',
    consecutiveData,
    [['startEvent', 1], ['middleEvent1', 2], [event(23, 'f', 1.0), 3], ['middleEvent2', 4], [event(23, 'f', 1.0), 5], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).next('middle').where(named('a')).times(2).allowCombinations().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 middleEvent3 end'],
  ),
  feedCase(
    'NFAITCase.testTimesNotStrictWithFollowedByEager',
    consecutiveData,
    [['startEvent', 1], ['middleEvent1', 2], ['middleEvent2', 4], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).times(2).followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end'],
  ),
  feedCase(
    'NFAITCase.testTimesNotStrictWithFollowedByNotEager',
    consecutiveData,
    [['startEvent', 1], ['middleEvent1', 2], ['middleEvent2', 4], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).times(2).allowCombinations().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent3 middleEvent2 end', 'startEvent middleEvent3 middleEvent1 end'],
  ),
  feedCase(
    'NFAITCase.testTimesStrictWithNextAndConsecutive',
    consecutiveData,
    [['startEvent', 1], ['middleEvent1', 2], [event(23, 'f', 1.0), 3], ['middleEvent2', 4], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).next('middle').where(named('a')).times(2).consecutive().followedBy('end1').where(named('b')),
    [],
  ),
);
const fEvent = (): Event => event(23, 'f', 1.0);
const cma = { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [43, 'a', 4.0] } as const;

cases.push(
  feedCase(
    'NFAITCase.testStartWithOptional',
    { startEvent: [40, 'c', 1.0], end1: [44, 'b', 5.0] },
    [['startEvent', 1], ['end1', 6]],
    () => begin('start').where(named('c')).optional().followedBy('end1').where(named('b')),
    ['startEvent end1', 'end1'],
  ),
  feedCase(
    'NFAITCase.testEndWithZeroOrMore',
    cma,
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore().optional(),
    ['startEvent middleEvent1 middleEvent2 middleEvent3', 'startEvent middleEvent1 middleEvent2', 'startEvent middleEvent1', 'startEvent'],
  ),
  feedCase(
    'NFAITCase.testStartAndEndWithZeroOrMore',
    { ...cma, end1: [44, 'd', 5.0], end2: [45, 'd', 5.0], end3: [46, 'd', 5.0] },
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5], ['end1', 6], ['end2', 6], ['end3', 6]],
    () => begin('start').where(named('a')).oneOrMore().optional(),
    ['middleEvent1 middleEvent2 middleEvent3', 'middleEvent1 middleEvent2', 'middleEvent1', 'middleEvent2 middleEvent3', 'middleEvent2', 'middleEvent3'],
  ),
  feedCase(
    'NFAITCase.testEndWithOptional',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0] },
    [['startEvent', 1], ['middleEvent1', 3]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).optional(),
    ['startEvent middleEvent1', 'startEvent'],
  ),
  feedCase(
    'NFAITCase.testEndWithOneOrMore',
    cma,
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore(),
    ['startEvent middleEvent1 middleEvent2 middleEvent3', 'startEvent middleEvent1 middleEvent2', 'startEvent middleEvent1'],
  ),
  feedCase(
    'NFAITCase.testTimesNonStrictOptional1',
    consecutiveData,
    [['startEvent', 1], [fEvent(), 2], ['end', 7]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).times(3).optional().followedBy('end1').where(named('b')),
    ['startEvent end'],
  ),
  feedCase(
    'NFAITCase.testTimesNonStrictOptional2',
    consecutiveData,
    [['startEvent', 1], [fEvent(), 2], ['middleEvent1', 3], [fEvent(), 4], ['middleEvent2', 5], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).times(2).allowCombinations().optional().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 middleEvent3 end', 'startEvent middleEvent2 middleEvent3 end', 'startEvent end'],
  ),
  feedCase(
    'NFAITCase.testTimesNonStrictOptional3',
    consecutiveData,
    [['startEvent', 1], [fEvent(), 2], ['middleEvent1', 3], [fEvent(), 4], ['middleEvent2', 5], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).times(2).optional().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent2 middleEvent3 end', 'startEvent end'],
  ),
  feedCase(
    'NFAITCase.testTimesStrictOptional',
    consecutiveData,
    [['startEvent', 1], [fEvent(), 2], ['middleEvent1', 3], [fEvent(), 4], ['middleEvent2', 5], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).times(2).consecutive().optional().followedBy('end1').where(named('b')),
    ['startEvent middleEvent2 middleEvent3 end', 'startEvent end'],
  ),
);
const oneOrMoreInput: (readonly [string | Event, number])[] = [
  ['startEvent', 1], [event(50, 'd', 6.0), 2], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 4], [event(50, 'd', 6.0), 5], ['middleEvent4', 6], ['end', 7],
];
/** NFAITCase.testOneOrMore / testZeroOrMore(strategy): the middle loop's inner contiguity. */
const middleLoop = (strategy: 'strict' | 'skipTillNext' | 'skipTillAny', optional: boolean) => () => {
  let p = begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore();
  if (optional) p = p.optional();
  if (strategy === 'strict') p = p.consecutive();
  if (strategy === 'skipTillAny') p = p.allowCombinations();
  return p.followedBy('end1').where(named('b'));
};

cases.push(
  feedCase(
    'NFAITCase.testOneOrMoreStrictOptional',
    consecutiveData,
    [['startEvent', 1], [fEvent(), 2], ['middleEvent1', 3], [fEvent(), 4], ['middleEvent2', 5], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).oneOrMore().consecutive().optional().followedBy('end1').where(named('b')),
    ['startEvent middleEvent2 middleEvent3 end', 'startEvent middleEvent1 end', 'startEvent middleEvent2 end', 'startEvent middleEvent3 end', 'startEvent end'],
  ),
  feedCase(
    'NFAITCase.testTimesStrictOptional1',
    consecutiveData,
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 5], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).next('middle').where(named('a')).times(2).consecutive().optional().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end', 'startEvent end'],
  ),
  feedCase(
    'NFAITCase.testOptionalTimesNonStrictWithNext',
    consecutiveData,
    [['startEvent', 1], ['middleEvent1', 2], [fEvent(), 3], ['middleEvent2', 4], [fEvent(), 5], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).next('middle').where(named('a')).times(2).allowCombinations().optional().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 middleEvent3 end', 'startEvent end'],
  ),
  feedCase('NFAITCase.testStrictOneOrMore', consecutiveData, oneOrMoreInput, middleLoop('strict', false), [
    'startEvent middleEvent1 middleEvent2 middleEvent3 end', 'startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 end',
  ]),
  feedCase('NFAITCase.testSkipTillNextOneOrMore', consecutiveData, oneOrMoreInput, middleLoop('skipTillNext', false), [
    'startEvent middleEvent1 middleEvent2 middleEvent3 middleEvent4 end', 'startEvent middleEvent1 middleEvent2 middleEvent3 end',
    'startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 end',
  ]),
  feedCase('NFAITCase.testSkipTillAnyOneOrMore', consecutiveData, oneOrMoreInput, middleLoop('skipTillAny', false), [
    'startEvent middleEvent1 middleEvent2 middleEvent3 middleEvent4 end', 'startEvent middleEvent1 middleEvent3 middleEvent4 end',
    'startEvent middleEvent1 middleEvent2 middleEvent3 end', 'startEvent middleEvent1 middleEvent2 middleEvent4 end',
    'startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 middleEvent3 end', 'startEvent middleEvent1 middleEvent4 end',
    'startEvent middleEvent1 end',
  ]),
  feedCase('NFAITCase.testStrictEagerZeroOrMore', consecutiveData, oneOrMoreInput, middleLoop('strict', true), [
    'startEvent middleEvent1 middleEvent2 middleEvent3 end', 'startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 end', 'startEvent end',
  ]),
  feedCase('NFAITCase.testSkipTillAnyZeroOrMore', consecutiveData, oneOrMoreInput, middleLoop('skipTillAny', true), [
    'startEvent middleEvent1 middleEvent2 middleEvent3 middleEvent4 end', 'startEvent middleEvent1 middleEvent2 middleEvent4 end',
    'startEvent middleEvent1 middleEvent3 middleEvent4 end', 'startEvent middleEvent1 middleEvent4 end',
    'startEvent middleEvent1 middleEvent2 middleEvent3 end', 'startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 middleEvent3 end',
    'startEvent middleEvent1 end', 'startEvent end',
  ]),
);
/** The "Clearing SharedBuffer" cases: after `advanceTime(10)` only the start state is left (and, ours, nothing stays buffered). */
const withinTypes = [['firstAndLast', 'FirstAndLast'], ['previousAndCurrent', 'PreviousAndCurrent']] as const;
const clearingCase = (name: string, table: EventTable, input: readonly (readonly [string, number])[], pattern: () => EventPattern): FlinkCase => ({
  name,
  run() {
    const events = eventsOf(table);
    const harness = NFATestHarness.forNFA(pattern());
    for (const [ref, ts] of input) harness.feedRecord([events[ref]!, ts]);
    harness.nfa.advanceTime(harness.state, 10);
    assert.deepEqual(harness.nfa.runStates(harness.state), ['start']);
    assert.equal(harness.state.liveNodes, 0);
    assert.equal(harness.state.liveEvents, 0);
  },
});

cases.push(
  feedCase('NFAITCase.testSkipTillNextZeroOrMore', consecutiveData, oneOrMoreInput, middleLoop('skipTillNext', true), [
    'startEvent middleEvent1 middleEvent2 middleEvent3 middleEvent4 end', 'startEvent middleEvent1 middleEvent2 middleEvent3 end',
    'startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 end', 'startEvent end',
  ]),
  feedCase(
    'NFAITCase.testTimesStrict',
    consecutiveData,
    [['startEvent', 1], [fEvent(), 2], ['middleEvent1', 3], [fEvent(), 4], ['middleEvent2', 5], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).times(2).consecutive().followedBy('end1').where(named('b')),
    ['startEvent middleEvent2 middleEvent3 end'],
  ),
  feedCase(
    'NFAITCase.testTimesNonStrict',
    consecutiveData,
    [['startEvent', 1], [fEvent(), 2], ['middleEvent1', 3], [fEvent(), 4], ['middleEvent2', 5], ['middleEvent3', 6], ['end', 7]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).times(2).allowCombinations().followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 middleEvent2 end', 'startEvent middleEvent1 middleEvent3 end', 'startEvent middleEvent2 middleEvent3 end'],
  ),
  feedCase(
    'NFAITCase.testStartWithZeroOrMoreStrict',
    consecutiveData,
    [['startEvent', 1], ['middleEvent1', 3], ['startEvent', 4], ['middleEvent2', 5], ['middleEvent3', 6]],
    () => begin('start').where(named('a')).oneOrMore().optional().consecutive(),
    ['middleEvent1', 'middleEvent2 middleEvent3', 'middleEvent2', 'middleEvent3'],
  ),
  feedCase(
    'NFAITCase.testStartWithOneOrMoreStrict',
    consecutiveData,
    [['startEvent', 1], ['middleEvent1', 3], ['startEvent', 4], ['middleEvent2', 5], ['middleEvent3', 6]],
    () => begin('start').where(named('a')).oneOrMore().consecutive(),
    ['middleEvent1', 'middleEvent2 middleEvent3', 'middleEvent2', 'middleEvent3'],
  ),
  ...withinTypes.flatMap(([type, suffix]) => [
    clearingCase(
      `NFAITCase.testTimesClearingBufferWithin${suffix}`,
      { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [43, 'a', 4.0], end1: [44, 'b', 5.0] },
      [['startEvent', 1], ['middleEvent1', 2], ['middleEvent2', 3], ['middleEvent3', 4], ['end1', 6]],
      () => begin('start').where(named('c')).next('middle').where(named('a')).times(2).followedBy('end1').where(named('b')).within(8, type),
    ),
    clearingCase(
      `NFAITCase.testOptionalClearingBufferWithin${suffix}`,
      { startEvent: [40, 'c', 1.0], middleEvent: [43, 'a', 4.0], end1: [44, 'b', 5.0] },
      [['startEvent', 1], ['middleEvent', 5], ['end1', 6]],
      () => begin('start').where(named('c')).followedBy('middle').where(named('a')).optional().followedBy('end1').where(named('b')).within(8, type),
    ),
    // Flink's testAtLeastOneClearingBuffer ignores its WithinType parameter: both cases use within(8).
    clearingCase(
      type === 'firstAndLast' ? 'NFAITCase.testAtLeastOneClearingBufferWithinFirstAndLast' : 'NFAITCase.testAtLeastOneClearingBufferWithPreviousAndCurrent',
      { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], end1: [44, 'b', 5.0] },
      [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['end1', 6]],
      () => begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore().allowCombinations().followedBy('end1').where(named('b')).within(8),
    ),
  ]),
);
const branchingTable: EventTable = {
  startEvent: [40, 'start', 1.0], middleEvent1: [41, 'foo1', 1.0, 10.0], middleEvent2: [42, 'foo2', 1.0, 10.0], middleEvent3: [43, 'foo3', 1.0, 10.0],
  nextOne1: [44, 'next-one', 1.0, 2.0], nextOne2: [45, 'next-one', 1.0, 2.0], endEvent: [46, 'end', 1.0],
};
const branchingInput: (readonly [string, number])[] = [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5], ['nextOne1', 6], ['nextOne2', 7], ['endEvent', 8]];
const isSubEvent = (e: Event): boolean => e.volume !== undefined;

cases.push(
  clearingCase(
    'NFAITCase.testZeroOrMoreClearingBufferWithinFirstAndLast',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], end1: [44, 'b', 5.0] },
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['end1', 6]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore().allowCombinations().optional().followedBy('end1').where(named('b')).within(8),
  ),
  {
    name: 'NFAITCase.testZeroOrMoreClearingBufferWithinPreviousAndCurrent',
    run() {
      const events = eventsOf({ startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], end1: [44, 'b', 5.0] });
      const pattern = begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore().allowCombinations().optional()
        .followedBy('end1').where(named('b')).within(8, 'previousAndCurrent');
      const harness = NFATestHarness.forNFA(pattern);
      harness.consumeRecords([[events.startEvent!, 1], [events.middleEvent1!, 3], [events.middleEvent2!, 4], [events.end1!, 6]]);
      harness.nfa.advanceTime(harness.state, 10);
      // Only end1 has a window; the runs still looping over middle are kept.
      assert.equal(harness.nfa.runStates(harness.state).join(''), 'middle:0middle:0start');
    },
  },
  feedCase(
    'NFAITCase.testBranchingPatternSkipTillNext',
    branchingTable,
    branchingInput,
    () => begin('start').where(named('start'))
      .followedBy('middle-first').where((v) => isSubEvent(v) && v.volume! > 5.0)
      .followedBy('middle-second').where((v) => isSubEvent(v) && v.name === 'next-one')
      .followedByAny('end').where(named('end')),
    ['startEvent middleEvent1 nextOne1 endEvent'],
  ),
  feedCase(
    'NFAITCase.testBranchingPatternMixedFollowedBy',
    branchingTable,
    branchingInput,
    () => begin('start').where(named('start'))
      .followedByAny('middle-first').where((v) => isSubEvent(v) && v.volume! > 5.0)
      .followedBy('middle-second').where((v) => isSubEvent(v) && v.name === 'next-one')
      .followedByAny('end').where(named('end')),
    ['startEvent middleEvent1 nextOne1 endEvent', 'startEvent middleEvent2 nextOne1 endEvent', 'startEvent middleEvent3 nextOne1 endEvent'],
  ),
  feedCase(
    'NFAITCase.testMultipleTakesVersionCollision',
    { s: [40, 'c', 1.0], m1: [41, 'a', 2.0], m2: [41, 'a', 3.0], m3: [41, 'a', 4.0], m4: [41, 'a', 5.0], m5: [41, 'a', 6.0], end: [44, 'b', 5.0] },
    [['s', 1], ['m1', 3], ['m2', 4], ['m3', 5], ['m4', 6], ['m5', 7], ['end', 10]],
    () => begin('start').where(named('c'))
      .followedBy('middle1').where(named('a')).oneOrMore().allowCombinations()
      .followedBy('middle2').where(named('a')).oneOrMore().allowCombinations()
      .followedBy('end').where(named('b')),
    [
      's m1 m2 m3 m4 m5 end', 's m1 m2 m3 m4 m5 end', 's m1 m2 m3 m4 m5 end', 's m1 m2 m3 m4 m5 end',
      's m1 m2 m3 m4 end', 's m1 m2 m4 m5 end', 's m1 m2 m3 m4 end', 's m1 m2 m3 m5 end', 's m1 m3 m4 m5 end', 's m1 m3 m4 m5 end',
      's m1 m2 m3 m4 end', 's m1 m2 m3 m5 end', 's m1 m2 m4 m5 end',
      's m1 m2 m3 end', 's m1 m3 m4 end', 's m1 m4 m5 end', 's m1 m2 m3 end', 's m1 m2 m4 end', 's m1 m2 m5 end',
      's m1 m2 end',
    ],
  ),
  {
    name: 'NFAITCase.testNFAResultOrdering',
    run() {
      const s = [event(41, 'a-1', 2.0), event(41, 'a-2', 3.0), event(41, 'a-3', 4.0), event(41, 'a-4', 5.0)];
      const e = [event(41, 'b-1', 6.0), event(41, 'b-2', 7.0), event(41, 'b-3', 8.0)];
      const input: Rec[] = [[s[0]!, 1], [s[1]!, 3], [s[2]!, 4], [s[3]!, 5], [e[0]!, 6], [e[1]!, 7], [e[2]!, 10]];
      const pattern = begin('start').where((v) => v.name.startsWith('a-')).times(4).allowCombinations()
        .followedByAny('middle').where((v) => v.name.startsWith('b-')).times(3).consecutive();
      const result = NFATestHarness.forPattern(pattern).consumeRecords(input);
      assert.equal(result.length, 1);
      assert.deepEqual(result[0]!.get('start'), s);
      assert.deepEqual(result[0]!.get('middle'), e);
    },
  },
  {
    name: 'NFAITCase.testNFAResultKeyOrdering',
    run() {
      const input: Rec[] = [[event(41, 'a', 2.0), 1], [event(41, 'b', 3.0), 3], [event(41, 'aa', 4.0), 4], [event(41, 'bb', 5.0), 5], [event(41, 'ab', 6.0), 6]];
      const pattern = begin('a').where(named('a')).next('b').where(named('b')).next('aa').where(named('aa')).next('bb').where(named('bb')).next('ab').where(named('ab'));
      const result = NFATestHarness.forPattern(pattern).consumeRecords(input);
      assert.equal(result.length, 1);
      assert.deepEqual([...result[0]!.keys()], ['a', 'b', 'aa', 'bb', 'ab']);
    },
  },
  ...withinTypes.map(([type, suffix]): FlinkCase => ({
    name: `NFAITCase.testLoopClearingWithin${suffix}`,
    run() {
      const pattern = begin('start', { kind: 'skipPastLastEvent' }).times(4).where(named('a')).within(3, type);
      const harness = NFATestHarness.forNFA(pattern);
      harness.nfa.process(harness.state, event(40, 'a', 1.0), 1);
      harness.nfa.process(harness.state, event(40, 'a', 1.0), 2);
      harness.nfa.advanceTime(harness.state, 4);
      // PREVIOUS_AND_CURRENT on a quantified stage only reaches the quantifier's window (none here),
      // as in Flink's NFACompiler, so nothing times out and both events stay.
      assert.equal(harness.state.liveEvents, type === 'firstAndLast' ? 1 : 2);
    },
  })),
);
for (const c of cases) test(c.name, c.run);
