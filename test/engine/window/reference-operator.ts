/**
 * A deliberately naive model of Flink's WindowOperator + EventTimeTrigger for the differential
 * test: windows are plain objects in one array holding their records, sessions merge by Flink's
 * own sort-and-sweep over all of a key's windows (TimeWindow.mergeWindows), timers are full scans.
 * No heap, no incremental merge, no accumulators: what the real operator optimizes away.
 */
import type { WindowSpec } from '../../../src/engine/spec.js';

interface RefWindow {
  key: string;
  start: number;
  end: number;
  /** [value, arrival, event time] of every record the window took. */
  records: Array<[number, number, number]>;
  onTimePending: boolean;
}

export class ReferenceOperator {
  readonly timeline: string[] = [];
  private windows: RefWindow[] = [];
  private readonly keyOrder = new Map<string, number>();
  private keysCreated = 0;
  private watermark = -Infinity;
  private arrival = 0;

  constructor(
    private readonly window: WindowSpec,
    private readonly allowedLateness: number,
  ) {}

  process(key: string, value: number, ts: number): void {
    if (!this.keyOrder.has(key)) this.keyOrder.set(key, this.keysCreated++);
    const record: [number, number, number] = [value, this.arrival++, ts];
    let taken = false;
    for (const [start, end] of this.assign(ts)) {
      let w: RefWindow | undefined;
      if (this.window.type === 'session') w = this.mergeSession(key, start, end);
      else w = this.windows.find((x) => x.key === key && x.start === start);
      if (w === undefined) {
        if (this.cleanup(end) <= this.watermark) continue;
        w = { key, start, end, records: [], onTimePending: end - 1 > this.watermark };
        this.windows.push(w);
      }
      taken = true;
      w.records.push(record);
      if (w.end - 1 <= this.watermark) this.emit(w, 'late');
    }
    if (!taken) {
      // Flink's isSkippedElement && isElementLate (a record in a gap between windows is not late).
      if (ts + this.allowedLateness <= this.watermark) this.timeline.push(`late ${key} ${value}`);
      if (!this.windows.some((w) => w.key === key)) this.keyOrder.delete(key);
    }
  }

  advanceWatermark(watermark: number): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    const firing = this.windows.filter((w) => w.onTimePending && w.end - 1 <= watermark);
    firing.sort((a, b) => a.end - b.end || this.keyOrder.get(a.key)! - this.keyOrder.get(b.key)! || a.start - b.start);
    for (const w of firing) {
      w.onTimePending = false;
      this.emit(w, 'onTime');
    }
    this.windows = this.windows.filter((w) => this.cleanup(w.end) > watermark);
    for (const key of [...this.keyOrder.keys()]) if (!this.windows.some((w) => w.key === key)) this.keyOrder.delete(key);
  }

  private cleanup(end: number): number {
    return end - 1 + this.allowedLateness;
  }

  /** Every window [start, end) holding ts, earliest first. */
  private assign(ts: number): Array<[number, number]> {
    const w = this.window;
    if (w.type === 'session') return [[ts, ts + w.gap]];
    const size = w.size;
    const slide = w.type === 'sliding' ? w.slide : w.size;
    const windows: Array<[number, number]> = [];
    // Brute force: every slide-aligned start within one size before ts.
    for (let start = ts - size - slide; start <= ts; start++) {
      if ((((start - w.offset) % slide) + slide) % slide === 0 && start <= ts && ts < start + size) windows.push([start, start + size]);
    }
    return windows;
  }

  /**
   * Flink's MergingWindowSet.addWindow: sort the key's windows and the new one by start, sweep
   * them into groups of intersecting windows (ends inclusive), and merge the group holding the
   * new window. Returns the window the record goes to, or undefined for a session of its own.
   */
  private mergeSession(key: string, start: number, end: number): RefWindow | undefined {
    const own = this.windows.filter((w) => w.key === key);
    const candidates = [...own.map((w) => ({ start: w.start, end: w.end, w })), { start, end, w: undefined as RefWindow | undefined }];
    candidates.sort((a, b) => a.start - b.start);
    let group: typeof candidates = [];
    let cover = { start: 0, end: 0 };
    const groups: Array<{ members: typeof candidates; cover: { start: number; end: number } }> = [];
    for (const c of candidates) {
      if (group.length > 0 && cover.start <= c.end && cover.end >= c.start) {
        group.push(c);
        cover = { start: Math.min(cover.start, c.start), end: Math.max(cover.end, c.end) };
      } else {
        if (group.length > 0) groups.push({ members: group, cover });
        group = [c];
        cover = { start: c.start, end: c.end };
      }
    }
    groups.push({ members: group, cover });
    const mine = groups.find((g) => g.members.some((m) => m.w === undefined))!;
    const existing = mine.members.filter((m) => m.w !== undefined).map((m) => m.w!);
    if (existing.length === 0) return undefined;
    if (existing.length === 1 && existing[0]!.start === mine.cover.start && existing[0]!.end === mine.cover.end) return existing[0];
    const merged: RefWindow = {
      key,
      start: mine.cover.start,
      end: mine.cover.end,
      records: existing.flatMap((w) => w.records).sort((a, b) => a[1] - b[1]),
      onTimePending: mine.cover.end - 1 > this.watermark,
    };
    this.windows = this.windows.filter((w) => !existing.includes(w));
    this.windows.push(merged);
    return merged;
  }

  private emit(w: RefWindow, firing: string): void {
    const total = w.records.reduce((s, [v]) => s + v, 0);
    // last(): the latest event time, the latest arrival among equal times.
    const latest = w.records.reduce((a, b) => (b[2] > a[2] || (b[2] === a[2] && b[1] > a[1]) ? b : a));
    this.timeline.push(`${w.key} [${w.start},${w.end}) ${firing} ${JSON.stringify({ n: w.records.length, total, last: latest[0] })}`);
  }
}
