/**
 * Flink's IterativeConditionsITCase (flink-libraries/flink-cep/src/test/.../nfa/IterativeConditionsITCase.java):
 * conditions over the events a partial match already accepted (ctx.getEventsForPattern), on loops,
 * on the first stage, across stages and after branching. Same inputs and expected matches, every case
 * of the class. Flink's subtype(SubEvent.class) is "has a volume" (harness SubEvent).
 */
import { test } from 'node:test';
import { begin, feedCase, named, type Cond, type EventPattern, type FlinkCase } from './flink-harness.js';

const table = {
  startEvent1: [40, 'start', 1.0], startEvent2: [40, 'start', 2.0], startEvent3: [40, 'start', 3.0], startEvent4: [40, 'start', 4.0],
  middleEvent1: [41, 'foo1', 1.0, 10], middleEvent2: [42, 'foo2', 2.0, 10], middleEvent3: [43, 'foo3', 3.0, 10], middleEvent4: [43, 'foo4', 1.0, 10],
  nextOne: [44, 'next-one', 1.0], endEvent: [46, 'end', 1.0],
} as const;

const isSubEvent: Cond = (v) => v.volume !== undefined;
const sumOf = (events: readonly { price: number }[]): number => events.reduce((sum, e) => sum + e.price, 0);

/** MySubeventIterCondition: a foo SubEvent keeping the middle stage's price sum under 5. */
const mySubeventIter: Cond = (v, stages) => isSubEvent(v, stages) && v.name.startsWith('foo') && sumOf(stages('middle')) + v.price < 5.0;
/** MyEventIterCondition: a start event keeping the start stage's price sum under 5. */
const myEventIter: Cond = (v, stages) => v.name === 'start' && sumOf(stages('start')) + v.price < 5.0;
/** An end event once the start stage's prices sum to at least 2. */
const endAfterStartSum2: Cond = (v, stages) => v.name === 'end' && sumOf(stages('start')) >= 2.0;
const fooSubEvent: Cond = (v, stages) => isSubEvent(v, stages) && v.name.startsWith('foo');

const branching = (eager: boolean) => (): EventPattern => {
  const middle = begin('start').where(named('start')).followedBy('middle').where(mySubeventIter).oneOrMore();
  return (eager ? middle : middle.allowCombinations()).followedBy('end').where(named('end'));
};
const branchingInput: [string, number][] = [
  ['startEvent1', 1], ['middleEvent1', 2], ['middleEvent2', 3], ['startEvent2', 4], ['middleEvent3', 5], ['middleEvent4', 5], ['nextOne', 6], ['endEvent', 8],
];

const loopingStart = (eager: boolean) => (): EventPattern => {
  const start = begin('start').where(myEventIter).oneOrMore();
  return (eager ? start : start.allowCombinations()).optional().followedBy('end').where(named('end'));
};
const loopingInput: [string, number][] = [['startEvent1', 1], ['startEvent2', 2], ['startEvent3', 3], ['endEvent', 4]];

const cases: FlinkCase[] = [
  feedCase('IterativeConditionsITCase.testIterativeWithBranchingPatternEager', table, branchingInput, branching(true), [
    'startEvent1 endEvent middleEvent1 middleEvent2 middleEvent4',
    'startEvent1 endEvent middleEvent2 middleEvent1',
    'startEvent1 endEvent middleEvent1',
    'startEvent2 endEvent middleEvent3 middleEvent4',
    'startEvent2 endEvent middleEvent3',
  ]),
  feedCase('IterativeConditionsITCase.testIterativeWithBranchingPatternCombinations', table, branchingInput, branching(false), [
    'startEvent1 endEvent middleEvent1 middleEvent2 middleEvent4',
    'startEvent1 endEvent middleEvent2 middleEvent1',
    'startEvent1 endEvent middleEvent3 middleEvent1',
    'startEvent2 endEvent middleEvent3 middleEvent4',
    'startEvent1 endEvent middleEvent4 middleEvent1',
    'startEvent1 endEvent middleEvent1',
    'startEvent2 endEvent middleEvent3',
  ]),
  feedCase('IterativeConditionsITCase.testIterativeWithLoopingStartingEager', table, loopingInput, loopingStart(true), [
    'startEvent1 startEvent2 endEvent', 'startEvent1 endEvent', 'startEvent2 endEvent', 'startEvent3 endEvent', 'endEvent',
  ]),
  feedCase('IterativeConditionsITCase.testIterativeWithLoopingStartingCombination', table, loopingInput, loopingStart(false), [
    'startEvent1 startEvent2 endEvent', 'startEvent1 startEvent3 endEvent', 'startEvent1 endEvent', 'startEvent2 endEvent', 'startEvent3 endEvent', 'endEvent',
  ]),
  feedCase(
    'IterativeConditionsITCase.testIterativeWithPrevPatternDependency',
    table,
    [['startEvent1', 1], ['startEvent2', 2], ['endEvent', 4]],
    () => begin('start').where(named('start')).oneOrMore().followedBy('end').where(endAfterStartSum2),
    ['startEvent1 startEvent2 endEvent', 'startEvent2 endEvent'],
  ),
  feedCase(
    'IterativeConditionsITCase.testIterativeWithABACPattern',
    table,
    [
      ['startEvent1', 1], ['middleEvent1', 2], ['startEvent2', 2], ['startEvent3', 2], ['middleEvent2', 2],
      ['startEvent4', 2], ['middleEvent3', 2], ['middleEvent4', 2], ['endEvent', 4],
    ],
    () =>
      begin('start').where(named('start'))
        .followedByAny('middle1').where(fooSubEvent)
        .followedBy('middle2').where((v, stages) => v.name === 'start' && sumOf(stages('middle2')) + v.price <= 5.0).oneOrMore()
        .followedBy('end').where(named('end')),
    [
      'startEvent1 startEvent2 startEvent3 middleEvent1 endEvent',
      'startEvent1 middleEvent1 startEvent2 endEvent',
      'startEvent1 middleEvent2 startEvent4 endEvent',
      'startEvent2 middleEvent2 startEvent4 endEvent',
      'startEvent3 middleEvent2 startEvent4 endEvent',
    ],
  ),
  feedCase(
    'IterativeConditionsITCase.testIterativeWithPrevPatternDependencyAfterBranching',
    table,
    [['startEvent1', 1], ['startEvent2', 2], ['middleEvent1', 4], ['startEvent3', 5], ['middleEvent2', 6], ['endEvent', 7]],
    () => begin('start').where(named('start')).oneOrMore().followedByAny('middle1').where(fooSubEvent).followedByAny('end').where(endAfterStartSum2),
    [
      'startEvent1 startEvent2 middleEvent1 endEvent',
      'startEvent2 middleEvent1 endEvent',
      'startEvent1 startEvent2 middleEvent2 endEvent',
      'startEvent1 startEvent2 startEvent3 middleEvent2 endEvent',
      'startEvent2 startEvent3 middleEvent2 endEvent',
      'startEvent2 middleEvent2 endEvent',
      'startEvent3 middleEvent2 endEvent',
    ],
  ),
];

for (const c of cases) test(c.name, c.run);
