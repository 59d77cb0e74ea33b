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
import type { ComputationState, NfaState } from './nfa.js';
import { NFA_SNAPSHOT_VERSION, type NfaEventSnapshot, type NfaNodeSnapshot, type NfaSnapshot, type PartialMatchSnapshot } from './nfa-snapshot.js';
import type { BufferedEvent, BufferNode } from './shared-buffer.js';

/** Up to this many nodes (events) a key's indexes are found by a linear search, past it by a Map. */
const LINEAR = 16;

/** Writes keys one after the other; its scratch lists are reused from key to key. */
export class NfaStateEncoder {
  // A key usually has a handful of nodes and events: up to LINEAR of them an index is found by a
  // linear search, cheaper than a Map; past that (a busy key holds thousands) by a Map, filled
  // from then on, so that a big key costs O(n), not O(n²) (a 20K-node key took seconds).
  private order: BufferNode<unknown>[] = [];
  private nodeCount = 0;
  private readonly nodeIndex = new Map<BufferNode<unknown>, number>();
  private events: BufferedEvent<unknown>[] = [];
  private eventCount = 0;
  private readonly eventIndex = new Map<BufferedEvent<unknown>, number>();
  private stack: BufferNode<unknown>[] = [];
  private digits: number[] = [];

  constructor(
    readonly w: SnapshotWriter,
    /** The name of the NFA's start state: the start run is kept in the key's fields, without it. */
    private readonly startState: string,
  ) {}

  write<E>(state: NfaState<E>): void {
    const s = state as unknown as NfaState<unknown>;
    const runs = s.partialMatches;
    const w = this.w;
    this.nodeCount = 0;
    this.eventCount = 0;
    if (this.nodeIndex.size > 0) this.nodeIndex.clear();
    if (this.eventIndex.size > 0) this.eventIndex.clear();
    for (let i = 0; i < runs.length; i++) this.visit(runs[i]!.previous);
    const completed = s.completedMatches;
    for (let i = 0; i < completed.length; i++) this.visit(completed[i]!.previous);
    w.uint(NFA_SNAPSHOT_VERSION);
    const nodeCount = this.nodeCount;
    w.uint(nodeCount);
    for (let k = 0; k < nodeCount; k++) {
      const node = this.order[k]!;
      w.uint(this.eventOf(node.event));
      w.sym(node.page);
      w.int(node.refs);
      w.uint(node.removed ? 1 : 0);
      let n = 0;
      for (let edge = node.first; edge !== null; edge = edge.next) n++;
      w.uint(n);
      for (let edge = node.first; edge !== null; edge = edge.next) {
        w.uint(edge.target === null ? 0 : this.indexOfNode(edge.target) + 1);
        this.version(edge.version);
        w.int(edge.refs);
      }
    }
    // The start run, kept in the key's fields, is written last, where it sorts (NfaState).
    this.runs(runs, s.startVersion === Dewey.NO_VERSION ? null : s, this.startState);
    this.runs(completed, null, '');
    const eventCount = this.eventCount;
    w.uint(eventCount);
    for (let k = 0; k < eventCount; k++) {
      const event = this.events[k]!;
      w.uint(event.seq);
      w.float(event.timestamp);
      w.record(event.value);
      w.int(event.refs);
    }
    w.uint(s.buffer.seq);
    w.int(s.buffer.liveEvents);
    w.int(s.buffer.liveNodes);
  }

  private indexOfNode(node: BufferNode<unknown>): number {
    const n = this.nodeCount;
    if (n > LINEAR) return this.nodeIndex.get(node) ?? -1;
    const order = this.order;
    for (let i = 0; i < n; i++) if (order[i] === node) return i;
    return -1;
  }

  private addNode(node: BufferNode<unknown>): void {
    const k = this.nodeCount++;
    this.order[k] = node;
    if (k < LINEAR) return;
    if (k === LINEAR) for (let i = 0; i < LINEAR; i++) this.nodeIndex.set(this.order[i]!, i);
    this.nodeIndex.set(node, k);
  }

  /** Every node reachable from a run, numbered in discovery order, as snapshotNfaState does. */
  private visit(start: BufferNode<unknown> | null): void {
    if (start === null) return;
    const stack = this.stack;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const node = stack[--top]!;
      if (this.indexOfNode(node) >= 0) continue;
      this.addNode(node);
      for (let edge = node.first; edge !== null; edge = edge.next) {
        const target = edge.target;
        if (target !== null) stack[top++] = target;
      }
    }
  }

  /** The event's index, handing out the next one to an event not seen yet. */
  private eventOf(event: BufferedEvent<unknown>): number {
    const events = this.events;
    const n = this.eventCount;
    if (n > LINEAR) {
      const known = this.eventIndex.get(event);
      if (known !== undefined) return known;
    } else {
      for (let i = 0; i < n; i++) if (events[i] === event) return i;
    }
    events[n] = event;
    this.eventCount = n + 1;
    if (n === LINEAR) for (let i = 0; i < LINEAR; i++) this.eventIndex.set(events[i]!, i);
    if (n >= LINEAR) this.eventIndex.set(event, n);
    return n;
  }

  private runs(runs: readonly ComputationState<unknown>[], start: NfaState<unknown> | null, startName: string): void {
    const w = this.w;
    w.uint(runs.length + (start === null ? 0 : 1));
    for (let i = 0; i < runs.length; i++) {
      const cs = runs[i]!;
      w.sym(cs.state.name);
      w.uint(cs.previous === null ? 0 : this.indexOfNode(cs.previous) + 1);
      this.version(cs.version);
      w.float(cs.startTimestamp);
      w.float(cs.previousTimestamp);
      w.uint(cs.startEvent === null ? 0 : this.eventOf(cs.startEvent) + 1);
      w.uint(cs.id);
    }
    if (start !== null) {
      w.sym(startName);
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
