/**
 * A linear matcher's runs and the NFA's snapshot forms (nfa-snapshot.ts): a key restored in the
 * NFA's form whose runs are runs of the chain is loaded into the linear matcher's rows (runsOf,
 * load), and runs saved in the linear form (linear-snapshot-copy.ts) are written into a key's
 * NfaState part when the NFA runs the restored operator (writeRuns). So a checkpoint of a linear
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

/**
 * A linear operator's snapshot side, built once per operator: what the writes and reads need of the
 * NFA and the chain (state indexes by events taken, stage pages, chain positions by NFA state) is
 * worked out here, not again per key and checkpoint.
 */
export class LinearSnapshots<E> {
  /** The NFA state a run is in after taking i events (i < m), and the final state's. */
  private readonly stateOfTaken: readonly number[];
  private readonly finalIndex: number;
  private readonly pages: readonly ReturnType<typeof pageOf>[];
  /** NFA state index → events taken by a run in it (m for the final state); absent: not on the chain. */
  private readonly position = new Map<number, number>();

  constructor(
    private readonly nfa: NFA<E>,
    chain: ChainNames,
  ) {
    const states = nfa.compiled.states;
    const stateIndex = new Map(states.map((s, i) => [s.name, i]));
    this.stateOfTaken = chain.stateNames.map((name) => stateIndex.get(name)!);
    this.finalIndex = states.findIndex((s) => s.isFinal);
    this.pages = chain.stageNames.map((stage) => pageOf(stage));
    states.forEach((s, i) => {
      const at = chain.stateNames.indexOf(s.name);
      if (at > 0) this.position.set(i, at);
      else if (s.isFinal) this.position.set(i, chain.length);
    });
  }

  /**
   * Writes runs (in order, each its events so far) and completed matches waiting (skip strategies)
   * into the key's NfaState part as the NFA would hold them; `seq` is the next arrival number.
   */
  writeRuns(key: NfaState<E>, runs: readonly RunEvents<E>[], waiting: readonly RunEvents<E>[], seq: number): void {
    const { pages } = this;
    key.pool = this.nfa.pool;
    let digit = 1;
    const write = (events: RunEvents<E>, state: number): Run => {
      let version = Dewey.of(digit++);
      let node = -1;
      let first = -1;
      for (let j = 0; j < events.length; j++) {
        // As NFA.computeNextStates' TAKE: the edge gets the run's version, the run version + new stage.
        const event = key.registerEvent(events[j]!.value, events[j]!.timestamp);
        key.setEventSeq(event, events[j]!.seq);
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
    const list = runs.map((events) => write(events, this.stateOfTaken[events.length]!));
    key.linkRuns(list, list.length);
    if (waiting.length > 0) key.completedMatches = waiting.map((events) => write(events, this.finalIndex));
    if (key.startVersion !== Dewey.NO_VERSION) Dewey.release(key.startVersion);
    key.startVersion = Dewey.of(digit);
    key.startId = digit;
    key.seq = seq;
  }

  /** Empties the key's NfaState part again (its start run as a new key's). */
  clear(key: Key<E>): void {
    this.nfa.dispose(key);
    // The runs live in the linear matcher's rows: the arena the snapshot filled is not kept (20K
    // keys kept 1 KB each).
    key.releaseArena();
    key.startVersion = Dewey.of(1);
    key.startId = 0;
  }

  /**
   * The events of each run and of each completed match in a restored key's NfaState part, in time
   * order; null when some run is not a run of the chain (then the NFA runs the operator).
   */
  runsOf(key: Key<E>): RestoredRuns<E> | null {
    const eventsOf = (run: Run): BufferedEvent<E>[] | null => {
      const at = this.position.get(key.runState(run));
      const path = key.extractPatterns(key.runNode(run), key.runVersion(run), 1)[0];
      const events = path === undefined ? [] : [...path.values()].flat();
      return at === events.length ? events.sort(compareEvents) : null;
    };
    const runs: BufferedEvent<E>[][] = [];
    const completed: BufferedEvent<E>[][] = [];
    for (const [from, into] of [
      [key.runList(), runs],
      [key.completedMatches, completed],
    ] as const) {
      for (const run of from) {
        const events = eventsOf(run);
        if (events === null) return null;
        into.push(events);
      }
    }
    return { runs, completed };
  }

  /** Loads a key's runs (runsOf) into the linear matcher's rows and empties its NfaState part. */
  load(key: Key<E>, restored: RestoredRuns<E>, matcher: LinearMatcher<E>): void {
    for (const events of restored.runs) matcher.loadRun(key.slot, events, false);
    for (const events of restored.completed) matcher.loadRun(key.slot, events, true);
    matcher.seq = Math.max(matcher.seq, key.seq);
    this.clear(key);
  }
}

/** The chain's state names by events taken, the stage of each position, and its length m (LinearMatcher has them). */
export interface ChainNames {
  readonly stateNames: readonly string[];
  readonly stageNames: readonly string[];
  readonly length: number;
}

/** A run's (or waiting match's) events so far, in order. */
export type RunEvents<E> = readonly { readonly value: E; readonly timestamp: number; readonly seq: number }[];

/** A restored key's runs and completed matches, each as its events in time order. */
export interface RestoredRuns<E> {
  readonly runs: readonly (readonly BufferedEvent<E>[])[];
  readonly completed: readonly (readonly BufferedEvent<E>[])[];
}
