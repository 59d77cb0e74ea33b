/**
 * Flink's NFATest (flink-libraries/flink-cep/src/test/.../nfa/NFATest.java): the NFA run on a state
 * graph built by hand (start -TAKE-> end -TAKE-> final, end IGNOREs anything), and the window's
 * borders: left side inclusive, right side exclusive. Same inputs and expected matches. Not ported:
 * testNFASerialization (Flink's NFAStateSerializer round trip; sw snapshots are tested with
 * checkpoints).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledPattern } from '../../../src/engine/cep/nfa/compiler.js';
import { NFA } from '../../../src/engine/cep/nfa/nfa.js';
import { State, TRUE } from '../../../src/engine/cep/nfa/state.js';
import { event, mapKey, values, type Event, type FlinkCase, type Rec } from './flink-harness.js';

/** NFATest.createStartEndNFA (window 2 ms), or testSimpleNFA's graph (window 0). */
function startEndNfa(windowTime: number): NFA<Event> {
  const start = new State<Event>('start', 'start', 'start');
  const end = new State<Event>('end', 'end', 'normal');
  const ending = new State<Event>('', '', 'final');
  start.addTake(end, { kind: 'where', stage: 'start', test: (v) => v.name === 'start' });
  end.addTake(ending, { kind: 'where', stage: 'end', test: (v) => v.name === 'end' });
  end.addIgnore(end, TRUE);
  const compiled: CompiledPattern<Event> = { states: [start, end, ending], start, windowTime, skip: { kind: 'noSkip' }, stages: ['start', 'end'] };
  return new NFA(compiled);
}

/** NFATest.runNFA: advanceTime then process per record; the matches as a set. */
function runNfa(nfa: NFA<Event>, records: readonly Rec[]): string[] {
  const state = nfa.createState();
  const matches = new Set<string>();
  for (const [value, ts] of records) {
    nfa.advanceTime(state, ts);
    for (const match of nfa.process(state, value, ts)) matches.add(mapKey(values(match)));
  }
  return [...matches].sort();
}

const expected = (...maps: Record<string, Event[]>[]): string[] => maps.map(mapKey).sort();

const cases: FlinkCase[] = [
  {
    name: 'NFATest.testSimpleNFA',
    run: () =>
      assert.deepEqual(
        runNfa(startEndNfa(0), [[event(1, 'start', 1.0), 1], [event(2, 'bar', 2.0), 2], [event(3, 'start', 3.0), 3], [event(4, 'end', 4.0), 4]]),
        expected({ start: [event(1, 'start', 1.0)], end: [event(4, 'end', 4.0)] }, { start: [event(3, 'start', 3.0)], end: [event(4, 'end', 4.0)] }),
      ),
  },
  {
    name: 'NFATest.testTimeoutWindowPruning',
    run: () =>
      assert.deepEqual(
        runNfa(startEndNfa(2), [[event(1, 'start', 1.0), 1], [event(2, 'bar', 2.0), 2], [event(3, 'start', 3.0), 3], [event(4, 'end', 4.0), 4]]),
        expected({ start: [event(3, 'start', 3.0)], end: [event(4, 'end', 4.0)] }),
      ),
  },
  {
    // Elements exactly the window length apart are not matched: the right side is exclusive.
    name: 'NFATest.testWindowBorders',
    run: () => assert.deepEqual(runNfa(startEndNfa(2), [[event(1, 'start', 1.0), 1], [event(2, 'end', 2.0), 3]]), []),
  },
  {
    // Pruning the buffer and the partial matches use the same borders.
    name: 'NFATest.testTimeoutWindowPruningWindowBorders',
    run: () =>
      assert.deepEqual(
        runNfa(startEndNfa(2), [[event(1, 'start', 1.0), 1], [event(2, 'start', 2.0), 2], [event(3, 'foobar', 3.0), 3], [event(4, 'end', 4.0), 3]]),
        expected({ start: [event(2, 'start', 2.0)], end: [event(4, 'end', 4.0)] }),
      ),
  },
];

for (const c of cases) test(c.name, c.run);
