/**
 * The shared buffer (SASE §4.3, Flink's SharedBuffer / SharedBufferAccessor): every event that
 * belongs to a live partial match is stored once; a node is (event, stage page), and its edges point
 * to the previous node of the runs through it, each labelled with the run's Dewey version. Runs that
 * share a prefix share its nodes, so memory follows the live partial matches, not their
 * combinations. Nodes, edges and events are reference-counted (Flink's Lockable): a computation
 * state locks the node it points to and the edges compatible with its version; releasing walks
 * back and frees what no run references any more.
 *
 * The flat layout: a key's events, nodes, edges and runs (the NFA's computation states) are records
 * of one per-key arena, an Int32Array of RECORD words per record (its Float64Array view over the
 * same memory holds the times), grown by doubling; a reference is a record's slot number, -1 none.
 * Event values sit in the NFA's value pool (one object array for all its keys: the slot an event
 * takes there is the one last freed, already in the cache), by the index in the event's record.
 * There is no object per run, node, edge or event: the garbage collector never sees them, and the
 * first touch of a busy key is its arena, not a dozen objects scattered over the old generation.
 * Freed records go on a free list inside the arena (reused first: the slot a step frees is the one
 * its successor takes); a key whose buffer empties starts again from the arena's first record, and
 * a key that never held anything has no arena of its own.
 *
 *   event  I0 refs        I1 first node   I2 seq (low 32 bits)   I5 seq (high bits)
 *          I4 value (index in the pool)   F3 timestamp
 *   node   I0 event       I1 page         I2 refs     I3 removed   I4 first edge   I5 last edge
 *          I6 next node of the same event
 *   edge   I0 target node I1 version      I2 refs     I3 next edge of the node
 *   run    I0 state       I1 node         I2 version  I3 start event   I5 next run   F3 id
 *   free   I7 next free record (a freed node keeps I3 = removed until the slot is reused)
 *
 * In = Int32 word n of the record (slot × RECORD + n), Fn = Float64 n (slot × RECORD / 2 + n).
 * Arrival numbers and run ids count past 2^31 (ids count every run of every key): a seq is two
 * words, an id a Float64, both exact to 2^53. A run's first event's time is its start event's (-1
 * without one), as its previous event's time is its node's event's: neither takes a word.
 */
import * as Dewey from './dewey-number.js';
import type { Version } from './dewey-number.js';

/** An event of a match or a partial match, as extractPatterns hands it out (a new object per path). */
export class BufferedEvent<E> {
  constructor(
    readonly value: E,
    readonly timestamp: number,
    /** Arrival order; with `timestamp` it orders events as Flink's EventId (timestamp, id). */
    readonly seq: number,
  ) {}
}

export function compareEvents(a: { readonly timestamp: number; readonly seq: number }, b: { readonly timestamp: number; readonly seq: number }): number {
  return a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? -1 : 1) : a.seq - b.seq;
}

/** A path through the buffer: stage page → its events, pages in the order they were first taken. */
export type MatchPath<E> = Map<string, BufferedEvent<E>[]>;

/** Int32 words per record (a power of two: slot << SHIFT is its first word). */
export const RECORD = 8;
export const SHIFT = 3;
/** No record. */
export const NONE = -1;

// Event record.
export const E_REFS = 0;
export const E_NODE = 1;
/** The low 32 bits of the event's arrival number (read with eventSeq: it counts past 2^31). */
export const E_SEQ = 2;
export const E_VALUE = 4;
/** The arrival number's bits above the low 32. */
const E_SEQ_HIGH = 5;
/** Float64 word of an event's timestamp. */
export const F_TIME = 3;
// Node record.
export const N_EVENT = 0;
export const N_PAGE = 1;
export const N_REFS = 2;
export const N_REMOVED = 3;
export const N_FIRST = 4;
export const N_LAST = 5;
export const N_NEXT_OF_EVENT = 6;
// Edge record.
export const G_TARGET = 0;
export const G_VERSION = 1;
export const G_REFS = 2;
export const G_NEXT = 3;
// Run record.
export const R_STATE = 0;
export const R_NODE = 1;
export const R_VERSION = 2;
export const R_START_EVENT = 3;
export const R_NEXT = 5;
/** Float64 word of a run's id (its creation number, exact past 2^31). */
export const F_ID = 3;
const NEXT_FREE = 7;

/**
 * Records of a key's first arena (1 KB). A binge key holding one partial match uses 20-25 records:
 * starting at 16, nearly every new key allocated twice (two ArrayBuffers and a copy).
 */
export const FIRST_ARENA_RECORDS = 32;
/**
 * An emptied arena larger than this many records (2 KB) is dropped: the key starts again small. The
 * operator keeps up to 1,024 idle keys for reuse with whatever arena they had; at 1,024 records
 * each, those could hold 32 MB. A key of a match or two (binge: ~25 records) keeps its arena.
 */
export const KEPT_ARENA_RECORDS = 64;

/** 2^32: an arrival number's high word counts these. */
const TWO_32 = 4294967296;

const EMPTY_WORDS = new Int32Array(0);
const EMPTY_TIMES = new Float64Array(0);

/**
 * Event values of every key of one NFA, by index; a freed index is reused first (last in, first
 * out: the line just written is in the cache). An index is freed with its event.
 */
export class ValuePool {
  private values: unknown[] = [];
  private free = new Int32Array(256);
  private freeTop = 0;
  add(value: unknown): number {
    if (this.freeTop > 0) {
      const index = this.free[--this.freeTop]!;
      this.values[index] = value;
      return index;
    }
    this.values.push(value);
    return this.values.length - 1;
  }
  get(index: number): unknown {
    return this.values[index];
  }
  /** A copy of the values by index (undefined at a free index): checkpoints copy the pool as it is. */
  copyValues(): unknown[] {
    return this.values.slice();
  }
  remove(index: number): void {
    this.values[index] = undefined;
    if (this.freeTop === this.free.length) this.free = grown(this.free, this.freeTop);
    this.free[this.freeTop++] = index;
  }
}

/** Until its NFA gives it its own pool (NFA.process, createState, restores). */
const DETACHED = new ValuePool();

/** Stage page names, interned for every buffer: a node holds its page as an index. */
const pageNames: string[] = [];
const pageIndex = new Map<string, number>();

export function pageOf(name: string): number {
  let index = pageIndex.get(name);
  if (index === undefined) {
    index = pageNames.length;
    pageNames.push(name);
    pageIndex.set(name, index);
  }
  return index;
}

export function pageName(page: number): string {
  return pageNames[page]!;
}

/** The stage page names interned so far, by index (a checkpoint's copy takes them to the writer thread). */
export function pageNameList(): readonly string[] {
  return pageNames;
}

/** releaseNode's stacks, shared by every key's buffer (releasing never re-enters). */
let releaseNodes = new Int32Array(256);
let releaseVersions = new Int32Array(256);

/**
 * extractPatterns' depth-first stack (node, version, depth of the path so far) and the path, shared
 * by every key's buffer (extracting never re-enters).
 */
let extractNodes = new Int32Array(256);
let extractVersions = new Int32Array(256);
let extractDepths = new Int32Array(256);
let extractPath = new Int32Array(256);

function grown(array: Int32Array, at: number): Int32Array<ArrayBuffer> {
  if (at < array.length) return array as Int32Array<ArrayBuffer>;
  const bigger = new Int32Array(Math.max(array.length * 2, at + 1));
  bigger.set(array);
  return bigger;
}

export class SharedBuffer<E> {
  /** The arena's words; replaced (a copy twice the size) when it grows: read it again after an allocation. */
  words: Int32Array = EMPTY_WORDS;
  /** The same memory as Float64 (times). */
  times: Float64Array = EMPTY_TIMES;
  /** Where the events' values are (the NFA's pool). */
  pool: ValuePool = DETACHED;
  /** Records handed out so far (free ones included). */
  top = 0;
  /** Head of the free list (NONE when empty). */
  free = NONE;
  /** Arrival number of the next registered event (a snapshot keeps it: restored events keep their order). */
  seq = 0;
  /** Events and nodes alive now: what the budget test and `sw pattern trace` report. */
  liveEvents = 0;
  liveNodes = 0;

  /** A new record's slot (its words are not cleared). */
  allocate(): number {
    const free = this.free;
    if (free !== NONE) {
      this.free = this.words[(free << SHIFT) + NEXT_FREE]!;
      return free;
    }
    const slot = this.top;
    if (slot << SHIFT >= this.words.length) this.grow();
    this.top = slot + 1;
    return slot;
  }

  private grow(): void {
    const capacity = this.words.length === 0 ? FIRST_ARENA_RECORDS : (this.words.length >> SHIFT) * 2;
    const buffer = new ArrayBuffer(capacity * RECORD * 4);
    const words = new Int32Array(buffer);
    words.set(this.words);
    this.words = words;
    this.times = new Float64Array(buffer);
  }

  /** Gives a record back (its slot is reused by the next allocation). */
  freeRecord(slot: number): void {
    this.words[(slot << SHIFT) + NEXT_FREE] = this.free;
    this.free = slot;
  }

  /** Records not on the free list (tests: every one must belong to a live run, node, edge or event). */
  recordsInUse(): number {
    let free = 0;
    for (let slot = this.free; slot !== NONE && free <= this.top; slot = this.words[(slot << SHIFT) + NEXT_FREE]!) free++;
    return this.top - free;
  }

  /**
   * Called when nothing of the key is left in the arena (no run, node or event): the next record is
   * the first again, and a large arena is dropped.
   */
  resetArena(): void {
    this.top = 0;
    this.free = NONE;
    if (this.words.length > KEPT_ARENA_RECORDS * RECORD) {
      this.words = EMPTY_WORDS;
      this.times = EMPTY_TIMES;
    }
  }

  /** As resetArena, and the arena dropped whatever its size (a key whose runs live elsewhere: the linear matcher's). */
  releaseArena(): void {
    this.resetArena();
    this.words = EMPTY_WORDS;
    this.times = EMPTY_TIMES;
  }

  /** Registers the event being processed, locked until `releaseEvent` (Flink's EventWrapper). */
  registerEvent(value: E, timestamp: number): number {
    this.liveEvents++;
    const slot = this.allocate();
    const w = this.words;
    const at = slot << SHIFT;
    w[at + E_REFS] = 1;
    w[at + E_NODE] = NONE;
    w[at + N_REMOVED] = 0;
    this.setEventSeq(slot, this.seq++);
    w[at + E_VALUE] = this.pool.add(value);
    this.times[(slot << (SHIFT - 1)) + F_TIME] = timestamp;
    return slot;
  }

  eventTime(event: number): number {
    return this.times[(event << (SHIFT - 1)) + F_TIME]!;
  }

  eventSeq(event: number): number {
    const at = event << SHIFT;
    return this.words[at + E_SEQ_HIGH]! * TWO_32 + (this.words[at + E_SEQ]! >>> 0);
  }

  /** Sets the event's arrival number (registerEvent, restores). */
  setEventSeq(event: number, seq: number): void {
    const at = event << SHIFT;
    this.words[at + E_SEQ] = seq | 0;
    this.words[at + E_SEQ_HIGH] = Math.floor(seq / TWO_32);
  }

  /** The event as the match output shows it (a new object). */
  eventObject(event: number): BufferedEvent<E> {
    return new BufferedEvent(this.eventValue(event), this.eventTime(event), this.eventSeq(event));
  }

  eventValue(event: number): E {
    return this.pool.get(this.words[(event << SHIFT) + E_VALUE]!) as E;
  }

  releaseEvent(event: number): void {
    const w = this.words;
    const at = (event << SHIFT) + E_REFS;
    const refs = w[at]!;
    // Lockable.release, tolerant of an unbalanced release, as Flink; only the release that frees it
    // gives the record back and counts it gone (an unbalanced one must not hand it out twice, nor
    // let settle() reset an arena whose events are still live).
    if (refs > 1) {
      w[at] = refs - 1;
      return;
    }
    if (refs !== 1) return;
    w[at] = 0;
    this.liveEvents--;
    this.pool.remove(w[(event << SHIFT) + E_VALUE]!);
    this.freeRecord(event);
  }

  /** The live node of `page` for `event`, or NONE. */
  nodeOf(event: number, page: number): number {
    const w = this.words;
    for (let node = w[(event << SHIFT) + E_NODE]!; node !== NONE; node = w[(node << SHIFT) + N_NEXT_OF_EVENT]!) {
      const at = node << SHIFT;
      if (w[at + N_PAGE] === page && w[at + N_REMOVED] === 0) return node;
    }
    return NONE;
  }

  /** Links `node` as one of its event's nodes (an event's nodes are found by page, never by position). */
  addNodeOfEvent(event: number, node: number): void {
    const w = this.words;
    w[(node << SHIFT) + N_NEXT_OF_EVENT] = w[(event << SHIFT) + E_NODE]!;
    w[(event << SHIFT) + E_NODE] = node;
  }

  private removeNodeOfEvent(event: number, node: number): void {
    const w = this.words;
    const head = (event << SHIFT) + E_NODE;
    const after = w[(node << SHIFT) + N_NEXT_OF_EVENT]!;
    if (w[head] === node) w[head] = after;
    else {
      let before = w[head]!;
      while (before !== NONE && w[(before << SHIFT) + N_NEXT_OF_EVENT] !== node) before = w[(before << SHIFT) + N_NEXT_OF_EVENT]!;
      if (before !== NONE) w[(before << SHIFT) + N_NEXT_OF_EVENT] = after;
    }
    w[(node << SHIFT) + N_NEXT_OF_EVENT] = NONE;
  }

  /** A new node record without edges (restores add them with appendEdge). */
  newNode(event: number, page: number, refs: number, removed: boolean): number {
    const node = this.allocate();
    const w = this.words;
    const at = node << SHIFT;
    w[at + N_EVENT] = event;
    w[at + N_PAGE] = page;
    w[at + N_REFS] = refs;
    w[at + N_REMOVED] = removed ? 1 : 0;
    w[at + N_FIRST] = NONE;
    w[at + N_LAST] = NONE;
    w[at + N_NEXT_OF_EVENT] = NONE;
    return node;
  }

  /** Appends a new edge to `node` (the edge takes over the caller's reference to `version`). */
  appendEdge(node: number, target: number, version: Version, refs: number): void {
    const edge = this.allocate();
    const w = this.words;
    const at = edge << SHIFT;
    w[at + G_TARGET] = target;
    w[at + G_VERSION] = version;
    w[at + G_REFS] = refs;
    w[at + G_NEXT] = NONE;
    const n = node << SHIFT;
    const last = w[n + N_LAST]!;
    if (last === NONE) w[n + N_FIRST] = edge;
    else w[(last << SHIFT) + G_NEXT] = edge;
    w[n + N_LAST] = edge;
  }

  /** Stores `event` under `page`, linked to `previous` with `version` (the edge takes over the caller's reference); returns its node. */
  put(page: number, event: number, previous: number, version: Version): number {
    if (previous !== NONE) this.lockNode(previous, version);
    let node = this.nodeOf(event, page);
    if (node === NONE) {
      node = this.newNode(event, page, 0, false);
      this.addNodeOfEvent(event, node);
      this.words[(event << SHIFT) + E_REFS]!++;
      this.liveNodes++;
    }
    this.appendEdge(node, previous, version, 0);
    return node;
  }

  lockNode(node: number, version: Version): void {
    const w = this.words;
    const at = node << SHIFT;
    w[at + N_REFS]!++;
    for (let edge = w[at + N_FIRST]!; edge !== NONE; edge = w[(edge << SHIFT) + G_NEXT]!) {
      if (Dewey.isCompatibleWith(version, w[(edge << SHIFT) + G_VERSION]!)) w[(edge << SHIFT) + G_REFS]!++;
    }
  }

  /** Drops one run's reference to `node`, freeing the edges and nodes nothing else holds. */
  releaseNode(node: number, version: Version): void {
    // The first frame borrows the caller's version; every later one owns the version of the edge it
    // came from. Nothing is allocated here: the arena stays where it is.
    const w = this.words;
    let nodes = releaseNodes;
    let versions = releaseVersions;
    let top = 0;
    nodes[top] = node;
    versions[top++] = version;
    let owned = false;
    while (top > 0) {
      const current = nodes[--top]!;
      const currentVersion = versions[top]!;
      const at = current << SHIFT;
      if (w[at + N_REMOVED] !== 0) {
        if (owned) Dewey.release(currentVersion);
        break;
      }
      let before = NONE;
      for (let edge = w[at + N_FIRST]!; edge !== NONE; ) {
        const e = edge << SHIFT;
        const next = w[e + G_NEXT]!;
        const edgeVersion = w[e + G_VERSION]!;
        if (Dewey.isCompatibleWith(currentVersion, edgeVersion) && releaseCount(w, e + G_REFS)) {
          if (before === NONE) w[at + N_FIRST] = next;
          else w[(before << SHIFT) + G_NEXT] = next;
          if (w[at + N_LAST] === edge) w[at + N_LAST] = before;
          const target = w[e + G_TARGET]!;
          if (target !== NONE) {
            if (top === nodes.length) {
              nodes = releaseNodes = grown(nodes, top);
              versions = releaseVersions = grown(versions, top);
            }
            nodes[top] = target;
            versions[top++] = edgeVersion;
          } else Dewey.release(edgeVersion);
          this.freeRecord(edge);
        } else before = edge;
        edge = next;
      }
      const live = w[at + N_REFS]! > 0;
      if (releaseCount(w, at + N_REFS)) {
        w[at + N_REMOVED] = 1;
        this.liveNodes--;
        const event = w[at + N_EVENT]!;
        this.removeNodeOfEvent(event, current);
        this.releaseEvent(event);
        // Only on the release that frees it (see releaseEvent). Its remaining edges are dropped, and
        // so are their versions.
        if (live) {
          for (let edge = w[at + N_FIRST]!; edge !== NONE; ) {
            const next = w[(edge << SHIFT) + G_NEXT]!;
            Dewey.release(w[(edge << SHIFT) + G_VERSION]!);
            this.freeRecord(edge);
            edge = next;
          }
          w[at + N_FIRST] = w[at + N_LAST] = NONE;
          this.freeRecord(current);
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
  extractPatterns(node: number, version: Version, limit = Infinity): MatchPath<E>[] {
    const result: MatchPath<E>[] = [];
    const w = this.words;
    if (w[(node << SHIFT) + N_REMOVED] !== 0) return result;
    // A frame at depth d extends the path's first d nodes: frames pushed after it (its later
    // siblings and their descendants) are popped first and write only at depth d and beyond.
    let top = 0;
    extractNodes[top] = node;
    extractVersions[top] = version;
    extractDepths[top++] = 0;
    while (top > 0 && result.length < limit) {
      const current = extractNodes[--top]!;
      const currentVersion = extractVersions[top]!;
      const depth = extractDepths[top]!;
      if (current === NONE) {
        const complete: MatchPath<E> = new Map();
        for (let i = depth - 1; i >= 0; i--) {
          const entry = extractPath[i]! << SHIFT;
          const page = pageNames[w[entry + N_PAGE]!]!;
          const event = this.eventObject(w[entry + N_EVENT]!);
          const events = complete.get(page);
          if (events === undefined) complete.set(page, [event]);
          else events.push(event);
        }
        result.push(complete);
        continue;
      }
      if (depth >= extractPath.length) extractPath = grown(extractPath, depth);
      extractPath[depth] = current;
      for (let edge = w[(current << SHIFT) + N_FIRST]!; edge !== NONE; edge = w[(edge << SHIFT) + G_NEXT]!) {
        const edgeVersion = w[(edge << SHIFT) + G_VERSION]!;
        if (!Dewey.isCompatibleWith(currentVersion, edgeVersion)) continue;
        if (top === extractNodes.length) {
          extractNodes = grown(extractNodes, top);
          extractVersions = grown(extractVersions, top);
          extractDepths = grown(extractDepths, top);
        }
        extractNodes[top] = w[(edge << SHIFT) + G_TARGET]!;
        extractVersions[top] = edgeVersion;
        extractDepths[top++] = depth + 1;
      }
    }
    return result;
  }
}

/** Lockable.release on a count word: false while references remain; tolerant of an unbalanced release, as Flink. */
function releaseCount(w: Int32Array, at: number): boolean {
  const refs = w[at]!;
  if (refs <= 0) return true;
  w[at] = refs - 1;
  return refs === 1;
}
