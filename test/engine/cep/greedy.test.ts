/**
 * Flink's GreedyITCase (flink-libraries/flink-cep/src/test/.../nfa/GreedyITCase.java), ported with
 * the same inputs and expected matches, every case of the class.
 */
import { test } from 'node:test';
import { begin, event, feedCase, named, type EventPattern, type FlinkCase } from './flink-harness.js';

const dummy = () => event(1, 'dummy', 1111);
const caad = { c: [40, 'c', 1.0], a1: [41, 'a', 2.0], a2: [42, 'a', 2.0], a3: [43, 'a', 2.0], d: [44, 'd', 3.0] } as const;
const untilTable = { c: [40, 'c', 1.0], a1: [41, 'a', 2.0], a2: [42, 'a', 3.0], a3: [43, 'a', 3.0], d: [45, 'd', 3.0] } as const;

/** c a* d (zeroOrMore) or c a+ d, greedy, optionally with until(price > 3.0). */
const cad = (zeroOrMore: boolean, until: boolean) => (): EventPattern => {
  let p = begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore();
  if (zeroOrMore) p = p.optional();
  p = p.greedy();
  if (until) p = p.until((v) => v.price > 3.0);
  return p.followedBy('end').where(named('d'));
};

const cases: FlinkCase[] = [
  feedCase('GreedyITCase.testGreedyZeroOrMore', caad, [['c', 1], ['a1', 2], ['a2', 3], ['a3', 4], ['d', 5]], cad(true, false), ['c a1 a2 a3 d']),
  feedCase(
    'GreedyITCase.testGreedyZeroOrMoreInBetween',
    caad,
    [['c', 1], [dummy(), 2], ['a1', 3], [dummy(), 4], ['a2', 5], [dummy(), 6], ['a3', 7], ['d', 8]],
    cad(true, false),
    ['c a1 a2 a3 d'],
  ),
  feedCase(
    'GreedyITCase.testGreedyZeroOrMoreWithDummyEventsAfterQuantifier',
    caad,
    [['c', 1], ['a1', 2], ['a2', 3], [event(43, 'dummy', 2.0), 4], ['d', 5]],
    cad(true, false),
    ['c a1 a2 d'],
  ),
  feedCase('GreedyITCase.testGreedyZeroOrMoreWithDummyEventsBeforeQuantifier', caad, [['c', 1], [event(43, 'dummy', 2.0), 2], ['d', 5]], cad(true, false), ['c d']),
  feedCase(
    'GreedyITCase.testGreedyUntilZeroOrMoreWithDummyEventsAfterQuantifier',
    untilTable,
    [['c', 1], ['a1', 2], ['a2', 3], ['a3', 4], [event(44, 'a', 4.0), 5], ['d', 6]],
    cad(true, true),
    ['c a1 a2 a3 d'],
  ),
  feedCase(
    'GreedyITCase.testGreedyUntilWithDummyEventsBeforeQuantifier',
    untilTable,
    [['c', 1], [event(44, 'a', 4.0), 2], ['a1', 3], ['a2', 4], ['a3', 5], ['d', 6]],
    cad(true, true),
    ['c d'],
  ),
  feedCase('GreedyITCase.testGreedyOneOrMore', caad, [['c', 1], ['a1', 2], ['a2', 3], ['a3', 4], ['d', 5]], cad(false, false), ['c a1 a2 a3 d']),
  feedCase(
    'GreedyITCase.testGreedyOneOrMoreInBetween',
    caad,
    [['c', 1], [dummy(), 2], ['a1', 3], [dummy(), 4], ['a2', 5], [dummy(), 6], ['a3', 7], ['d', 8]],
    cad(false, false),
    ['c a1 a2 a3 d'],
  ),
  feedCase(
    'GreedyITCase.testGreedyOneOrMoreWithDummyEventsAfterQuantifier',
    caad,
    [['c', 1], ['a1', 2], ['a2', 3], [event(43, 'dummy', 2.0), 4], ['d', 5]],
    cad(false, false),
    ['c a1 a2 d'],
  ),
  feedCase('GreedyITCase.testGreedyOneOrMoreWithDummyEventsBeforeQuantifier', caad, [['c', 1], [event(43, 'dummy', 2.0), 2], ['d', 5]], cad(false, false), []),
  feedCase(
    'GreedyITCase.testGreedyUntilOneOrMoreWithDummyEventsAfterQuantifier',
    untilTable,
    [['c', 1], ['a1', 2], ['a2', 3], ['a3', 4], [event(44, 'a', 4.0), 5], ['d', 6]],
    cad(false, true),
    ['c a1 a2 a3 d'],
  ),
  feedCase(
    'GreedyITCase.testGreedyUntilOneOrMoreWithDummyEventsBeforeQuantifier',
    untilTable,
    [['c', 1], [event(44, 'a', 4.0), 2], ['a1', 3], ['a2', 4], ['a3', 5], ['d', 6]],
    cad(false, true),
    [],
  ),
  feedCase(
    'GreedyITCase.testEndWithZeroOrMoreGreedy',
    caad,
    [['c', 1], ['a1', 2], ['a2', 3], [event(44, 'dummy', 2.0), 4], ['a3', 5]],
    () => begin('start').where(named('c')).followedBy('end').where(named('a')).oneOrMore().optional().greedy(),
    ['c', 'c a1', 'c a1 a2', 'c a1 a2 a3'],
  ),
  feedCase(
    'GreedyITCase.testEndWithZeroOrMoreConsecutiveGreedy',
    caad,
    [['c', 1], ['a1', 2], ['a2', 3], [event(44, 'dummy', 2.0), 4], ['a3', 5]],
    () => begin('start').where(named('c')).followedBy('end').where(named('a')).oneOrMore().optional().consecutive().greedy(),
    ['c', 'c a1', 'c a1 a2'],
  ),
  feedCase(
    'GreedyITCase.testEndWithGreedyTimesRange',
    { c: [40, 'c', 1.0], a1: [41, 'a', 2.0], a2: [42, 'a', 2.0], a3: [43, 'a', 2.0], a4: [44, 'a', 2.0] },
    [['c', 1], ['a1', 2], ['a2', 3], ['a3', 4], ['a4', 5], [event(44, 'dummy', 2.0), 6]],
    () => begin('start').where(named('c')).followedBy('end').where(named('a')).times(2, 5).greedy(),
    ['c a1 a2', 'c a1 a2 a3', 'c a1 a2 a3 a4'],
  ),
  feedCase(
    'GreedyITCase.testGreedyTimesRange',
    { c: [40, 'c', 1.0], a1: [41, 'a', 2.0], a2: [42, 'a', 2.0], a3: [43, 'a', 2.0], a4: [44, 'a', 2.0], d: [45, 'd', 2.0] },
    [['c', 1], ['a1', 2], ['a2', 3], ['a3', 4], ['a4', 5], ['d', 6]],
    () => begin('start').where(named('c')).followedBy('middle').where(named('a')).times(2, 5).greedy().followedBy('end').where(named('d')),
    ['c a1 a2 a3 a4 d'],
  ),
  feedCase(
    'GreedyITCase.testGreedyZeroOrMoreBeforeGroupPattern',
    {
      c: [40, 'c', 1.0], a1: [40, 'a', 1.0], a2: [40, 'a', 1.0], a3: [40, 'a', 1.0], d1: [40, 'd', 1.0], e1: [40, 'e', 1.0],
      d2: [40, 'd', 1.0], e2: [40, 'e', 1.0], f: [44, 'f', 3.0],
    },
    [['c', 1], ['a1', 2], ['a2', 3], [event(43, 'dummy', 2.0), 4], ['a3', 5], ['d1', 6], ['e1', 7], ['d2', 8], ['e2', 9], ['f', 10]],
    // c a* (d e){2} f
    () =>
      begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore().optional().greedy()
        .followedBy(begin('middle1').where(named('d')).followedBy('middle2').where(named('e'))).times(2)
        .followedBy('end').where(named('f')),
    ['c a1 a2 a3 d1 e1 d2 e2 f'],
  ),
];

for (const c of cases) test(c.name, c.run);
