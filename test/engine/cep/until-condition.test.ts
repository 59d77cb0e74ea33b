/**
 * Flink's UntilConditionITCase (flink-libraries/flink-cep/src/test/.../nfa/UntilConditionITCase.java):
 * until() on oneOrMore / zeroOrMore loops with every inner contiguity, on stages without a where,
 * and iterative until conditions over the loop's own events. Same inputs and expected matches, every
 * case of the class; where Flink also checks that only the start state is left, so does the port.
 */
import { test } from 'node:test';
import { begin, feedCaseLeaving, named, type Cond, type EventPattern, type EventTable, type FlinkCase } from './flink-harness.js';

/** UntilConditionITCase.UNTIL_CONDITION. */
const UNTIL: Cond = (v) => v.price === 5.0;

/** feedCaseLeaving; by default (Flink's withNFAState cases) only the start state may be left. */
const untilCase = (
  name: string,
  table: EventTable,
  input: readonly (readonly [string, number])[],
  pattern: () => EventPattern,
  expected: readonly string[],
  onlyStartLeft = true,
): FlinkCase => feedCaseLeaving(name, table, input, pattern, expected, onlyStartLeft ? ['start'] : null);

const threeA = { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], breaking: [44, 'a', 5.0], ignored: [45, 'a', 6.0] } as const;
const threeAInput: [string, number][] = [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['breaking', 6], ['ignored', 7]];
const fourA = {
  startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [43, 'a', 4.0], breaking: [44, 'a', 5.0], ignored: [45, 'a', 6.0],
} as const;
const fourAInput: [string, number][] = [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5], ['breaking', 6], ['ignored', 7]];
const consecutiveA = { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], breaking: [45, 'a', 5.0], ignored: [46, 'a', 6.0] } as const;
const consecutiveAInput: [string, number][] = [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['breaking', 7], ['ignored', 8]];
const anyA = { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], breaking: [44, 'a', 5.0], middleEvent3: [45, 'a', 6.0] } as const;
const anyAInput: [string, number][] = [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['breaking', 6], ['middleEvent3', 7]];
const withD = {
  startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'a', 3.0], middleEvent3: [40, 'd', 1.0], breaking: [44, 'a', 5.0], ignored: [45, 'a', 6.0],
} as const;

type Inner = 'eager' | 'combinations' | 'consecutive';

/** c, followedBy a+ (or a*) with the given inner contiguity, until price 5, followedBy the price-5 event. */
const untilLoop = (zeroOrMore: boolean, inner: Inner) => (): EventPattern => {
  let p = begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore();
  if (zeroOrMore) p = p.optional();
  if (inner === 'combinations') p = p.allowCombinations();
  if (inner === 'consecutive') p = p.consecutive();
  return p.until(UNTIL).followedBy('end').where(UNTIL);
};

/** Sum of the middle loop's prices so far is 6.0 (testIterativeUntilCondition*). */
const middleSumIsSix: Cond = (_v, stages) => stages('middle').reduce((sum, m) => sum + m.price, 0) === 6.0;
const withDInput: [string, number][] = [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5], ['breaking', 6], ['ignored', 7]];

const cases: FlinkCase[] = [
  untilCase('UntilConditionITCase.testUntilConditionFollowedByOneOrMore', threeA, threeAInput, untilLoop(false, 'eager'), [
    'startEvent middleEvent1 middleEvent2 breaking', 'startEvent middleEvent1 breaking',
  ]),
  untilCase('UntilConditionITCase.testUntilConditionFollowedByOneOrMoreCombinations', fourA, fourAInput, untilLoop(false, 'combinations'), [
    'startEvent middleEvent1 middleEvent2 middleEvent3 breaking', 'startEvent middleEvent1 middleEvent2 breaking',
    'startEvent middleEvent1 middleEvent3 breaking', 'startEvent middleEvent1 breaking',
  ]),
  untilCase('UntilConditionITCase.testUntilConditionFollowedByOneOrMoreConsecutive', consecutiveA, consecutiveAInput, untilLoop(false, 'consecutive'), [
    'startEvent middleEvent1 middleEvent2 breaking', 'startEvent middleEvent1 breaking',
  ]),
  untilCase(
    'UntilConditionITCase.testUntilConditionFollowedByOneOrMoreConsecutive2',
    { startEvent: [40, 'c', 1.0], middleEvent1: [41, 'a', 2.0], middleEvent2: [42, 'b', 3.0], middleEvent3: [43, 'a', 4.0], breaking: [45, 'a', 5.0], ignored: [46, 'a', 6.0] },
    [['startEvent', 1], ['middleEvent1', 3], ['middleEvent2', 4], ['middleEvent3', 5], ['breaking', 7], ['ignored', 8]],
    untilLoop(false, 'consecutive'),
    ['startEvent middleEvent1 breaking'],
  ),
  untilCase('UntilConditionITCase.testUntilConditionFollowedByZeroOrMore', threeA, threeAInput, untilLoop(true, 'eager'), [
    'startEvent middleEvent1 middleEvent2 breaking', 'startEvent middleEvent1 breaking', 'startEvent breaking',
  ]),
  untilCase('UntilConditionITCase.testUntilConditionFollowedByZeroOrMoreCombinations', fourA, fourAInput, untilLoop(true, 'combinations'), [
    'startEvent middleEvent1 middleEvent2 middleEvent3 breaking', 'startEvent middleEvent1 middleEvent2 breaking',
    'startEvent middleEvent1 middleEvent3 breaking', 'startEvent middleEvent1 breaking', 'startEvent breaking',
  ]),
  untilCase('UntilConditionITCase.testUntilConditionFollowedByZeroOrMoreConsecutive', consecutiveA, consecutiveAInput, untilLoop(true, 'consecutive'), [
    'startEvent middleEvent1 middleEvent2 breaking', 'startEvent middleEvent1 breaking', 'startEvent breaking',
  ]),
  untilCase(
    'UntilConditionITCase.testUntilConditionFollowedByAnyOneOrMore',
    anyA,
    anyAInput,
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).oneOrMore().until(UNTIL),
    ['startEvent middleEvent1 middleEvent2', 'startEvent middleEvent1', 'startEvent middleEvent2', 'startEvent middleEvent3'],
    false,
  ),
  untilCase(
    'UntilConditionITCase.testUntilConditionFollowedByAnyZeroOrMore',
    anyA,
    anyAInput,
    () => begin('start').where(named('c')).followedByAny('middle').where(named('a')).oneOrMore().optional().until(UNTIL),
    ['startEvent middleEvent1 middleEvent2', 'startEvent middleEvent1', 'startEvent middleEvent2', 'startEvent middleEvent3', 'startEvent'],
    false,
  ),
  untilCase(
    'UntilConditionITCase.testUntilConditionWithEmptyWhere',
    withD,
    withDInput,
    () => begin('start').where(named('c')).followedBy('middle').oneOrMore().until(UNTIL),
    ['startEvent middleEvent1 middleEvent2 middleEvent3', 'startEvent middleEvent1 middleEvent2', 'startEvent middleEvent1'],
  ),
  untilCase(
    'UntilConditionITCase.testIterativeUntilConditionOneOrMore',
    withD,
    withDInput,
    () => begin('start').where(named('c')).followedBy('middle').oneOrMore().until(middleSumIsSix),
    ['startEvent middleEvent1 middleEvent2 middleEvent3', 'startEvent middleEvent1 middleEvent2', 'startEvent middleEvent1'],
  ),
  untilCase(
    'UntilConditionITCase.testIterativeUntilConditionZeroOrMore',
    withD,
    withDInput,
    () => begin('start').where(named('c')).followedBy('middle').oneOrMore().optional().until(middleSumIsSix),
    ['startEvent middleEvent1 middleEvent2 middleEvent3', 'startEvent middleEvent1 middleEvent2', 'startEvent middleEvent1', 'startEvent'],
  ),
];

for (const c of cases) test(c.name, c.run);
