/**
 * Dewey decimal versions of partial matches (SASE §4.3, Flink's DeweyNumber): a run is a path in
 * the computation tree, and a shared-buffer edge is followed only by runs whose version is
 * compatible with the edge's version, so runs that share a prefix of events never mix.
 */
export class DeweyNumber {
  private constructor(private readonly digits: readonly number[]) {}

  static of(start: number): DeweyNumber {
    return new DeweyNumber([start]);
  }

  /** The inverse of toString (`1.0.2`), for snapshots; null when `text` is not a version. */
  static parse(text: string): DeweyNumber | null {
    if (!/^\d+(\.\d+)*$/.test(text)) return null;
    return new DeweyNumber(text.split('.').map(Number));
  }

  get length(): number {
    return this.digits.length;
  }

  /**
   * True when `other` is a prefix of this version, or both have the same length, agree on all but
   * the last digit and this last digit is ≥ other's (a later branch of the same stage).
   */
  isCompatibleWith(other: DeweyNumber): boolean {
    const mine = this.digits;
    const theirs = other.digits;
    if (mine.length > theirs.length) {
      for (let i = 0; i < theirs.length; i++) if (theirs[i] !== mine[i]) return false;
      return true;
    }
    if (mine.length === theirs.length) {
      const last = mine.length - 1;
      for (let i = 0; i < last; i++) if (theirs[i] !== mine[i]) return false;
      return mine[last]! >= theirs[last]!;
    }
    return false;
  }

  /** The last digit raised by `times` (a sibling branch). */
  increase(times = 1): DeweyNumber {
    if (times === 0) return this;
    const next = this.digits.slice();
    next[next.length - 1]! += times;
    return new DeweyNumber(next);
  }

  /** A new stage: the version with a trailing 0 (a child branch). */
  addStage(): DeweyNumber {
    // Exact-size copy: versions live as long as their partial match (a push would over-allocate).
    const digits = this.digits;
    const next = new Array<number>(digits.length + 1);
    for (let i = 0; i < digits.length; i++) next[i] = digits[i]!;
    next[digits.length] = 0;
    return new DeweyNumber(next);
  }

  equals(other: DeweyNumber): boolean {
    if (other.digits.length !== this.digits.length) return false;
    for (let i = 0; i < this.digits.length; i++) if (other.digits[i] !== this.digits[i]) return false;
    return true;
  }

  toString(): string {
    return this.digits.join('.');
  }
}
