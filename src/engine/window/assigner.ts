/**
 * Window assignment, as Flink's TumblingEventTimeWindows, SlidingEventTimeWindows and
 * EventTimeSessionWindows do it. A window is [start, end): end exclusive, its last timestamp
 * (Flink's maxTimestamp) is end − 1.
 */
import type { WindowSpec } from '../spec.js';

/**
 * Flink's TimeWindow.getWindowStartWithOffset: the start of the window of length `size` (aligned
 * to epoch + offset) that holds `timestamp`. The remainder of a negative difference is negative in
 * JavaScript as in Java, and the second branch moves it back into the previous window.
 */
export function windowStart(timestamp: number, offset: number, size: number): number {
  const remainder = (timestamp - offset) % size;
  return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
}

/**
 * Sliding windows: the starts of every window [start, start + size) holding `timestamp`, latest
 * first (Flink's order). `into` is reused so that assigning allocates nothing; it is returned.
 * The slide need not divide the size: a timestamp then belongs to ⌈size/slide⌉ or ⌊size/slide⌋
 * windows.
 */
export function slidingStarts(timestamp: number, size: number, slide: number, offset: number, into: number[]): number[] {
  into.length = 0;
  const lastStart = windowStart(timestamp, offset, slide);
  for (let start = lastStart; start > timestamp - size; start -= slide) into.push(start);
  return into;
}

/**
 * Why a window spec is invalid, in Flink's words (its assigners throw IllegalArgumentException
 * with these conditions), or null when it is valid.
 */
export function windowSpecProblem(window: WindowSpec): string | null {
  switch (window.type) {
    case 'tumbling':
      if (!(window.size > 0) || !(Math.abs(window.offset) < window.size)) {
        return `tumbling windows must satisfy abs(offset) < size and size > 0 (size ${window.size}, offset ${window.offset})`;
      }
      return null;
    case 'sliding':
      if (!(window.size > 0) || !(window.slide > 0) || !(Math.abs(window.offset) < window.slide)) {
        return `sliding windows must satisfy abs(offset) < slide and size > 0 (size ${window.size}, slide ${window.slide}, offset ${window.offset})`;
      }
      return null;
    case 'session':
      if (!(window.gap > 0)) return `session windows must satisfy 0 < size (gap ${window.gap})`;
      return null;
  }
}
