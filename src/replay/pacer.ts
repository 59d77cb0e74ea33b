/**
 * Pacing in accelerated event time: at speed S, records whose event times are Δ apart are
 * released Δ/S apart on the wall clock. The event clock is the largest event time released so
 * far, so an out-of-order record is released at once. Pause, resume, single-step and speed
 * changes re-anchor the mapping, so what was already played is never replayed faster to "catch
 * up". The clock is injected: tests drive it by hand, the CLI uses the real one.
 */
export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: PacingClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Parses `--speed`: "max", "100x", "0.5x" or a bare number. Null when invalid. */
export function parseSpeed(text: string): number | null {
  if (text === 'max') return Infinity;
  const match = /^(\d+(?:\.\d+)?)x?$/.exec(text.trim());
  if (!match) return null;
  const speed = Number(match[1]);
  return speed > 0 && Number.isFinite(speed) ? speed : null;
}

/** Waits shorter than this are not slept: a timer costs ~1 ms anyway, and the deficit is made up later. */
const MIN_SLEEP_MS = 2;
/** Long waits are slept in slices, so a pause or speed change takes effect quickly. */
const SLICE_MS = 50;
/** Behind schedule by more than this (and 1% of the play time): the replay says it cannot keep up. */
const BEHIND_MS = 250;

/** How pacing is going, for the live header and the run summary. */
export interface PacingStatus {
  /** The speed asked for. */
  readonly speed: number;
  /** Event time played per wall time since play (re)started at this speed; null before 100 ms of it. */
  readonly achieved: number | null;
  /** How far the latest record is behind its scheduled wall time now (ms, ≥ 0). */
  readonly behindMs: number;
  /** The largest lateness of any record against its scheduled time, over the whole run (ms). */
  readonly maxLateMs: number;
  /** True when the pipeline does not keep up: behind by > 250 ms and > 1% of the play time. */
  readonly behind: boolean;
}

export class Pacer {
  private anchorWall = NaN;
  private anchorEvent = NaN;
  private eventClock = -Infinity;
  private isPaused = false;
  private stepsAllowed = 0;
  private wake: (() => void) | null = null;
  private maxLate = 0;

  constructor(
    private currentSpeed: number,
    private readonly clock: PacingClock = systemClock,
  ) {}

  get speed(): number {
    return this.currentSpeed;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Largest event time released so far. */
  get eventTime(): number {
    return this.eventClock;
  }

  /** Resolves when the record with event time `ts` may be processed. */
  async pace(ts: number): Promise<void> {
    while (this.isPaused) {
      if (this.stepsAllowed > 0) {
        this.stepsAllowed--;
        this.release(ts);
        this.anchorWall = NaN; // re-anchor when play resumes
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.currentSpeed !== Infinity && ts > this.eventClock) {
      for (;;) {
        // (Re-)anchored here too: a speed change or resume while this record waits clears the anchor.
        if (Number.isNaN(this.anchorWall)) {
          this.anchorWall = this.clock.now();
          // Anchor at the last released event time, so the gap up to this record is still honoured.
          this.anchorEvent = this.eventClock === -Infinity ? ts : this.eventClock;
        }
        if (this.currentSpeed === Infinity) break;
        const wait = this.anchorWall + (ts - this.anchorEvent) / this.currentSpeed - this.clock.now();
        if (-wait > this.maxLate) this.maxLate = -wait;
        if (wait < MIN_SLEEP_MS || this.isPaused) break;
        await this.clock.sleep(Math.min(wait, SLICE_MS));
      }
      if (this.isPaused) return this.pace(ts);
    }
    this.release(ts);
  }

  /**
   * Whether `pace(ts)` would have to wait: the hot loop calls pace() only then. A record that need
   * not wait is measured here against its scheduled wall time (the drift a benchmark reports).
   */
  mustWait(ts: number): boolean {
    if (this.isPaused) return true;
    if (this.currentSpeed === Infinity || ts <= this.eventClock) return false;
    if (Number.isNaN(this.anchorWall)) return true;
    const wait = this.anchorWall + (ts - this.anchorEvent) / this.currentSpeed - this.clock.now();
    if (-wait > this.maxLate) this.maxLate = -wait;
    return wait >= MIN_SLEEP_MS;
  }

  /** Requested against achieved speed, and how late the stream is (for headers and summaries). */
  status(): PacingStatus {
    const speed = this.currentSpeed;
    if (speed === Infinity || Number.isNaN(this.anchorWall) || this.eventClock === -Infinity) {
      return { speed, achieved: null, behindMs: 0, maxLateMs: this.maxLate, behind: false };
    }
    const now = this.clock.now();
    const played = now - this.anchorWall;
    const scheduled = this.anchorWall + (this.eventClock - this.anchorEvent) / speed;
    const behindMs = Math.max(0, now - scheduled);
    const achieved = played >= 100 ? (this.eventClock - this.anchorEvent) / played : null;
    return { speed, achieved, behindMs, maxLateMs: this.maxLate, behind: !this.isPaused && behindMs > BEHIND_MS && behindMs > played * 0.01 };
  }

  /** Marks a record released without waiting (the fast path when mustWait was false). */
  release(ts: number): void {
    if (ts > this.eventClock) this.eventClock = ts;
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    this.reanchor();
    this.notify();
  }

  /** While paused: let exactly one more record through. */
  step(): void {
    if (!this.isPaused) return;
    this.stepsAllowed++;
    this.notify();
  }

  /**
   * Changes the speed from now on. Event time already played stays played: a record that is
   * waiting keeps the part of its gap that has passed at the old speed and plays the rest at the
   * new one.
   */
  setSpeed(speed: number): void {
    if (!(speed > 0)) return;
    if (!Number.isNaN(this.anchorWall) && !this.isPaused && this.currentSpeed !== Infinity) {
      const now = this.clock.now();
      const played = this.anchorEvent + (now - this.anchorWall) * this.currentSpeed;
      this.anchorWall = now;
      this.anchorEvent = Math.max(played, this.eventClock);
    } else {
      this.reanchor();
    }
    this.currentSpeed = speed;
  }

  private reanchor(): void {
    this.anchorWall = NaN;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
