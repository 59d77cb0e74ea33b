/**
 * The shared buffer (SASE §4.3, Flink's SharedBuffer / SharedBufferAccessor): every event that
 * belongs to a live partial match is stored once; a node is (event, stage page), and its edges point
 * to the previous node of the runs through it, each labelled with the run's Dewey version. Runs that
 * share a prefix share its nodes, so memory follows the live partial matches, not their
 * combinations. Nodes, edges and events are reference-counted (Flink's Lockable): a computation
 * state locks the node it points to and the edges compatible with its version; releasing walks
 * back and frees what no run references any more.
 */
import type { DeweyNumber } from './dewey-number.js';

/** An event registered while it is processed; kept while any node references it. */
export class BufferedEvent<E> {
  /**
   * Nodes of this event, one per stage page (a handful at most, usually one): the first inline,
   * the others in an array made on the second (no array for the common single node).
   */
  node: BufferNode<E> | null = null;
  otherNodes: BufferNode<E>[] | null = null;
  refs = 1;
  constructor(
    /** Written again only when a freed event is reused (registerEvent): read-only to everyone else. */
    public value: E,
    public timestamp: number,
    /** Arrival order; with `timestamp` it orders events as Flink's EventId (timestamp, id). */
    public seq: number,
  ) {}

  /** The live node of `page`, if any. */
  nodeOf(page: string): BufferNode<E> | null {
    if (this.node !== null && this.node.page === page && !this.node.removed) return this.node;
    const others = this.otherNodes;
    if (others !== null) for (let i = 0; i < others.length; i++) if (others[i]!.page === page && !others[i]!.removed) return others[i]!;
    return null;
  }

  addNode(node: BufferNode<E>): void {
    if (this.node === null) this.node = node;
    else (this.otherNodes ??= []).push(node);
  }

  removeNode(node: BufferNode<E>): void {
    // An event's nodes are found by page, never by position: their order does not matter.
    if (this.node === node) this.node = this.otherNodes?.pop() ?? null;
    else if (this.otherNodes !== null) this.otherNodes.splice(this.otherNodes.indexOf(node), 1);
  }
}

export function compareEvents(a: BufferedEvent<unknown>, b: BufferedEvent<unknown>): number {
  return a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? -1 : 1) : a.seq - b.seq;
}

export interface BufferEdge<E> {
  /** Written again only when a freed edge is reused (put). */
  target: BufferNode<E> | null;
  version: DeweyNumber;
  refs: number;
}

export class BufferNode<E> {
  refs = 0;
  removed = false;
  /**
   * The edges in insertion order (extractPatterns follows that order): the first inline, the
   * others in an array made on the second edge. Most nodes keep one edge all their life, and a
   * node lives as long as its partial match, so the array saved is ~28 bytes the GC never copies.
   */
  first: BufferEdge<E> | null;
  rest: BufferEdge<E>[] | null = null;
  constructor(
    readonly event: BufferedEvent<E>,
    readonly page: string,
    /** The first edge; null only while a snapshot is restored (its edges are added next). */
    edge: BufferEdge<E> | null,
  ) {
    this.first = edge;
  }

  get edgeCount(): number {
    return this.first === null ? 0 : this.rest === null ? 1 : 1 + this.rest.length;
  }

  edgeAt(i: number): BufferEdge<E> {
    return i === 0 ? this.first! : this.rest![i - 1]!;
  }

  addEdge(edge: BufferEdge<E>): void {
    if (this.first === null) this.first = edge;
    else (this.rest ??= []).push(edge);
  }

  removeEdgeAt(i: number): void {
    if (i > 0) this.rest!.splice(i - 1, 1);
    else this.first = this.rest === null || this.rest.length === 0 ? null : this.rest.shift()!;
  }
}

/** A path through the buffer: stage page → its events, pages in the order they were first taken. */
export type MatchPath<E> = Map<string, BufferedEvent<E>[]>;

/** Lockable.release: false while references remain; tolerant of an unbalanced release, as Flink. */
function release(target: { refs: number }): boolean {
  if (target.refs <= 0) return true;
  target.refs -= 1;
  return target.refs === 0;
}

/**
 * Freed events and edges, shared by every key's buffer and reused by the next registerEvent / put.
 * An event or edge lives as long as a partial match that holds it — on a stream of many keys that
 * is many thousands of events — so a new one survived the young generation, was copied twice and
 * then marked in the old one; a reused one is already old and costs the collector nothing (binge
 * bench: fewer, faster scavenges). A freed event keeps its value and time until it is reused: the
 * operator reads a match's events after the NFA released them, before the next event is registered.
 * At most SPARE of each are kept, so a burst does not pin its memory.
 */
const SPARE = 4096;
const spareEvents: BufferedEvent<unknown>[] = [];
const spareEdges: BufferEdge<unknown>[] = [];

/** releaseNode's stacks, shared by every key's buffer (releasing never re-enters). */
const releaseNodes: BufferNode<unknown>[] = [];
const releaseVersions: DeweyNumber[] = [];

export class SharedBuffer<E> {
  /** Arrival number of the next registered event (a snapshot keeps it: restored events keep their order). */
  seq = 0;
  /** Events and nodes alive now: what the budget test and `sw pattern trace` report. */
  liveEvents = 0;
  liveNodes = 0;

  /** Registers the event being processed, locked until `releaseEvent` (Flink's EventWrapper). */
  registerEvent(value: E, timestamp: number): BufferedEvent<E> {
    this.liveEvents++;
    const event = spareEvents.pop() as BufferedEvent<E> | undefined;
    if (event === undefined) return new BufferedEvent(value, timestamp, this.seq++);
    event.value = value;
    event.timestamp = timestamp;
    event.seq = this.seq++;
    event.node = null;
    event.otherNodes = null;
    event.refs = 1;
    return event;
  }

  releaseEvent(event: BufferedEvent<E>): void {
    const live = event.refs > 0;
    if (release(event)) {
      this.liveEvents--;
      // Only on the release that frees it: an unbalanced one must not hand the event out twice.
      if (live && spareEvents.length < SPARE) spareEvents.push(event);
    }
  }

  /** Stores `event` under `page`, linked to `previous` with `version`; returns its node. */
  put(page: string, event: BufferedEvent<E>, previous: BufferNode<E> | null, version: DeweyNumber): BufferNode<E> {
    if (previous !== null) this.lockNode(previous, version);
    let edge = spareEdges.pop() as BufferEdge<E> | undefined;
    if (edge === undefined) edge = { target: previous, version, refs: 0 };
    else {
      edge.target = previous;
      edge.version = version;
      edge.refs = 0;
    }
    const existing = event.nodeOf(page);
    if (existing !== null) {
      existing.addEdge(edge);
      return existing;
    }
    const node = new BufferNode(event, page, edge);
    event.addNode(node);
    event.refs++;
    this.liveNodes++;
    return node;
  }

  lockNode(node: BufferNode<E>, version: DeweyNumber): void {
    node.refs++;
    for (let i = 0, n = node.edgeCount; i < n; i++) {
      const edge = node.edgeAt(i);
      if (version.isCompatibleWith(edge.version)) edge.refs++;
    }
  }

  /** Drops one run's reference to `node`, freeing the edges and nodes nothing else holds. */
  releaseNode(node: BufferNode<E>, version: DeweyNumber): void {
    // Reused stacks with their own top (never truncated, which would drop their backing store):
    // releasing runs once per partial match per event, the hottest call here.
    const nodes = releaseNodes as BufferNode<E>[];
    const versions = releaseVersions;
    let top = 0;
    nodes[top] = node;
    versions[top++] = version;
    while (top > 0) {
      const current = nodes[--top]!;
      const currentVersion = versions[top]!;
      if (current.removed) break;
      for (let i = 0; i < current.edgeCount; i++) {
        const edge = current.edgeAt(i);
        if (currentVersion.isCompatibleWith(edge.version) && release(edge)) {
          current.removeEdgeAt(i--);
          if (edge.target !== null) {
            nodes[top] = edge.target;
            versions[top++] = edge.version;
          }
          if (spareEdges.length < SPARE) spareEdges.push(edge);
        }
      }
      if (release(current)) {
        current.removed = true;
        this.liveNodes--;
        current.event.removeNode(current);
        this.releaseEvent(current.event);
      }
    }
  }

  /**
   * Every path from `node` back to a run's first event whose edges are compatible with `version`
   * (depth first, the last compatible edge explored first, as Flink's extractPatterns); `limit`
   * stops after that many paths (the first is the run's own partial match).
   */
  extractPatterns(node: BufferNode<E>, version: DeweyNumber, limit = Infinity): MatchPath<E>[] {
    const result: MatchPath<E>[] = [];
    if (node.removed) return result;
    interface Frame {
      readonly node: BufferNode<E> | null;
      readonly version: DeweyNumber;
      readonly path: BufferNode<E>[];
    }
    const stack: Frame[] = [{ node, version, path: [] }];
    while (stack.length > 0 && result.length < limit) {
      const frame = stack.pop()!;
      if (frame.node === null) {
        const complete: MatchPath<E> = new Map();
        for (let i = frame.path.length - 1; i >= 0; i--) {
          const entry = frame.path[i]!;
          let events = complete.get(entry.page);
          if (events === undefined) complete.set(entry.page, (events = []));
          events.push(entry.event);
        }
        result.push(complete);
        continue;
      }
      frame.path.push(frame.node);
      let first = true;
      for (let i = 0, n = frame.node.edgeCount; i < n; i++) {
        const edge = frame.node.edgeAt(i);
        if (!frame.version.isCompatibleWith(edge.version)) continue;
        const path = first ? frame.path : frame.path.slice();
        first = false;
        stack.push({ node: edge.target, version: edge.version, path });
      }
    }
    return result;
  }
}
