/**
 * Dewey decimal versions of partial matches (SASE §4.3, Flink's DeweyNumber): a run is a path in
 * the computation tree, and a shared-buffer edge is followed only by runs whose version is
 * compatible with the edge's version, so runs that share a prefix of events never mix.
 *
 * A version is a handle (a small integer) into one pool shared by every NFA: four Int32 slots per
 * version (prefix handle or -1, last digit, length, references), a version sharing its prefix with
 * the one it came from. Versions live as long as their partial match (tens of thousands of events
 * on a busy stream): as objects (24 bytes each, four made per watched event on the binge bench)
 * each was promoted to the old generation and marked there; a handle is a Smi the collector never
 * follows, and a freed slot is reused by the next version.
 *
 * Reference counting: `of`, `parse`, `increase`, `addStage` and `branch` return a version the caller
 * owns (one reference); `retain` adds one, `release` drops one and frees the version (and, in turn,
 * its prefix) when none is left. A run and a shared-buffer edge each own their version. A version
 * dropped with its owner by the garbage collector (an abandoned operator) is never freed: 16 bytes.
 */
export type Version = number;

/** No version (a released run's slot). */
export const NO_VERSION = -1;

const PREFIX = 0;
const DIGIT = 1;
const LENGTH = 2;
const REFS = 3;

let pool = new Int32Array(4 * 4096);
let capacity = 4096;
/** Handles handed out so far (free ones included). */
let used = 0;
/** Freed handles, reused first; a freed slot keeps its digits until it is reused. */
let free = new Int32Array(4096);
let freeTop = 0;
let live = 0;

function allocate(prefix: Version, digit: number, length: number): Version {
  let handle: Version;
  if (freeTop > 0) handle = free[--freeTop]!;
  else {
    if (used === capacity) {
      capacity *= 2;
      const grown = new Int32Array(4 * capacity);
      grown.set(pool);
      pool = grown;
      const grownFree = new Int32Array(capacity);
      grownFree.set(free);
      free = grownFree;
    }
    handle = used++;
  }
  const at = handle << 2;
  pool[at + PREFIX] = prefix;
  pool[at + DIGIT] = digit;
  pool[at + LENGTH] = length;
  pool[at + REFS] = 1;
  live++;
  return handle;
}

/** A one-digit version. */
export function of(first: number): Version {
  return allocate(-1, first, 1);
}

/** The inverse of toString (`1.0.2`), for snapshots; NO_VERSION when `text` is not a version. */
export function parse(text: string): Version {
  if (!/^\d+(\.\d+)*$/.test(text)) return NO_VERSION;
  const digits = text.split('.').map(Number);
  if (digits.some((d) => d > 0x7fffffff)) return NO_VERSION;
  let version = of(digits[0]!);
  for (let i = 1; i < digits.length; i++) {
    const next = allocate(version, digits[i]!, i + 1); // takes over the reference to its prefix
    version = next;
  }
  return version;
}

export function retain(version: Version): void {
  pool[(version << 2) + REFS]!++;
}

/** Drops one reference; frees the version, and then its prefix's reference, when none is left. */
export function release(version: Version): void {
  while (version !== -1) {
    const at = version << 2;
    if (--pool[at + REFS]! > 0) return;
    free[freeTop++] = version;
    live--;
    version = pool[at + PREFIX]!;
  }
}

/** The pool's words in use (a view: a checkpoint copies them, and reads the copy with `readingPool`). */
export function poolWords(): Int32Array {
  return pool.subarray(0, used << 2);
}

/**
 * Runs `read` with the versions read from `words` (a copy of poolWords) instead of the pool:
 * digitsOf and toString see the versions as they were when copied. `read` must not make or
 * release versions.
 */
export function readingPool<T>(words: Int32Array, read: () => T): T {
  const live = pool;
  pool = words as Int32Array<ArrayBuffer>;
  try {
    return read();
  } finally {
    pool = live;
  }
}

/** Versions alive now (tests: what a run leaves behind). */
export function liveVersions(): number {
  return live;
}

/**
 * True when `other` is a prefix of `version`, or both have the same length, agree on all but
 * the last digit and this last digit is ≥ other's (a later branch of the same stage).
 */
export function isCompatibleWith(version: Version, other: Version): boolean {
  if (version === other) return true;
  const p = pool;
  const length = p[(version << 2) + LENGTH]!;
  const otherLength = p[(other << 2) + LENGTH]!;
  if (length > otherLength) {
    let mine = version;
    while (p[(mine << 2) + LENGTH]! > otherLength) mine = p[(mine << 2) + PREFIX]!;
    return sameDigits(mine, other);
  }
  if (length === otherLength) return p[(version << 2) + DIGIT]! >= p[(other << 2) + DIGIT]! && sameDigits(p[(version << 2) + PREFIX]!, p[(other << 2) + PREFIX]!);
  return false;
}

/** The last digit raised by `times` (a sibling branch); a new reference to `version` itself when times is 0. */
export function increase(version: Version, times = 1): Version {
  const at = version << 2;
  if (times === 0) {
    pool[at + REFS]!++;
    return version;
  }
  const prefix = pool[at + PREFIX]!;
  if (prefix !== -1) pool[(prefix << 2) + REFS]!++;
  return allocate(prefix, pool[at + DIGIT]! + times, pool[at + LENGTH]!);
}

/** A new stage: the version with a trailing 0 (a child branch). */
export function addStage(version: Version): Version {
  const at = version << 2;
  pool[at + REFS]!++;
  return allocate(version, 0, pool[at + LENGTH]! + 1);
}

/** addStage(increase(version, times)) without a reference to the intermediate version left over. */
export function branch(version: Version, times: number): Version {
  if (times === 0) return addStage(version);
  const sibling = increase(version, times);
  const child = allocate(sibling, 0, pool[(sibling << 2) + LENGTH]! + 1); // takes over the sibling's reference
  return child;
}

export function equals(version: Version, other: Version): boolean {
  return pool[(version << 2) + LENGTH] === pool[(other << 2) + LENGTH] && sameDigits(version, other);
}

/** The digits, first to last, into `into`; returns how many. */
export function digitsOf(version: Version, into: number[]): number {
  const n = pool[(version << 2) + LENGTH]!;
  for (let at = version, i = n - 1; at !== -1; at = pool[(at << 2) + PREFIX]!, i--) into[i] = pool[(at << 2) + DIGIT]!;
  return n;
}

export function toString(version: Version): string {
  const digits: number[] = [];
  digitsOf(version, digits);
  return digits.join('.');
}

/** Digit-wise equality of two versions of the same length; shared prefixes end the walk early. */
function sameDigits(a: Version, b: Version): boolean {
  const p = pool;
  while (a !== b) {
    if (a === -1 || b === -1 || p[(a << 2) + DIGIT] !== p[(b << 2) + DIGIT]) return false;
    a = p[(a << 2) + PREFIX]!;
    b = p[(b << 2) + PREFIX]!;
  }
  return true;
}
