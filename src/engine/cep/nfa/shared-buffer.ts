/**
 * The shared buffer (SASE §4.3, Flink's SharedBuffer / SharedBufferAccessor): every event that
 * belongs to a live partial match is stored once; a node is (event, stage page), and its edges point
 * to the previous node of the runs through it, each labelled with the run's Dewey version. Runs that
 * share a prefix share its nodes, so memory follows the live partial matches, not their
 * combinations. Nodes, edges and events are reference-counted (Flink's Lockable): a computation
 * state locks the node it points to and the edges compatible with its version; releasing walks
 * back and frees what no run references any more.
 */
import * as Dewey from './dewey-number.js';
import type { Version } from './dewey-number.js';

/** An event registered while it is processed; kept while any node references it. */
export class BufferedEvent<E> {
  /**
   * Nodes of this event, one per stage page (a handful at most, usually one or two), as a list
   * linked through BufferNode.nextOfEvent: an array per event, and the splice that removed from
   * it, were ~110 MB of garbage on the binge bench (2M events), where a watched event has a node
   * in both `start` and `more`.
   */
  node: BufferNode<E> | null = null;
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
    for (let node = this.node; node !== null; node = node.nextOfEvent) if (node.page === page && !node.removed) return node;
    return null;
  }

  addNode(node: BufferNode<E>): void {
    // An event's nodes are found by page, never by position: their order does not matter.
    node.nextOfEvent = this.node;
    this.node = node;
  }

  removeNode(node: BufferNode<E>): void {
    if (this.node === node) {
      this.node = node.nextOfEvent;
    } else {
      let before = this.node;
      while (before !== null && before.nextOfEvent !== node) before = before.nextOfEvent;
      if (before !== null) before.nextOfEvent = node.nextOfEvent;
    }
    node.nextOfEvent = null;
  }
}

export function compareEvents(a: BufferedEvent<unknown>, b: BufferedEvent<unknown>): number {
  return a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? -1 : 1) : a.seq - b.seq;
}

export interface BufferEdge<E> {
  /** Written again only when a freed edge is reused (put). */
  target: BufferNode<E> | null;
  /** Owned by the edge (released when the edge is freed). */
  version: Version;
  refs: number;
  /** The node's next edge (insertion order); null for its last. */
  next: BufferEdge<E> | null;
}

export class BufferNode<E> {
  refs = 0;
  removed = false;
  /**
   * The edges in insertion order (extractPatterns follows that order), as a list linked through
   * BufferEdge.next: a node of a busy stage collects an edge per run through it (binge: one from
   * each of `more`'s copies), and the array that held the second and later ones, with the splice
   * that removed from it, was ~220 MB of garbage on the binge bench.
   */
  first: BufferEdge<E> | null = null;
  last: BufferEdge<E> | null = null;
  /** The event's next node (BufferedEvent.node). */
  nextOfEvent: BufferNode<E> | null = null;
  constructor(
    /** Written again only when a freed node is reused (put). */
    public event: BufferedEvent<E>,
    public page: string,
    /** The first edge; null only while a snapshot is restored (its edges are added next). */
    edge: BufferEdge<E> | null,
  ) {
    if (edge !== null) this.addEdge(edge);
  }

  /** Appends `edge` (its `next` is overwritten). */
  addEdge(edge: BufferEdge<E>): void {
    edge.next = null;
    if (this.last === null) this.first = edge;
    else this.last.next = edge;
    this.last = edge;
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
 * Freed events, nodes and edges, shared by every key's buffer and reused by the next registerEvent / put.
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
const spareNodes: BufferNode<unknown>[] = [];

/** releaseNode's stacks, shared by every key's buffer (releasing never re-enters). */
const releaseNodes: BufferNode<unknown>[] = [];
const releaseVersions: Version[] = [];

/**
 * extractPatterns' depth-first stack (node, version, depth of the path so far) and the path, shared
 * by every key's buffer (extracting never re-enters). A frame object per edge and a copy of the path
 * per branch were ~360 MB of garbage on the binge bench (2M events, 369K matches).
 */
const extractNodes: (BufferNode<unknown> | null)[] = [];
const extractVersions: Version[] = [];
const extractDepths: number[] = [];
const extractPath: BufferNode<unknown>[] = [];

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

  /** Stores `event` under `page`, linked to `previous` with `version` (the edge takes over the caller's reference); returns its node. */
  put(page: string, event: BufferedEvent<E>, previous: BufferNode<E> | null, version: Version): BufferNode<E> {
    if (previous !== null) this.lockNode(previous, version);
    let edge = spareEdges.pop() as BufferEdge<E> | undefined;
    if (edge === undefined) edge = { target: previous, version, refs: 0, next: null };
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
    let node = spareNodes.pop() as BufferNode<E> | undefined;
    if (node === undefined) node = new BufferNode(event, page, edge);
    else {
      node.event = event;
      node.page = page;
      node.first = node.last = null;
      node.addEdge(edge);
      node.refs = 0;
      node.removed = false;
    }
    event.addNode(node);
    event.refs++;
    this.liveNodes++;
    return node;
  }

  lockNode(node: BufferNode<E>, version: Version): void {
    node.refs++;
    for (let edge = node.first; edge !== null; edge = edge.next) if (Dewey.isCompatibleWith(version, edge.version)) edge.refs++;
  }

  /** Drops one run's reference to `node`, freeing the edges and nodes nothing else holds. */
  releaseNode(node: BufferNode<E>, version: Version): void {
    // Reused stacks with their own top (never truncated, which would drop their backing store):
    // releasing runs once per partial match per event, the hottest call here. The first frame
    // borrows the caller's version; every later one owns the version of the edge it came from.
    const nodes = releaseNodes as BufferNode<E>[];
    const versions = releaseVersions;
    let top = 0;
    nodes[top] = node;
    versions[top++] = version;
    let owned = false;
    while (top > 0) {
      const current = nodes[--top]!;
      const currentVersion = versions[top]!;
      if (current.removed) {
        if (owned) Dewey.release(currentVersion);
        break;
      }
      let before: BufferEdge<E> | null = null;
      for (let edge = current.first; edge !== null; ) {
        const next = edge.next;
        if (Dewey.isCompatibleWith(currentVersion, edge.version) && release(edge)) {
          if (before === null) current.first = next;
          else before.next = next;
          if (current.last === edge) current.last = before;
          if (edge.target !== null) {
            nodes[top] = edge.target;
            versions[top++] = edge.version;
          } else Dewey.release(edge.version);
          edge.version = Dewey.NO_VERSION;
          if (spareEdges.length < SPARE) spareEdges.push(edge as BufferEdge<unknown>);
        } else before = edge;
        edge = next;
      }
      const live = current.refs > 0;
      if (release(current)) {
        current.removed = true;
        this.liveNodes--;
        current.event.removeNode(current);
        this.releaseEvent(current.event);
        // Only on the release that frees it (see releaseEvent). Its remaining edges are dropped, as
        // when it was collected, and so are their versions.
        if (live) {
          for (let edge = current.first; edge !== null; edge = edge.next) Dewey.release(edge.version);
          if (spareNodes.length < SPARE) {
            current.first = current.last = null;
            spareNodes.push(current as BufferNode<unknown>);
          }
        }
      }
      if (owned) Dewey.release(currentVersion);
      owned = true;
    }
    // A removed node ended the walk: the frames left own their versions.
    while (top > 0) Dewey.release(versions[--top]!);
  }

  /**
   * Every path from `node` back to a run's first event whose edges are compatible with `version`
   * (depth first, the last compatible edge explored first, as Flink's extractPatterns); `limit`
   * stops after that many paths (the first is the run's own partial match).
   */
  extractPatterns(node: BufferNode<E>, version: Version, limit = Infinity): MatchPath<E>[] {
    const result: MatchPath<E>[] = [];
    if (node.removed) return result;
    // A frame at depth d extends the path's first d nodes: frames pushed after it (its later
    // siblings and their descendants) are popped first and write only at depth d and beyond.
    const nodes = extractNodes as (BufferNode<E> | null)[];
    const versions = extractVersions;
    const depths = extractDepths;
    const path = extractPath as BufferNode<E>[];
    let top = 0;
    nodes[top] = node;
    versions[top] = version;
    depths[top++] = 0;
    while (top > 0 && result.length < limit) {
      const current = nodes[--top]!;
      const currentVersion = versions[top]!;
      const depth = depths[top]!;
      nodes[top] = null;
      if (current === null) {
        const complete: MatchPath<E> = new Map();
        for (let i = depth - 1; i >= 0; i--) {
          const entry = path[i]!;
          const events = complete.get(entry.page);
          if (events === undefined) complete.set(entry.page, [entry.event]);
          else events.push(entry.event);
        }
        result.push(complete);
        continue;
      }
      path[depth] = current;
      for (let edge = current.first; edge !== null; edge = edge.next) {
        if (!Dewey.isCompatibleWith(currentVersion, edge.version)) continue;
        nodes[top] = edge.target;
        versions[top] = edge.version;
        depths[top++] = depth + 1;
      }
    }
    // Leave no node of this buffer reachable from the shared stacks.
    while (top > 0) nodes[--top] = null;
    return result;
  }
}
