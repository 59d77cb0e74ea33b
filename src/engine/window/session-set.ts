/**
 * The open session windows of one key, sorted by start and pairwise disjoint, as Flink's
 * MergingWindowSet keeps them. Flink's TimeWindow.mergeWindows merges windows that intersect
 * with both ends inclusive (start ≤ other.end && end ≥ other.start), so sessions that merely touch
 * ([0, 3000) and [3000, 6000)) merge too.
 *
 * Because the open sessions are disjoint, adding one window [start, end) merges exactly the
 * sessions it intersects, and those form one run of the sorted list: Flink's sort-and-sweep over
 * all windows gives the same groups.
 */
export interface Span {
  start: number;
  end: number;
}

/** The index range [lo, hi) of the sessions that [start, end] intersects (lo === hi: none). */
export function intersectingRange(sessions: readonly Span[], start: number, end: number): [number, number] {
  // Ends are sorted too (disjoint, sorted by start): find the first session ending at or after start.
  let lo = 0;
  let hi = sessions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sessions[mid]!.end < start) lo = mid + 1;
    else hi = mid;
  }
  let last = lo;
  while (last < sessions.length && sessions[last]!.start <= end) last++;
  return [lo, last];
}
