/**
 * Flink's SameElementITCase (flink-libraries/flink-cep/src/test/.../nfa/SameElementITCase.java):
 * events equal by value and with the same timestamp, fed several times, must each count as their
 * own event (the shared buffer keys events by arrival, not by value). Same inputs and expected
 * matches, every case of the class; an event fed twice is the same name twice in the input.
 */
import { test } from 'node:test';
import { begin, event, feedCase, feedCaseLeaving, named, type FlinkCase } from './flink-harness.js';

const cab = { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [43, 'a', 4.0], end1: [44, 'b', 5.0] } as const;
const withTwins = {
  startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent1a: [41, 'a', 2.0], middleEvent1b: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0],
  middleEvent3: [43, 'a', 4.0], middleEvent3a: [43, 'a', 4.0], end1: [44, 'b', 5.0], end: [44, 'b', 5.0],
} as const;
const d = () => event(50, 'd', 6.0);
const threeTwins: [string, number][] = [['startEvent', 1], ['middleEvent1', 3], ['middleEvent1a', 3], ['middleEvent1b', 3], ['end', 7]];

/** Every subset of the five middle events, each between startEvent and end1 (testZeroOrMoreSameElement). */
function allMiddleSubsets(): string[] {
  const middles = ['middleEvent1', 'middleEvent1a', 'middleEvent2', 'middleEvent3', 'middleEvent3a'];
  const result: string[] = [];
  for (let mask = 0; mask < 1 << middles.length; mask++)
    result.push(['startEvent', ...middles.filter((_, i) => mask & (1 << i)), 'end1'].join(' '));
  return result;
}

const cases: FlinkCase[] = [
  feedCase(
    'SameElementITCase.testEagerZeroOrMoreSameElement',
    cab,
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent1', 3], ['middleEvent1', 3], ['middleEvent2', 4], [d(), 5], ['middleEvent3', 6], ['middleEvent3', 6], ['end1', 7]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore().optional().followedBy('end1').where(named('b')),
    [
      'startEvent middleEvent1 middleEvent1 middleEvent1 middleEvent2 middleEvent3 middleEvent3 end1',
      'startEvent middleEvent1 middleEvent1 middleEvent1 middleEvent2 middleEvent3 end1',
      'startEvent middleEvent1 middleEvent1 middleEvent1 middleEvent2 end1',
      'startEvent middleEvent1 middleEvent1 middleEvent1 end1',
      'startEvent middleEvent1 middleEvent1 end1',
      'startEvent middleEvent1 end1',
      'startEvent end1',
    ],
  ),
  feedCaseLeaving(
    'SameElementITCase.testClearingBuffer',
    { a1: [40, 'a', 1.0], b1: [41, 'b', 2.0], c1: [41, 'c', 2.0], d: [41, 'd', 2.0] },
    [['a1', 1], ['b1', 2], ['c1', 2], ['d', 2]],
    () => begin('a').where(named('a')).followedBy('b').where(named('b')).followedBy('c').where(named('c')).followedBy('d').where(named('d')),
    ['a1 b1 c1 d'],
    ['a'],
  ),
  feedCaseLeaving(
    'SameElementITCase.testClearingBufferWithUntilAtTheEnd',
    { a1: [40, 'a', 1.0], d1: [41, 'd', 2.0], d2: [41, 'd', 2.0], d3: [41, 'd', 2.0], d4: [41, 'd', 2.0] },
    [['a1', 1], ['d1', 2], ['d2', 2], ['d3', 2], ['d4', 4]],
    () => begin('a').where(named('a')).followedBy('d').where(named('d')).oneOrMore().until((_v, stages) => stages('d').length === 3),
    ['a1 d1 d2 d3', 'a1 d1 d2', 'a1 d1'],
    ['a'],
  ),
  feedCase(
    'SameElementITCase.testZeroOrMoreSameElement',
    withTwins,
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent1a', 3], ['middleEvent2', 4], [d(), 5], ['middleEvent3', 6], ['middleEvent3a', 6], ['end1', 7]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).oneOrMore().optional().allowCombinations().followedByAny('end1').where(named('b')),
    // Flink lists all 32 combinations one by one (one of them as middleEvent1 twice, equal by value).
    allMiddleSubsets(),
  ),
  feedCase(
    'SameElementITCase.testSimplePatternWSameElement',
    cab,
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent1', 3], ['end1', 7]],
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).followedBy('end1').where(named('b')),
    ['startEvent middleEvent1 end1', 'startEvent middleEvent1 end1'],
  ),
  feedCase(
    'SameElementITCase.testIterativeConditionWSameElement',
    withTwins,
    threeTwins,
    () =>
      begin('start').where(named('c')).followedByAny('middle').where(named('a')).oneOrMore().optional().allowCombinations()
        .followedBy('end').where((_v, stages) => stages('middle').reduce((sum, m) => sum + m.price, 0) === 4.0),
    ['startEvent middleEvent1 middleEvent1a end', 'startEvent middleEvent1 middleEvent1a middleEvent1b', 'startEvent middleEvent1a middleEvent1b end'],
  ),
  feedCase(
    'SameElementITCase.testEndWLoopingWSameElement',
    withTwins,
    threeTwins,
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).oneOrMore().optional(),
    [
      'startEvent', 'startEvent middleEvent1', 'startEvent middleEvent1a', 'startEvent middleEvent1b',
      'startEvent middleEvent1 middleEvent1a', 'startEvent middleEvent1a middleEvent1b', 'startEvent middleEvent1 middleEvent1a middleEvent1b',
    ],
  ),
  feedCase(
    'SameElementITCase.testRepeatingPatternWSameElement',
    { startEvent: [40, 'c', 1.0], middle1Event1: [40, 'a', 2.0], middle1Event2: [40, 'a', 3.0], middle1Event3: [40, 'a', 4.0], middle2Event1: [40, 'b', 5.0] },
    [['startEvent', 1], ['middle1Event1', 3], ['middle1Event1', 3], ['middle1Event2', 3], [event(40, 'd', 6.0), 5], ['middle2Event1', 6], ['middle1Event3', 7]],
    () =>
      begin('start').where(named('c'))
        .followedBy('middle1').where(named('a')).oneOrMore().optional()
        .followedBy('middle2').where(named('b')).optional()
        .followedBy('end').where(named('a')),
    [
      'startEvent middle1Event1',
      'startEvent middle1Event1 middle1Event1',
      'startEvent middle2Event1 middle1Event3',
      'startEvent middle1Event1 middle1Event1 middle1Event2',
      'startEvent middle1Event1 middle2Event1 middle1Event3',
      'startEvent middle1Event1 middle1Event1 middle1Event2 middle1Event3',
      'startEvent middle1Event1 middle1Event1 middle2Event1 middle1Event3',
      'startEvent middle1Event1 middle1Event1 middle1Event2 middle2Event1 middle1Event3',
    ],
  ),
];

for (const c of cases) test(c.name, c.run);
