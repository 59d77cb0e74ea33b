/**
 * The flat layout (shared-buffer.ts): a key's runs, nodes, edges and events are records of one
 * arena with a free list. After every call, the records in use are exactly what the key's snapshot
 * holds (its runs, the nodes and edges reachable from them, their events): nothing leaks and
 * nothing is freed twice; a key whose partial matches all end starts its arena again from the
 * first record; a snapshot that does not fit the pattern is refused without leaving versions behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Dewey from '../../../src/engine/cep/nfa/dewey-number.js';
import type { NFA, NfaState } from '../../../src/engine/cep/nfa/nfa.js';
import { restoreNfaState, snapshotNfaState } from '../../../src/engine/cep/nfa/nfa-snapshot.js';
import { random } from '../../quality/fault-stream.js';
import { compile, event, lifecyclePatterns } from './flink-harness.js';

type Ev = ReturnType<typeof event>;

/** What the key's snapshot says it holds, in records: runs (the start run is no record), nodes, edges, events. */
function recordsHeld(nfa: NFA<Ev>, state: NfaState<Ev>): number {
  const s = snapshotNfaState(nfa, state);
  const edges = s.nodes.reduce((n, node) => n + node.edges.length, 0);
  const startRun = state.startVersion === Dewey.NO_VERSION ? 0 : 1;
  return s.partialMatches.length - startRun + s.completedMatches.length + s.nodes.length + edges + s.events.length;
}

const patterns = lifecyclePatterns();

for (const [name, pattern, skip] of patterns) {
  test(`arena: the records in use are exactly the key's runs, nodes, edges and events after every call (${name})`, () => {
    const nfa = compile(pattern, true, skip);
    const states = Array.from({ length: 3 }, () => nfa.createState());
    const next = random(17);
    const names = ['a', 'b', 'c', 'd'];
    let busiest = 0;
    let matches = 0;
    for (let ts = 0; ts < 600; ts++) {
      const state = states[Math.floor(next() * states.length)]!;
      matches += nfa.advanceTime(state, ts).matches.length;
      assert.equal(state.recordsInUse(), recordsHeld(nfa, state), `after advanceTime(${ts})`);
      matches += nfa.process(state, event(ts, names[Math.floor(next() * names.length)]!, ts), ts).length;
      assert.equal(state.recordsInUse(), recordsHeld(nfa, state), `after process at ${ts}`);
      busiest = Math.max(busiest, state.recordsInUse());
    }
    assert.ok(matches > 0 && busiest > 10, `${matches} matches, at most ${busiest} records`);
    for (const state of states) {
      nfa.advanceTime(state, 100_000);
      // Every partial match ended: the arena starts again from its first record.
      assert.equal(state.runCount, 0);
      assert.equal(state.top, 0, 'the arena is empty');
      assert.equal(state.liveEvents, 0);
      assert.equal(state.liveNodes, 0);
    }
  });
}

test('arena: a restored key holds the same records as the one snapshotted, and continues alike', () => {
  const [, pattern, skip] = patterns[2]!;
  const nfa = compile(pattern, true, skip);
  const original = nfa.createState();
  const next = random(5);
  const names = ['a', 'b', 'c'];
  const feed = (state: NfaState<Ev>, from: number, to: number): string[] => {
    const out: string[] = [];
    const r = random(from);
    for (let ts = from; ts < to; ts++) {
      out.push(...nfa.advanceTime(state, ts).matches.map((m) => JSON.stringify([...m])));
      out.push(...nfa.process(state, event(ts, names[Math.floor(r() * names.length)]!, ts), ts).map((m) => JSON.stringify([...m])));
    }
    return out;
  };
  for (let ts = 0; ts < 40; ts++) nfa.process(original, event(ts, names[Math.floor(next() * names.length)]!, ts), ts);
  const snapshot = snapshotNfaState(nfa, original);
  const restored = restoreNfaState(nfa, snapshot);
  assert.deepEqual(snapshotNfaState(nfa, restored), snapshot);
  assert.equal(restored.recordsInUse(), recordsHeld(nfa, restored));
  const id = nfa.nextId;
  const a = feed(original, 40, 120);
  nfa.nextId = id;
  const b = feed(restored, 40, 120);
  assert.ok(a.length > 0);
  assert.deepEqual(b, a);
  nfa.dispose(original);
  nfa.dispose(restored);
});

test('arena: a snapshot naming a state the pattern does not have is refused, and leaves no version behind', () => {
  const [, pattern, skip] = patterns[1]!;
  const nfa = compile(pattern, true, skip);
  const state = nfa.createState();
  for (let ts = 0; ts < 3; ts++) nfa.process(state, event(ts, 'a', ts), ts);
  const snapshot = snapshotNfaState(nfa, state);
  assert.ok(snapshot.partialMatches.length > 1);
  const broken = { ...snapshot, partialMatches: snapshot.partialMatches.map((m, i) => (i === 0 ? { ...m, state: 'nowhere' } : m)) };
  const before = Dewey.liveVersions();
  assert.throws(() => restoreNfaState(nfa, broken), /partial match in state nowhere, which the pattern does not have/);
  assert.equal(Dewey.liveVersions(), before);
  nfa.dispose(state);
});
