/**
 * Event-time timers: a binary min-heap of windows ordered by their next timer. Each window has
 * at most one pending timer (its end − 1 until it fired, then its cleanup time), so the window
 * itself is the heap entry and carries its index: moving or cancelling a merged session's timer
 * is O(log n) with no extra allocation, and no stale entries pile up.
 */
export interface Timed {
  timerAt: number;
  heapIndex: number;
}

export class TimerQueue<T extends Timed> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The earliest timer, or Infinity when there is none. */
  peekTime(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0]!.timerAt;
  }

  push(item: T): void {
    item.heapIndex = this.heap.length;
    this.heap.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    this.removeAt(0);
    return top;
  }

  remove(item: T): void {
    if (item.heapIndex >= 0) this.removeAt(item.heapIndex);
  }

  /** Restores heap order after `item.timerAt` changed. */
  update(item: T): void {
    if (item.heapIndex < 0) {
      this.push(item);
      return;
    }
    this.up(item.heapIndex);
    this.down(item.heapIndex);
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    const removed = heap[index]!;
    const lastItem = heap.pop()!;
    removed.heapIndex = -1;
    if (index < heap.length) {
      heap[index] = lastItem;
      lastItem.heapIndex = index;
      this.up(index);
      this.down(lastItem.heapIndex);
    }
  }

  private up(index: number): void {
    const heap = this.heap;
    const item = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >>> 1;
      const parent = heap[parentIndex]!;
      if (parent.timerAt <= item.timerAt) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = item;
    item.heapIndex = index;
  }

  private down(index: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right]!.timerAt < heap[left]!.timerAt ? right : left;
      if (heap[child]!.timerAt >= item.timerAt) break;
      heap[index] = heap[child]!;
      heap[index]!.heapIndex = index;
      index = child;
    }
    heap[index] = item;
    item.heapIndex = index;
  }
}
