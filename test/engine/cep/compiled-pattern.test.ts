/**
 * The compiled pattern is immutable and shared (style.md, as Flink's NFA): NFAs built over it keep
 * their own tables and never write into its states or transitions. Frozen deeply, it must still
 * run, in two NFAs at once, with the same matches as a pattern nothing froze.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePattern, type CompiledPattern } from '../../../src/engine/cep/nfa/compiler.js';
import { NFA } from '../../../src/engine/cep/nfa/nfa.js';
import { functionConditions } from '../../../src/engine/cep/pattern/pattern.js';
import { begin, event, mapKey, named, values, type Event, type EventPattern } from './flink-harness.js';

function compiled(pattern: EventPattern): CompiledPattern<Event> {
  return compilePattern<Event>(pattern.toSpec(String), functionConditions(pattern));
}

function freezeDeeply(pattern: CompiledPattern<Event>): void {
  for (const state of pattern.states) {
    for (const t of state.transitions) Object.freeze(t);
    Object.freeze(state.transitions);
    Object.freeze(state);
  }
  Object.freeze(pattern.states);
  Object.freeze(pattern);
}

/** c, then a's (oneOrMore, a window since the previous one), then b: stop, final, proceed and self-ignore edges. */
function pattern(): EventPattern {
  return begin('start').where(named('c')).followedBy('middle').where(named('a')).oneOrMore('5ms').followedBy('end').where(named('b')).within('20ms');
}

function run(nfa: NFA<Event>, input: readonly [Event, number][]): string[] {
  const state = nfa.createState();
  const found: string[] = [];
  for (const [e, ts] of input) {
    nfa.advanceTime(state, ts);
    for (const match of nfa.process(state, e, ts)) found.push(mapKey(values(match)));
  }
  return found;
}

const input: [Event, number][] = [
  [event(1, 'c', 1), 1],
  [event(2, 'a', 2), 2],
  [event(3, 'x', 3), 3],
  [event(4, 'a', 4), 4],
  [event(5, 'c', 5), 5],
  [event(6, 'a', 6), 6],
  [event(7, 'b', 7), 7],
  [event(8, 'a', 20), 20],
  [event(9, 'b', 30), 30],
];

test('a deeply frozen compiled pattern runs in two NFAs at once, with the matches of one nothing froze', () => {
  const expected = run(new NFA(compiled(pattern())), input);
  assert.ok(expected.length >= 3, `the input has matches (${expected.length})`);
  const frozen = compiled(pattern());
  freezeDeeply(frozen);
  const first = new NFA(frozen);
  const second = new NFA(frozen);
  assert.deepEqual(run(first, input), expected);
  assert.deepEqual(run(second, input), expected);
});
