/**
 * Flink's quantifier windows (Pattern.times(int, Duration), times(int, int, Duration),
 * oneOrMore(Duration), timesOrMore(int, Duration), Flink 1.16+), which no Flink ITCase covers: the
 * compiler gives the window to the loop's copy states (those it names `stage:n`, as
 * NFACompiler.createState(type, isTake) does), and a partial match waiting in such a state times out
 * that long after its previous event. Expected values follow from NFACompiler's state naming.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePattern } from '../../../src/engine/cep/nfa/compiler.js';
import { functionConditions } from '../../../src/engine/cep/pattern/pattern.js';
import { begin, event, named, NFATestHarness, runRecords, type Event, type EventPattern, type FlinkCase } from './flink-harness.js';

function windowTimes(pattern: EventPattern): Record<string, number> {
  const compiled = compilePattern<Event>(pattern.toSpec(String), functionConditions(pattern));
  return Object.fromEntries(compiled.states.filter((s) => s.previousWindow > 0).map((s) => [s.name, s.previousWindow]));
}

const cases: FlinkCase[] = [
  {
    // times(3): NFACompiler creates b (third event), b:0 (second), b:1 (first); only the copies get the window.
    name: 'times(3, 10ms): the window sits on the copies b:0 and b:1 (waiting for the first and second b)',
    run: () => assert.deepEqual(windowTimes(begin('a').where(named('a')).followedBy('b').where(named('b')).times(3, '10ms')), { 'b:0': 10, 'b:1': 10 }),
  },
  {
    // oneOrMore: the looping state b and its ignore twin b:0 come first; b:1 waits for the first b.
    name: 'oneOrMore(10ms): only b:1, the state waiting for the first b, carries the window',
    run: () => assert.deepEqual(windowTimes(begin('a').where(named('a')).followedBy('b').where(named('b')).oneOrMore('10ms')), { 'b:1': 10 }),
  },
  {
    name: 'times(3, 10ms): a partial match whose second b is more than 10ms after its first times out there, with the timeout at first b + 10',
    run() {
      const pattern = begin('a').where(named('a')).followedBy('b').where(named('b')).times(3, '10ms');
      const input: [Event, number][] = [[event(1, 'a', 1), 1], [event(2, 'b', 1), 5], [event(3, 'b', 1), 20], [event(4, 'b', 1), 21]];
      const { matches, timeouts } = runRecords(NFATestHarness.forNFA(pattern, true), input);
      assert.equal(matches.length, 0);
      assert.deepEqual(timeouts.map(([m, t]) => [[...m.keys()], t]), [[['a', 'b'], 15]]);
    },
  },
  {
    name: 'times(3, 10ms): b events each within 10ms of the previous one match',
    run() {
      const pattern = begin('a').where(named('a')).followedBy('b').where(named('b')).times(3, '10ms');
      const input: [Event, number][] = [[event(1, 'a', 1), 1], [event(2, 'b', 1), 5], [event(3, 'b', 1), 14], [event(4, 'b', 1), 40]];
      const { matches } = runRecords(NFATestHarness.forNFA(pattern, true), input);
      // The third b is 26ms after the second: state b (the last copy's target) has no window in Flink.
      assert.equal(matches.length, 1);
      assert.deepEqual(matches[0]!.get('b')!.map((e) => e.id), [2, 3, 4]);
    },
  },
];

for (const c of cases) test(c.name, c.run);
