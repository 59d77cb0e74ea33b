/**
 * Snapshots of a linear matcher's keys in the NFA's own snapshot forms (nfa-snapshot.ts, and the
 * checkpoint copier that reads NfaState arenas): before a snapshot, each key's runs are written into
 * the key's NfaState part as the NFA would hold them; after it, that part is emptied again. A
 * restore reads the runs of the restored NfaState back into rows. So a checkpoint of a linear
 * operator restores into a linear or a general one, and a general one's into either.
 *
 * Each run is written as its own chain of buffer nodes (its events registered for it alone), with
 * the versions the NFA gives a run that was started with start version [k]: the edge of its j-th
 * node is k.0…0 (j zeros), the run's own k.0…0 (as many zeros as events), k = 1, 2, … in run order
 * and the start run's after them, so no two runs' versions are compatible.
 */
import * as Dewey from './dewey-number.js';
import type { LinearKey, LinearMatcher } from './linear-matcher.js';
import type { NFA, NfaState, Run } from './nfa.js';
import { compareEvents, pageOf, type BufferedEvent } from './shared-buffer.js';

type Key<E> = NfaState<E> & LinearKey;

/** Writes the key's runs and waiting matches into its (empty) NfaState part. */
export function writeLinearRuns<E>(nfa: NFA<E>, matcher: LinearMatcher<E>, key: Key<E>): void {
  key.pool = nfa.pool;
  const stateIndex = new Map(nfa.compiled.states.map((s, i) => [s.name, i]));
  const finalIndex = nfa.compiled.states.findIndex((s) => s.isFinal);
  const pages = matcher.stageNames.map((stage) => pageOf(stage));
  let digit = 1;
  const write = (values: readonly unknown[], times: ArrayLike<number>, seqs: ArrayLike<number>, taken: number, state: number): Run => {
    let version = Dewey.of(digit++);
    let node = -1;
    let first = -1;
    for (let j = 0; j < taken; j++) {
      // As NFA.computeNextStates' TAKE: the edge gets the run's version, the run version + new stage.
      const event = key.registerEvent(values[j] as E, times[j]!);
      key.setEventSeq(event, seqs[j]!);
      if (first === -1) first = event;
      const current = Dewey.increase(version, 0);
      const next = Dewey.addStage(current);
      const entry = key.put(pages[j]!, event, node, current);
      key.lockNode(entry, next);
      if (node !== -1) key.releaseNode(node, version);
      Dewey.release(version);
      key.releaseEvent(event);
      version = next;
      node = entry;
    }
    return key.newRun(state, node, version, first, digit);
  };
  const runs: Run[] = [];
  const m = matcher.length;
  for (let row = 0; row < key.linearCount; row++) {
    const { values, times, seqs, taken } = matcher.runAt(key, row);
    runs.push(write(values, times, seqs, taken, stateIndex.get(matcher.stateNames[taken]!)!));
  }
  key.linkRuns(runs, runs.length);
  if (key.linearWaiting.length > 0) key.completedMatches = key.linearWaiting.map((run) => write(run.values, run.times, run.seqs, m, finalIndex));
  if (key.startVersion !== Dewey.NO_VERSION) Dewey.release(key.startVersion);
  key.startVersion = Dewey.of(digit);
  key.startId = digit;
  key.seq = matcher.seq;
}

/** Empties the key's NfaState part again (its start run as a new key's). */
export function clearNfaPart<E>(nfa: NFA<E>, key: Key<E>): void {
  nfa.dispose(key);
  // The runs live in the linear matcher's rows: the arena the snapshot filled is not kept (20K
  // keys kept 1 KB each).
  key.releaseArena();
  key.startVersion = Dewey.of(1);
  key.startId = 0;
}

/**
 * Reads the runs of a restored key's NfaState part into the linear matcher's rows and empties that
 * part; false (nothing changed) when some run is not a run of the chain.
 */
export function readLinearRuns<E>(nfa: NFA<E>, matcher: LinearMatcher<E>, key: Key<E>, check = false): boolean {
  const position = new Map<number, number>();
  nfa.compiled.states.forEach((s, i) => {
    const at = matcher.stateNames.indexOf(s.name);
    if (at > 0) position.set(i, at);
    else if (s.isFinal) position.set(i, matcher.length);
  });
  const eventsOf = (run: Run): BufferedEvent<E>[] => {
    const path = key.extractPatterns(key.runNode(run), key.runVersion(run), 1)[0];
    const events = path === undefined ? [] : [...path.values()].flat();
    return events.sort(compareEvents);
  };
  const runs = key.runList();
  for (const run of [...runs, ...key.completedMatches]) {
    const at = position.get(key.runState(run));
    if (at === undefined || eventsOf(run).length !== at) return false;
  }
  if (check) return true;
  for (const run of runs) matcher.loadRun(key, eventsOf(run), false);
  for (const run of key.completedMatches) matcher.loadRun(key, eventsOf(run), true);
  matcher.seq = Math.max(matcher.seq, key.seq);
  clearNfaPart(nfa, key);
  return true;
}
