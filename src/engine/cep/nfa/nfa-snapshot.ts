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
import { NfaState, type NFA, type Run, type StartRun } from './nfa.js';
import { E_REFS, G_NEXT, G_REFS, G_TARGET, G_VERSION, N_EVENT, N_FIRST, N_PAGE, N_REFS, N_REMOVED, NONE, pageName, pageOf, SHIFT } from './shared-buffer.js';

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

/** The key's NFA state as plain data; event values are shared, not copied (records are never mutated). */
export function snapshotNfaState<E>(nfa: NFA<E>, state: NfaState<E>): NfaSnapshot<E> {
  const w = state.words;
  const runs = state.runList();
  const events: NfaEventSnapshot<E>[] = [];
  const eventIndex = new Map<number, number>();
  const nodeIndex = new Map<number, number>();
  const order: number[] = [];
  const eventOf = (event: number): number => {
    let index = eventIndex.get(event);
    if (index === undefined) {
      index = events.length;
      eventIndex.set(event, index);
      events.push({ seq: state.eventSeq(event), timestamp: state.eventTime(event), value: state.eventValue(event), refs: w[(event << SHIFT) + E_REFS]! });
    }
    return index;
  };
  // Every node reachable from a partial match, numbered in discovery order (edges point backwards).
  const visit = (start: number): void => {
    const stack: number[] = start === NONE ? [] : [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (nodeIndex.has(node)) continue;
      nodeIndex.set(node, order.length);
      order.push(node);
      for (let edge = w[(node << SHIFT) + N_FIRST]!; edge !== NONE; edge = w[(edge << SHIFT) + G_NEXT]!) {
        const target = w[(edge << SHIFT) + G_TARGET]!;
        if (target !== NONE) stack.push(target);
      }
    }
  };
  for (const run of runs) visit(state.runNode(run));
  for (const run of state.completedMatches) visit(state.runNode(run));
  const nodes: NfaNodeSnapshot[] = order.map((node) => {
    const at = node << SHIFT;
    const edges: { to: number | null; version: string; refs: number }[] = [];
    for (let edge = w[at + N_FIRST]!; edge !== NONE; edge = w[(edge << SHIFT) + G_NEXT]!) {
      const target = w[(edge << SHIFT) + G_TARGET]!;
      edges.push({ to: target === NONE ? null : nodeIndex.get(target)!, version: Dewey.toString(w[(edge << SHIFT) + G_VERSION]!), refs: w[(edge << SHIFT) + G_REFS]! });
    }
    return {
      event: eventOf(w[at + N_EVENT]!),
      stage: pageName(w[at + N_PAGE]!),
      refs: w[at + N_REFS]!,
      ...(w[at + N_REMOVED] !== 0 ? { removed: true as const } : {}),
      edges,
    };
  });
  const run = (cs: Run): PartialMatchSnapshot => {
    const node = state.runNode(cs);
    const startEvent = state.runStartEvent(cs);
    return {
      state: nfa.stateOf(state, cs).name,
      node: node === NONE ? null : nodeIndex.get(node)!,
      version: Dewey.toString(state.runVersion(cs)),
      start: state.runStart(cs),
      previous: state.runPrevious(cs),
      startEvent: startEvent === NONE ? null : eventOf(startEvent),
      id: state.runId(cs),
    };
  };
  const partialMatches = runs.map(run);
  // The start run, kept in the key's fields, sorts last.
  if (state.startVersion !== Dewey.NO_VERSION) {
    partialMatches.push({ state: nfa.compiled.start.name, node: null, version: Dewey.toString(state.startVersion), start: -1, previous: -1, startEvent: null, id: state.startId });
  }
  return {
    version: NFA_SNAPSHOT_VERSION,
    events,
    nodes,
    partialMatches,
    completedMatches: state.completedMatches.map(run),
    seq: state.seq,
    liveEvents: state.liveEvents,
    liveNodes: state.liveNodes,
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
  // A run record holds its state's position in the compiled pattern.
  const states = new Map<string, number>(nfa.compiled.states.map((s, i) => [s.name, i]));
  const version = (text: string): Dewey.Version => {
    const parsed = Dewey.parse(text);
    if (parsed === Dewey.NO_VERSION) throw new Error(`${JSON.stringify(text)} is not a Dewey version`);
    return parsed;
  };
  const restored = create(null);
  restored.pool = nfa.pool;
  const dispose = (): void => {
    // A snapshot that does not fit leaves no version behind.
    for (const version of owned) Dewey.release(version);
  };
  const owned: Dewey.Version[] = [];
  const own = (text: string): Dewey.Version => {
    const v = version(text);
    owned.push(v);
    return v;
  };
  try {
    const events = snapshot.events.map((e) => {
      const slot = restored.registerEvent(e.value, e.timestamp);
      restored.setEventSeq(slot, e.seq);
      restored.words[(slot << SHIFT) + E_REFS] = e.refs;
      return slot;
    });
    const eventAt = (index: number): number => {
      const event = events[index];
      if (event === undefined) throw new Error(`event ${index} is not in the snapshot`);
      return event;
    };
    // Nodes first without edges (an edge may point to a later node), then the edges.
    const nodes = snapshot.nodes.map((n) => {
      const event = eventAt(n.event);
      const node = restored.newNode(event, pageOf(n.stage), n.refs, n.removed === true);
      if (n.removed !== true) restored.addNodeOfEvent(event, node);
      return node;
    });
    const nodeAt = (index: number | null): number => {
      if (index === null) return NONE;
      const node = nodes[index];
      if (node === undefined) throw new Error(`node ${index} is not in the snapshot`);
      return node;
    };
    snapshot.nodes.forEach((n, i) => {
      for (const e of n.edges) restored.appendEdge(nodes[i]!, nodeAt(e.to), own(e.version), e.refs);
    });
    const run = (r: PartialMatchSnapshot): Run => {
      const state = states.get(r.state);
      if (state === undefined) throw new Error(`partial match in state ${r.state}, which the pattern does not have`);
      const node = nodeAt(r.node);
      const startEvent = r.startEvent === null ? NONE : eventAt(r.startEvent);
      // A run's first event's time is not kept apart from its first event (NfaState.runStart).
      const start = startEvent === NONE ? -1 : restored.eventTime(startEvent);
      if (r.start !== start) throw new Error(`partial match in state ${r.state} starts at ${r.start}, but its first event is at ${start}`);
      return restored.newRun(state, node, own(r.version), startEvent, r.id);
    };
    const partialMatches = snapshot.partialMatches.slice();
    // The start run sorts last: the key keeps it in its own fields (NfaState).
    const last = partialMatches[partialMatches.length - 1];
    if (last !== undefined && last.state === nfa.compiled.start.name && last.node === null && last.startEvent === null) {
      partialMatches.pop();
      restored.startVersion = own(last.version);
      restored.startId = last.id;
    }
    const runs = partialMatches.map(run);
    restored.linkRuns(runs, runs.length);
    if (snapshot.completedMatches.length > 0) restored.completedMatches = snapshot.completedMatches.map(run);
  } catch (error) {
    dispose();
    throw error;
  }
  restored.seq = snapshot.seq;
  restored.liveEvents = snapshot.liveEvents;
  restored.liveNodes = snapshot.liveNodes;
  return restored;
}
