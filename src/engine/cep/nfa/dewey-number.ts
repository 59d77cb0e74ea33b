/**
 * Dewey decimal versions of partial matches (SASE §4.3, Flink's DeweyNumber): a run is a path in
 * the computation tree, and a shared-buffer edge is followed only by runs whose version is
 * compatible with the edge's version, so runs that share a prefix of events never mix.
 *
 * Stored as a linked list from the last digit back to the first: `addStage` and `increase` make
 * one 24-byte object that shares its prefix with the version it came from, where a digit array
 * cost two objects and ~56 bytes. Versions live as long as their partial match (tens of thousands
 * of events on a busy stream), so every byte here is copied by the garbage collector.
 */
export class DeweyNumber {
  private constructor(
    /** The version without its last digit; null for a one-digit version. */
    readonly prefix: DeweyNumber | null,
    readonly digit: number,
    readonly length: number,
  ) {}

  static of(start: number): DeweyNumber {
    return new DeweyNumber(null, start, 1);
  }

  /** The inverse of toString (`1.0.2`), for snapshots; null when `text` is not a version. */
  static parse(text: string): DeweyNumber | null {
    if (!/^\d+(\.\d+)*$/.test(text)) return null;
    const digits = text.split('.').map(Number);
    let version = DeweyNumber.of(digits[0]!);
    for (let i = 1; i < digits.length; i++) version = new DeweyNumber(version, digits[i]!, i + 1);
    return version;
  }

  /**
   * True when `other` is a prefix of this version, or both have the same length, agree on all but
   * the last digit and this last digit is ≥ other's (a later branch of the same stage).
   */
  isCompatibleWith(other: DeweyNumber): boolean {
    if (this === other) return true;
    if (this.length > other.length) {
      let mine: DeweyNumber = this;
      while (mine.length > other.length) mine = mine.prefix!;
      return sameDigits(mine, other);
    }
    if (this.length === other.length) return this.digit >= other.digit && sameDigits(this.prefix, other.prefix);
    return false;
  }

  /** The last digit raised by `times` (a sibling branch). */
  increase(times = 1): DeweyNumber {
    return times === 0 ? this : new DeweyNumber(this.prefix, this.digit + times, this.length);
  }

  /** A new stage: the version with a trailing 0 (a child branch). */
  addStage(): DeweyNumber {
    return new DeweyNumber(this, 0, this.length + 1);
  }

  equals(other: DeweyNumber): boolean {
    return this.length === other.length && sameDigits(this, other);
  }

  toString(): string {
    const digits: number[] = [];
    for (let at: DeweyNumber | null = this; at !== null; at = at.prefix) digits.push(at.digit);
    return digits.reverse().join('.');
  }
}

/** Digit-wise equality of two versions of the same length; shared prefixes end the walk early. */
function sameDigits(a: DeweyNumber | null, b: DeweyNumber | null): boolean {
  while (a !== b) {
    if (a === null || b === null || a.digit !== b.digit) return false;
    a = a.prefix;
    b = b.prefix;
  }
  return true;
}
