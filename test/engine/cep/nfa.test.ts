/**
 * Flink's NFAITCase (flink-libraries/flink-cep/src/test/.../nfa/NFAITCase.java), ported case by case:
 * same inputs, same expected matches. Lambdas became TypeScript functions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  begin,
  comparePatterns,
  event,
  feedNFA,
  named,
  NFATestHarness,
  subEvent,
  values,
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

const cases: FlinkCase[] = [
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
      const startEvent = event(2, 'start', 1.0);
      const middleEvent = event(3, 'middle', 1.0);
      const endEvent = event(5, 'end', 1.0);
      const input: Rec[] = [
        [event(1, 'start', 1.0), 1],
        [startEvent, 2],
        [middleEvent, 3],
        [event(4, 'foobar', 1.0), 4],
        [endEvent, 11],
        [event(6, 'end', 1.0), 13],
      ];
      const pattern = begin('start').where(named('start'))
        .followedBy('middle').where(named('middle'))
        .followedBy('end').where(named('end'))
        .within(10);
      comparePatterns(feedNFA(input, pattern), [[startEvent, middleEvent, endEvent]]);
    },
  },
];

for (const c of cases) test(c.name, c.run);

// Keep the helpers referenced while cases are being added.
void assert;
void values;
void NFATestHarness;
