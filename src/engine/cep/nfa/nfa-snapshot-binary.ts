/**
 * The binary form of one key's NFA state, for checkpoints: the same content as snapshotNfaState's
 * plain form (nfa-snapshot.ts), written straight from the runtime structures into a
 * SnapshotWriter, without building an object per node, edge and partial match (a 28K-key pattern
 * step took 0.3-0.6 s to build the plain form). `readNfaState` gives back exactly the plain form,
 * so restores, savepoints and `sw savepoint inspect` see no difference.
 *
 * Layout (after the form version): nodes (event, stage, refs, removed, edges (to + 1 or 0, version,
 * refs)), partial matches and completed matches (state, node + 1 or 0, version, start, previous,
 * startEvent + 1 or 0, id), events (seq, timestamp, value, refs), then the buffer's seq and live
 * counts. Event indexes are handed out in the order the plain form does: nodes first, then the
 * runs' start events. Versions are a digit count and the digits.
 *
 * Like snapshotNfaState this walks the NFA's runtime structures: a new runtime representation
 * rewrites `NfaStateEncoder.write` with it (test/engine/snapshot/round-trip.test.ts checks, at
 * every cut, that the binary form decodes to exactly snapshotNfaState's).
 */
import type { SnapshotReader, SnapshotWriter } from '../../snapshot/binary.js';
import * as Dewey from './dewey-number.js';
import type { NfaState, Run } from './nfa.js';
import { NFA_SNAPSHOT_VERSION, type NfaEventSnapshot, type NfaNodeSnapshot, type NfaSnapshot, type PartialMatchSnapshot } from './nfa-snapshot.js';
import { E_REFS, G_NEXT, G_REFS, G_TARGET, G_VERSION, N_EVENT, N_FIRST, N_PAGE, N_REFS, N_REMOVED, NONE, pageName, R_NEXT, SHIFT } from './shared-buffer.js';

/** Writes keys one after the other; its scratch lists are reused from key to key. */
export class NfaStateEncoder {
  // Indexes by slot: index + 1 of a key's node or event record, 0 when not numbered yet; the slots
  // numbered are cleared after each key (a key's records are slots of its own arena).
  private nodeIndex = new Int32Array(1024);
  private eventIndex = new Int32Array(1024);
  private order: number[] = [];
  private nodeCount = 0;
  private events: number[] = [];
  private eventCount = 0;
  private stack: number[] = [];
  private digits: number[] = [];
  private runs: Run[] = [];
  /** The names of the NFA's states by index (a run record holds its state's index). */
  private readonly stateNames: readonly string[];

  constructor(
    readonly w: SnapshotWriter,
    /** The name of the NFA's start state: the start run is kept in the key's fields, without it. */
    private readonly startState: string,
    /** The NFA's state names by index (a run record holds its state's index). */
    stateNames: readonly string[],
    /** A stage page's name by its index in the node records (a copy's arena may come from another process). */
    private readonly pageNameOf: (page: number) => string = pageName,
  ) {
    this.stateNames = stateNames;
  }

  write<E>(state: NfaState<E>): void {
    const s = state as unknown as NfaState<unknown>;
    const words = s.words;
    const w = this.w;
    const slots = words.length >> SHIFT;
    if (this.nodeIndex.length < slots) {
      this.nodeIndex = new Int32Array(slots * 2);
      this.eventIndex = new Int32Array(slots * 2);
    }
    this.nodeCount = 0;
    this.eventCount = 0;
    try {
      const runs = this.runs;
      let runCount = 0;
      for (let run = s.runCount > 0 ? s.firstRun : NONE; run !== NONE; run = words[(run << SHIFT) + R_NEXT]!) runs[runCount++] = run;
      for (let i = 0; i < runCount; i++) this.visit(words, s.runNode(runs[i]!));
      const completed = s.completedMatches;
      for (let i = 0; i < completed.length; i++) this.visit(words, s.runNode(completed[i]!));
      w.uint(NFA_SNAPSHOT_VERSION);
      const nodeCount = this.nodeCount;
      w.uint(nodeCount);
      for (let k = 0; k < nodeCount; k++) {
        const at = this.order[k]! << SHIFT;
        w.uint(this.eventOf(words[at + N_EVENT]!));
        w.sym(this.pageNameOf(words[at + N_PAGE]!));
        w.int(words[at + N_REFS]!);
        w.uint(words[at + N_REMOVED] !== 0 ? 1 : 0);
        let n = 0;
        for (let edge = words[at + N_FIRST]!; edge !== NONE; edge = words[(edge << SHIFT) + G_NEXT]!) n++;
        w.uint(n);
        for (let edge = words[at + N_FIRST]!; edge !== NONE; edge = words[(edge << SHIFT) + G_NEXT]!) {
          const target = words[(edge << SHIFT) + G_TARGET]!;
          w.uint(target === NONE ? 0 : this.nodeIndex[target]!);
          this.version(words[(edge << SHIFT) + G_VERSION]!);
          w.int(words[(edge << SHIFT) + G_REFS]!);
        }
      }
      // The start run, kept in the key's fields, is written last, where it sorts (NfaState).
      this.writeRuns(s, runs, runCount, s.startVersion === Dewey.NO_VERSION ? null : s);
      this.writeRuns(s, completed, completed.length, null);
      const eventCount = this.eventCount;
      w.uint(eventCount);
      for (let k = 0; k < eventCount; k++) {
        const event = this.events[k]!;
        w.uint(s.eventSeq(event));
        w.float(s.eventTime(event));
        w.record(s.eventValue(event));
        w.int(words[(event << SHIFT) + E_REFS]!);
      }
      w.uint(s.seq);
      w.int(s.liveEvents);
      w.int(s.liveNodes);
    } finally {
      // Cleared even when a write failed (a value the writer refused): the encoder is reused.
      for (let k = 0; k < this.nodeCount; k++) this.nodeIndex[this.order[k]!] = 0;
      for (let k = 0; k < this.eventCount; k++) this.eventIndex[this.events[k]!] = 0;
    }
  }

  /** Every node reachable from a run, numbered in discovery order, as snapshotNfaState does. */
  private visit(words: Int32Array, start: number): void {
    if (start === NONE) return;
    const stack = this.stack;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const node = stack[--top]!;
      if (this.nodeIndex[node] !== 0) continue;
      this.order[this.nodeCount++] = node;
      this.nodeIndex[node] = this.nodeCount;
      for (let edge = words[(node << SHIFT) + N_FIRST]!; edge !== NONE; edge = words[(edge << SHIFT) + G_NEXT]!) {
        const target = words[(edge << SHIFT) + G_TARGET]!;
        if (target !== NONE) stack[top++] = target;
      }
    }
  }

  /** The event's index, handing out the next one to an event not seen yet. */
  private eventOf(event: number): number {
    const known = this.eventIndex[event]!;
    if (known !== 0) return known - 1;
    const n = this.eventCount++;
    this.events[n] = event;
    this.eventIndex[event] = n + 1;
    return n;
  }

  private writeRuns(s: NfaState<unknown>, runs: readonly Run[], count: number, start: NfaState<unknown> | null): void {
    const w = this.w;
    w.uint(count + (start === null ? 0 : 1));
    for (let i = 0; i < count; i++) {
      const cs = runs[i]!;
      const node = s.runNode(cs);
      const startEvent = s.runStartEvent(cs);
      w.sym(this.stateNames[s.runState(cs)]!);
      w.uint(node === NONE ? 0 : this.nodeIndex[node]!);
      this.version(s.runVersion(cs));
      w.float(s.runStart(cs));
      w.float(s.runPrevious(cs));
      w.uint(startEvent === NONE ? 0 : this.eventOf(startEvent) + 1);
      w.uint(s.runId(cs));
    }
    if (start !== null) {
      w.sym(this.startState);
      w.uint(0);
      this.version(start.startVersion);
      w.float(-1);
      w.float(-1);
      w.uint(0);
      w.uint(start.startId);
    }
  }

  private version(version: Dewey.Version): void {
    const digits = this.digits;
    const n = Dewey.digitsOf(version, digits);
    this.w.uint(n);
    for (let i = 0; i < n; i++) this.w.uint(digits[i]!);
  }
}

/** The plain form (as snapshotNfaState gives it) of what NfaStateEncoder.write wrote. */
export function readNfaState<E>(r: SnapshotReader): NfaSnapshot<E> {
  const version = r.uint();
  if (version !== NFA_SNAPSHOT_VERSION) throw new Error(`NFA state form ${version} is not ${NFA_SNAPSHOT_VERSION}`);
  const nodes: NfaNodeSnapshot[] = [];
  for (let i = 0, n = r.uint(); i < n; i++) {
    const event = r.uint();
    const stage = r.sym();
    const refs = r.int();
    const removed = r.uint() === 1;
    const edges: NfaNodeSnapshot['edges'][number][] = [];
    for (let j = 0, m = r.uint(); j < m; j++) {
      const to = r.uint();
      edges.push({ to: to === 0 ? null : to - 1, version: readVersion(r), refs: r.int() });
    }
    nodes.push({ event, stage, refs, ...(removed ? { removed: true as const } : {}), edges });
  }
  const partialMatches = readRuns(r);
  const completedMatches = readRuns(r);
  const eventList: NfaEventSnapshot<E>[] = [];
  for (let i = 0, n = r.uint(); i < n; i++) eventList.push({ seq: r.uint(), timestamp: r.float(), value: r.record() as E, refs: r.int() });
  return {
    version: NFA_SNAPSHOT_VERSION,
    events: eventList,
    nodes,
    partialMatches,
    completedMatches,
    seq: r.uint(),
    liveEvents: r.int(),
    liveNodes: r.int(),
  };
}

function readRuns(r: SnapshotReader): PartialMatchSnapshot[] {
  const runs: PartialMatchSnapshot[] = [];
  for (let i = 0, n = r.uint(); i < n; i++) {
    const state = r.sym();
    const node = r.uint();
    const version = readVersion(r);
    const start = r.float();
    const previous = r.float();
    const startEvent = r.uint();
    runs.push({ state, node: node === 0 ? null : node - 1, version, start, previous, startEvent: startEvent === 0 ? null : startEvent - 1, id: r.uint() });
  }
  return runs;
}

function readVersion(r: SnapshotReader): string {
  const parts: number[] = [];
  for (let i = 0, n = r.uint(); i < n; i++) parts.push(r.uint());
  return parts.join('.');
}
