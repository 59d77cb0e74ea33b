/**
 * Flink's NFACompilerTest (flink-libraries/flink-cep/src/test/.../nfa/compiler/NFACompilerTest.java):
 * the compiled state graph, the pattern checks, empty-match detection and both kinds of window.
 * Every case of the class; where Flink checks an exception message, the port checks the error class
 * and that the message names the same problem (sw's messages also name the fix).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canProduceEmptyMatches, compilePattern, ENDING_STATE_NAME, MalformedPatternError, type CompiledPattern } from '../../../src/engine/cep/nfa/compiler.js';
import type { Action, State } from '../../../src/engine/cep/nfa/state.js';
import { functionConditions } from '../../../src/engine/cep/pattern/pattern.js';
import { begin, named, type Cond, type Event, type EventPattern, type FlinkCase } from './flink-harness.js';

const startFilter: Cond = (v) => v.price > 2;
const endFilter: Cond = named('end');
/** NFACompilerTest.TestFilter: never evaluated. */
const testFilter: Cond = () => {
  throw new Error('It should never arrive here.');
};

function compiled(pattern: EventPattern): CompiledPattern<Event> {
  return compilePattern<Event>(pattern.toSpec(String), functionConditions(pattern));
}

function stateMap(nfa: CompiledPattern<Event>): Map<string, State<Event>> {
  return new Map(nfa.states.map((s) => [s.name, s]));
}

/** NFACompilerTest.unfoldTransitions: the set of (target name, action). */
function unfold(state: State<Event>): string[] {
  return [...new Set(state.transitions.map((t) => `${t.target.name} ${t.action.toUpperCase()}`))].sort();
}
const edges = (...pairs: [string, Action][]): string[] => pairs.map(([name, action]) => `${name} ${action.toUpperCase()}`).sort();

function assertMalformed(pattern: () => EventPattern, message: RegExp): void {
  assert.throws(() => compiled(pattern()), (error: unknown) => error instanceof MalformedPatternError && message.test(error.message));
}

/** Flink's getWindowTimes(): state name → window since the previous event. */
function windowTimes(nfa: CompiledPattern<Event>): Record<string, number> {
  return Object.fromEntries(nfa.states.filter((s) => s.previousWindow > 0).map((s) => [s.name, s.previousWindow]));
}

const cases: FlinkCase[] = [
  {
    name: 'NFACompilerTest.testNFACompilerUniquePatternName',
    run: () =>
      assertMalformed(() => begin('start').where(testFilter).followedBy('middle').where(testFilter).followedBy('start').where(testFilter), /\(start\): duplicate stage name/),
  },
  {
    name: 'NFACompilerTest.testNFACompilerPatternEndsWithNotFollowedBy',
    run: () =>
      assertMalformed(
        () => begin('start').where(testFilter).followedBy('middle').where(testFilter).notFollowedBy('end').where(testFilter),
        /notFollowedBy as the last stage needs pattern.within/,
      ),
  },
  {
    name: 'NFACompilerTest.testNFACompilerWithSimplePattern',
    run() {
      // Flink's subtype(SubEvent.class) on middle is a condition; it does not change the graph.
      const nfa = compiled(begin('start').where(startFilter).followedBy('middle').where((v) => v.volume !== undefined).next('end').where(endFilter));
      assert.equal(nfa.states.length, 4);
      const states = stateMap(nfa);
      assert.ok(states.get('start')!.isStart);
      assert.deepEqual(unfold(states.get('start')!), edges(['middle', 'take']));
      assert.deepEqual(unfold(states.get('middle')!), edges(['middle', 'ignore'], ['end', 'take']));
      assert.deepEqual(unfold(states.get('end')!), edges([ENDING_STATE_NAME, 'take']));
      const ending = states.get(ENDING_STATE_NAME)!;
      assert.ok(ending.isFinal);
      assert.equal(ending.transitions.length, 0);
    },
  },
  {
    name: 'NFACompilerTest.testNFACompilerPatternNotFollowedByWithIn',
    run() {
      const nfa = compiled(begin('start').where(startFilter).notFollowedBy('middle').where(endFilter).within(1));
      assert.equal(nfa.states.length, 4);
      const states = stateMap(nfa);
      assert.ok(states.get('start')!.isStart);
      assert.deepEqual(unfold(states.get('start')!), edges(['middle', 'take']));
      assert.ok(states.get('middle')!.isPending);
      assert.deepEqual(unfold(states.get('middle')!), edges(['middle', 'ignore'], ['middle:0', 'proceed']));
      assert.ok(states.get('middle:0')!.isStop);
      assert.deepEqual(unfold(states.get('middle:0')!), edges(['middle:0', 'take']));
      assert.ok(states.get(ENDING_STATE_NAME)!.isFinal);
      assert.equal(states.get(ENDING_STATE_NAME)!.transitions.length, 0);
    },
  },
  {
    name: 'NFACompilerTest.testNoUnnecessaryStateCopiesCreated',
    run() {
      const nfa = compiled(
        begin('start').where(startFilter).notFollowedBy('not').where(startFilter).followedBy('oneOrMore').where(startFilter).oneOrMore().followedBy('end').where(endFilter),
      );
      assert.equal(nfa.states.filter((s) => s.name === 'end').length, 1);
    },
  },
  {
    name: 'NFACompilerTest.testSkipToNotExistsMatchingPattern',
    run: () =>
      assertMalformed(
        () =>
          begin('start', { kind: 'skipToLast', stage: 'midd' }).where((v) => v.name.includes('a'))
            .next('middle').where((v) => v.name.includes('d')).oneOrMore().optional()
            .next('end').where((v) => v.name.includes('c')),
        /skipToLast:midd names no stage/,
      ),
  },
  {
    name: 'NFACompilerTest.testCheckingEmptyMatches',
    run() {
      const empty = (pattern: EventPattern): boolean => canProduceEmptyMatches(compiled(pattern));
      assert.equal(empty(begin('a').optional()), true);
      assert.equal(empty(begin('a').oneOrMore().optional()), true);
      assert.equal(empty(begin('a').oneOrMore().optional().next('b').optional()), true);
      assert.equal(empty(begin('a')), false);
      assert.equal(empty(begin('a').oneOrMore()), false);
      assert.equal(empty(begin('a').oneOrMore().next('b').optional()), false);
    },
  },
  {
    name: 'NFACompilerTest.testWindowTimeCorrectlySet',
    run() {
      const nfa = compiled(begin('start').followedBy('middle').within('10s').followedBy('then').within('20s').followedBy('end'));
      assert.equal(nfa.windowTime, 10000);
    },
  },
  {
    name: 'NFACompilerTest.testWindowTimesCorrectlySet',
    run() {
      const nfa = compiled(
        begin('start').followedBy('middle').within('10s', 'previousAndCurrent').followedBy('then').within('20s', 'previousAndCurrent').followedBy('end'),
      );
      assert.deepEqual(windowTimes(nfa), { middle: 10000, then: 20000 });
    },
  },
  {
    name: 'NFACompilerTest.testMultipleWindowTimeWithZeroLength',
    run() {
      const nfa = compiled(begin('start').followedBy('middle').within('10s').followedBy('then').within('0s').followedBy('end'));
      assert.equal(nfa.windowTime, 0);
    },
  },
  {
    name: 'NFACompilerTest.testCheckPatternWindowTimes',
    run: () =>
      assertMalformed(
        () =>
          begin('start').followedBy('middle').within('3s', 'previousAndCurrent').followedBy('then').within('1s', 'previousAndCurrent').followedBy('end').within(2),
        /is longer than pattern.within/,
      ),
  },
];

for (const c of cases) test(c.name, c.run);
