/**
 * Window results computed before their turn, held until the firing reaches them. When a spilled
 * key is taken back during a watermark advance, all its due windows fire at once (it is loaded
 * once and leaves again); a result whose (end, key order, start) comes after other keys' firings
 * waits here. In-order tumbling windows have one due window per key, so a result waits only until
 * the next step of the merge; a final watermark over keys with several windows each holds one
 * result per such window (the records, not the keys' state). A binary min-heap on that order.
 */
import type { WindowResult } from '../operator.js';

export interface WaitingResult {
  readonly end: number;
  readonly order: number;
  readonly start: number;
  readonly record: WindowResult;
}

/** The firing order of window results: by end, then key order, then start. */
export function firesBefore(end: number, order: number, start: number, than: { readonly end: number; readonly order: number; readonly start: number }): boolean {
  return end < than.end || (end === than.end && (order < than.order || (order === than.order && start < than.start)));
}

export class WaitingResults {
  private readonly heap: WaitingResult[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): WaitingResult | undefined {
    return this.heap[0];
  }

  push(item: WaitingResult): void {
    const heap = this.heap;
    let index = heap.length;
    heap.push(item);
    while (index > 0) {
      const parent = (index - 1) >>> 1;
      if (!firesBefore(item.end, item.order, item.start, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = item;
  }

  pop(): WaitingResult | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let index = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && firesBefore(heap[right]!.end, heap[right]!.order, heap[right]!.start, heap[left]!) ? right : left;
      if (!firesBefore(heap[child]!.end, heap[child]!.order, heap[child]!.start, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}
