/**
 * The flat layout (shared-buffer.ts): a key's runs, nodes, edges and events are records of one
 * arena with a free list. After every call, the records in use are exactly what the key's snapshot
 * holds (its runs, the nodes and edges reachable from them, their events): nothing leaks and
 * nothing is freed twice; a key whose partial matches all end starts its arena again from the
 * first record; a snapshot that does not fit the pattern is refused without leaving versions behind;
 * run ids and arrival numbers count past 2^31; an observer or a skip strategy that throws mid-step
 * leaves the key consistent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SkipToElementError } from '../../../src/engine/cep/nfa/after-match/skip-to-element.js';
import { skipStrategyOf } from '../../../src/engine/cep/nfa/after-match/strategy.js';
import * as Dewey from '../../../src/engine/cep/nfa/dewey-number.js';
import type { NFA, NfaMatch, NfaState } from '../../../src/engine/cep/nfa/nfa.js';
import { restoreNfaState, snapshotNfaState, type NfaSnapshot, type PartialMatchSnapshot } from '../../../src/engine/cep/nfa/nfa-snapshot.js';
import { NfaStateEncoder, readNfaState } from '../../../src/engine/cep/nfa/nfa-snapshot-binary.js';
import { FIRST_ARENA_RECORDS, KEPT_ARENA_RECORDS, RECORD } from '../../../src/engine/cep/nfa/shared-buffer.js';
import type { NfaObserver } from '../../../src/engine/cep/trace.js';
import { SnapshotReader, SnapshotWriter } from '../../../src/engine/snapshot/binary.js';
import { random } from '../../seeded-random.js';
import { begin, compile, event, lifecyclePatterns } from './flink-harness.js';

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

test('arena: a key that empties keeps its arena only up to KEPT_ARENA_RECORDS records (idle keys kept for reuse hold little)', () => {
  // followedByAny: every "a" stays in the buffer until `within` ends it, so a burst fills the arena.
  const nfa = compile(begin('first').where((e) => e.name === 'a').followedByAny('second').where((e) => e.name === 'b').within('1000ms'));
  const arenaRecords = (state: NfaState<Ev>): number => state.words.length / RECORD;
  for (const burst of [4, 40, 400]) {
    const state = nfa.createState();
    for (let ts = 0; ts < burst; ts++) nfa.process(state, event(ts, ts % 10 === 9 ? 'b' : 'a', ts), ts);
    const held = arenaRecords(state);
    assert.ok(held >= state.recordsInUse() && state.recordsInUse() > burst, `${burst} events: ${state.recordsInUse()} records in use, arena of ${held}`);
    nfa.advanceTime(state, 100_000);
    assert.equal(state.top, 0, 'the key is empty');
    if (held > KEPT_ARENA_RECORDS) assert.equal(arenaRecords(state), 0, `an arena of ${held} records is dropped`);
    else assert.equal(arenaRecords(state), held, `an arena of ${held} records is kept`);
    // A dropped arena grows again from its first record.
    nfa.process(state, event(1, 'a', 100_001), 100_001);
    assert.ok(state.recordsInUse() > 0 && arenaRecords(state) <= Math.max(held, FIRST_ARENA_RECORDS), `after the next event: an arena of ${arenaRecords(state)} records`);
  }
});

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

/** The key's plain snapshot as its binary form decodes it (what checkpoints write). */
function binaryRoundTrip(nfa: NFA<Ev>, state: NfaState<Ev>): NfaSnapshot<Ev> {
  const encoder = new NfaStateEncoder(new SnapshotWriter(), nfa.compiled.start.name, nfa.compiled.states.map((s) => s.name));
  encoder.write(state);
  const encoded = encoder.w.finish('nfa', (r) => readNfaState(r));
  return readNfaState<Ev>(new SnapshotReader(encoded.bytes, encoded.records));
}

/** Every call of a random stream, as the run states, matches and snapshot it leaves; ids and arrival numbers less `offset`. */
function counterTrace(pattern: (typeof patterns)[number], offset: number): unknown[] {
  const [, p, skip] = pattern;
  const nfa = compile(p, true, skip);
  nfa.nextId = offset;
  const state = nfa.createState();
  state.seq = offset;
  const next = random(11);
  const names = ['a', 'b', 'c', 'd'];
  const trace: unknown[] = [];
  const matchesOf = (matches: readonly NfaMatch<Ev>[]): unknown => matches.map((m) => [...m].map(([stage, events]) => [stage, events.map((e) => [e.value, e.timestamp, e.seq - offset])]));
  for (let ts = 0; ts < 300; ts++) {
    trace.push(matchesOf(nfa.advanceTime(state, ts).matches));
    trace.push(matchesOf(nfa.process(state, event(ts, names[Math.floor(next() * names.length)]!, ts), ts)));
    trace.push(nfa.runStates(state));
    const snapshot = snapshotNfaState(nfa, state);
    assert.deepEqual(binaryRoundTrip(nfa, state), snapshot, `binary form at ${ts}`);
    const restored = restoreNfaState(nfa, snapshot);
    assert.deepEqual(snapshotNfaState(nfa, restored), snapshot, `restore at ${ts}`);
    nfa.dispose(restored);
    const less = (m: PartialMatchSnapshot): PartialMatchSnapshot => ({ ...m, id: m.id - offset });
    trace.push({
      ...snapshot,
      events: snapshot.events.map((e) => ({ ...e, seq: e.seq - offset })),
      partialMatches: snapshot.partialMatches.map(less),
      completedMatches: snapshot.completedMatches.map(less),
      seq: snapshot.seq - offset,
    });
  }
  // Both counters crossed the offsets below (40 under 2^31 and 2^32).
  assert.ok(nfa.nextId - offset > 40 && state.seq - offset > 40, `ids ${nfa.nextId - offset}, arrivals ${state.seq - offset}`);
  return trace;
}

for (const pattern of patterns) {
  test(`arena: run ids and arrival numbers count past 2^31 and 2^32 exactly: same order, matches and snapshots (${pattern[0]})`, () => {
    const expected = counterTrace(pattern, 0);
    // Ids count every run of every key of the NFA: a long-lived process passes 2^31.
    assert.deepEqual(counterTrace(pattern, 2 ** 31 - 40), expected);
    assert.deepEqual(counterTrace(pattern, 2 ** 32 - 40), expected);
    assert.deepEqual(counterTrace(pattern, 2 ** 52), expected);
  });
}

test('arena: an observer that throws mid-step leaves the key as the uninterrupted one (its error thrown once the step is done)', () => {
  const [, pattern, skip] = patterns[3]!;
  let calls = 0;
  const failing: NfaObserver = {
    condition: () => {
      if (++calls % 7 === 0) throw new Error('condition hook');
    },
    partialMatch: (change) => {
      if (++calls % 5 === 0) throw new Error(`partialMatch hook (${change.kind})`);
    },
  };
  const nfa = compile(pattern, true, skip, failing);
  const reference = compile(pattern, true, skip);
  const state = nfa.createState();
  const expected = reference.createState();
  const next = random(23);
  const names = ['a', 'b', 'c'];
  let thrown = 0;
  const call = (f: () => unknown): void => {
    try {
      f();
    } catch (error) {
      assert.match((error as Error).message, /hook/);
      thrown++;
    }
  };
  for (let ts = 0; ts < 300; ts++) {
    const e = event(ts, names[Math.floor(next() * names.length)]!, ts);
    call(() => nfa.advanceTime(state, ts));
    reference.advanceTime(expected, ts);
    call(() => nfa.process(state, e, ts));
    reference.process(expected, e, ts);
    assert.deepEqual(nfa.runStates(state), reference.runStates(expected), `runs at ${ts}`);
    assert.equal(state.recordsInUse(), recordsHeld(nfa, state), `records at ${ts}`);
    const { partialMatches, completedMatches, nodes, events } = snapshotNfaState(nfa, state);
    const other = snapshotNfaState(reference, expected);
    const ids = (m: PartialMatchSnapshot): PartialMatchSnapshot => ({ ...m, id: 0 });
    assert.deepEqual([partialMatches.map(ids), completedMatches.map(ids), nodes, events], [other.partialMatches.map(ids), other.completedMatches.map(ids), other.nodes, other.events], `snapshot at ${ts}`);
  }
  assert.ok(thrown > 10, `${thrown} calls threw`);
  nfa.dispose(state);
  reference.dispose(expected);
});

test('arena: a skip strategy that throws on a miss leaves the key consistent, and the match first in line (as Flink)', () => {
  // Flink's AfterMatchSkipITCase.testSkipToFirstNonExistentPosition shape: `a c` has no `b` to skip to.
  const contains = (s: string) => (e: Ev): boolean => e.name.includes(s);
  const pattern = begin('a').where(contains('a')).next('b').where(contains('b')).oneOrMore().optional().consecutive().next('c').where(contains('c'));
  const nfa = compile(pattern, false, skipStrategyOf({ kind: 'skipToFirst', stage: 'b' }, true));
  const versions = Dewey.liveVersions();
  const state = nfa.createState();
  const names = ['a', 'c', 'a', 'b', 'a', 'c', 'b', 'a', 'b', 'c', 'a', 'c'];
  let thrown = 0;
  for (let ts = 0; ts < names.length; ts++) {
    try {
      nfa.process(state, event(ts, names[ts]!, ts), ts);
    } catch (error) {
      assert.ok(error instanceof SkipToElementError);
      thrown++;
    }
    assert.equal(state.recordsInUse(), recordsHeld(nfa, state), `records after ${names[ts]} at ${ts}`);
    const snapshot = snapshotNfaState(nfa, state);
    const restored = restoreNfaState(nfa, snapshot);
    assert.deepEqual(snapshotNfaState(nfa, restored), snapshot);
    nfa.dispose(restored);
    // The match that cannot skip waits first in line: every later match attempt meets it again.
    if (thrown > 0) assert.ok(state.completedMatches.length > 0);
  }
  assert.ok(thrown > 1, `${thrown} calls threw`);
  nfa.dispose(state);
  assert.equal(Dewey.liveVersions(), versions);
});
