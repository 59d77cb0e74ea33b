/**
 * The snapshot form of one key's NFA state, as Flink's NFAStateSerializer and SharedBuffer state:
 * the partial matches (computation states) and the shared buffer they point into, written as
 * plain data that names things in the NFA's own vocabulary, not in the runtime's object layout:
 *
 *   events           [{ seq, timestamp, value, refs }]           each buffered event once
 *   nodes            [{ event, stage, refs, edges: [{ to, version, refs }] }]
 *                    event = index into events; to = index into nodes or null (a run's first event)
 *   partialMatches   [{ state, node, version, start, previous, startEvent, id }]
 *   completedMatches the same, for matches waiting for an earlier partial match
 *
 * `state` is the compiled state's name (`more`, `more:1`), versions are Dewey numbers as text
 * (`1.0.2`), reference counts are kept as they are (Flink's Lockable counts), so a restored key
 * releases and prunes exactly as the uninterrupted one. This file is the only place that walks the
 * runtime structures for snapshots: a new runtime representation rewrites these two functions and
 * keeps the form (NFA_SNAPSHOT_VERSION says which form a snapshot has).
 */
import * as Dewey from './dewey-number.js';
import { NfaState, type ComputationState, type NFA, type StartRun } from './nfa.js';
import { BufferedEvent, BufferNode, type BufferEdge } from './shared-buffer.js';
import type { State } from './state.js';

export const NFA_SNAPSHOT_VERSION = 1;

export interface NfaEventSnapshot<E> {
  readonly seq: number;
  readonly timestamp: number;
  readonly value: E;
  readonly refs: number;
}

export interface NfaNodeSnapshot {
  readonly event: number;
  readonly stage: string;
  readonly refs: number;
  readonly removed?: true;
  readonly edges: readonly { readonly to: number | null; readonly version: string; readonly refs: number }[];
}

export interface PartialMatchSnapshot {
  readonly state: string;
  readonly node: number | null;
  readonly version: string;
  /** First event's time; -1 for the start state's run. */
  readonly start: number;
  readonly previous: number;
  readonly startEvent: number | null;
  readonly id: number;
}

export interface NfaSnapshot<E = unknown> {
  readonly version: typeof NFA_SNAPSHOT_VERSION;
  readonly events: readonly NfaEventSnapshot<E>[];
  readonly nodes: readonly NfaNodeSnapshot[];
  readonly partialMatches: readonly PartialMatchSnapshot[];
  readonly completedMatches: readonly PartialMatchSnapshot[];
  /** The buffer's arrival counter and its live counts (what `sw pattern trace` and budgets read). */
  readonly seq: number;
  readonly liveEvents: number;
  readonly liveNodes: number;
}

function edgesOf<E>(node: BufferNode<E>): BufferEdge<E>[] {
  const edges: BufferEdge<E>[] = [];
  for (let edge = node.first; edge !== null; edge = edge.next) edges.push(edge);
  return edges;
}

/** The key's NFA state as plain data; event values are shared, not copied (records are never mutated). */
export function snapshotNfaState<E>(nfa: NFA<E>, state: NfaState<E>): NfaSnapshot<E> {
  const runs = nfa.allRuns(state);
  const events: NfaEventSnapshot<E>[] = [];
  const eventIndex = new Map<BufferedEvent<E>, number>();
  const nodeIndex = new Map<BufferNode<E>, number>();
  const order: BufferNode<E>[] = [];
  const eventOf = (event: BufferedEvent<E>): number => {
    let index = eventIndex.get(event);
    if (index === undefined) {
      index = events.length;
      eventIndex.set(event, index);
      events.push({ seq: event.seq, timestamp: event.timestamp, value: event.value, refs: event.refs });
    }
    return index;
  };
  // Every node reachable from a partial match, numbered in discovery order (edges point backwards).
  const visit = (start: BufferNode<E> | null): void => {
    const stack: BufferNode<E>[] = start === null ? [] : [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (nodeIndex.has(node)) continue;
      nodeIndex.set(node, order.length);
      order.push(node);
      for (let edge = node.first; edge !== null; edge = edge.next) if (edge.target !== null) stack.push(edge.target);
    }
  };
  for (const cs of runs) visit(cs.previous);
  for (const cs of state.completedMatches) visit(cs.previous);
  const nodes: NfaNodeSnapshot[] = order.map((node) => ({
    event: eventOf(node.event),
    stage: node.page,
    refs: node.refs,
    ...(node.removed ? { removed: true as const } : {}),
    edges: edgesOf(node).map((edge) => ({ to: edge.target === null ? null : nodeIndex.get(edge.target)!, version: Dewey.toString(edge.version), refs: edge.refs })),
  }));
  const run = (cs: ComputationState<E>): PartialMatchSnapshot => ({
    state: cs.state.name,
    node: cs.previous === null ? null : nodeIndex.get(cs.previous)!,
    version: Dewey.toString(cs.version),
    start: cs.startTimestamp,
    previous: cs.previousTimestamp,
    startEvent: cs.startEvent === null ? null : eventOf(cs.startEvent),
    id: cs.id,
  });
  return {
    version: NFA_SNAPSHOT_VERSION,
    events,
    nodes,
    partialMatches: runs.map(run),
    completedMatches: state.completedMatches.map(run),
    seq: state.buffer.seq,
    liveEvents: state.buffer.liveEvents,
    liveNodes: state.buffer.liveNodes,
  };
}

/** Rebuilds a key's NFA state for `nfa`'s compiled pattern; throws with the reason when the snapshot does not fit it. */
export function restoreNfaState<E, S extends NfaState<E> = NfaState<E>>(
  nfa: NFA<E>,
  snapshot: NfaSnapshot<E>,
  /** Makes the (sub)class instance to restore into, from its start run (null when it has none). */
  create: (start: StartRun | null) => S = (start) => new NfaState<E>(start) as S,
): S {
  if (snapshot?.version !== NFA_SNAPSHOT_VERSION) throw new Error(`NFA snapshot version ${JSON.stringify(snapshot?.version)} is not ${NFA_SNAPSHOT_VERSION}`);
  const states = new Map<string, State<E>>(nfa.compiled.states.map((s) => [s.name, s]));
  const version = (text: string): Dewey.Version => {
    const parsed = Dewey.parse(text);
    if (parsed === Dewey.NO_VERSION) throw new Error(`${JSON.stringify(text)} is not a Dewey version`);
    return parsed;
  };
  const events = snapshot.events.map((e) => {
    const event = new BufferedEvent(e.value, e.timestamp, e.seq);
    event.refs = e.refs;
    return event;
  });
  const eventAt = (index: number): BufferedEvent<E> => {
    const event = events[index];
    if (event === undefined) throw new Error(`event ${index} is not in the snapshot`);
    return event;
  };
  // Nodes first without edges (an edge may point to a later node), then the edges.
  const nodes = snapshot.nodes.map((n) => {
    const event = eventAt(n.event);
    const node = new BufferNode(event, n.stage, null);
    node.refs = n.refs;
    node.removed = n.removed === true;
    if (!node.removed) event.addNode(node);
    return node;
  });
  const nodeAt = (index: number | null): BufferNode<E> | null => {
    if (index === null) return null;
    const node = nodes[index];
    if (node === undefined) throw new Error(`node ${index} is not in the snapshot`);
    return node;
  };
  snapshot.nodes.forEach((n, i) => {
    for (const e of n.edges) nodes[i]!.addEdge({ target: nodeAt(e.to), version: version(e.version), refs: e.refs, next: null } satisfies BufferEdge<E>);
  });
  const run = (r: PartialMatchSnapshot): ComputationState<E> => {
    const state = states.get(r.state);
    if (state === undefined) throw new Error(`partial match in state ${r.state}, which the pattern does not have`);
    return {
      state,
      previous: nodeAt(r.node),
      version: version(r.version),
      startTimestamp: r.start,
      previousTimestamp: r.previous,
      startEvent: r.startEvent === null ? null : eventAt(r.startEvent),
      id: r.id,
    };
  };
  const partialMatches = snapshot.partialMatches.map(run);
  // The start run sorts last: the key keeps it in its own fields (NfaState).
  const last = partialMatches[partialMatches.length - 1];
  let start: StartRun | null = null;
  if (last !== undefined && last.state === nfa.compiled.start && last.previous === null && last.startEvent === null) {
    partialMatches.pop();
    start = { version: last.version, id: last.id };
  }
  const restored = create(start);
  restored.partialMatches = partialMatches;
  restored.runCount = partialMatches.length;
  if (snapshot.completedMatches.length > 0) restored.completedMatches = snapshot.completedMatches.map(run);
  restored.buffer.seq = snapshot.seq;
  restored.buffer.liveEvents = snapshot.liveEvents;
  restored.buffer.liveNodes = snapshot.liveNodes;
  return restored;
}
