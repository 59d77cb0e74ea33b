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

export class Pacer {
  private anchorWall = NaN;
  private anchorEvent = NaN;
  private eventClock = -Infinity;
  private isPaused = false;
  private stepsAllowed = 0;
  private wake: (() => void) | null = null;

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
      if (Number.isNaN(this.anchorWall)) {
        this.anchorWall = this.clock.now();
        // Anchor at the last released event time, so the gap up to this record is still honoured.
        this.anchorEvent = this.eventClock === -Infinity ? ts : this.eventClock;
      }
      for (;;) {
        const wait = this.anchorWall + (ts - this.anchorEvent) / this.currentSpeed - this.clock.now();
        if (wait < MIN_SLEEP_MS || this.isPaused) break;
        await this.clock.sleep(Math.min(wait, SLICE_MS));
      }
      if (this.isPaused) return this.pace(ts);
    }
    this.release(ts);
  }

  /** Whether `pace(ts)` would have to wait: the hot loop calls pace() only then. */
  mustWait(ts: number): boolean {
    if (this.isPaused) return true;
    if (this.currentSpeed === Infinity || ts <= this.eventClock) return false;
    if (Number.isNaN(this.anchorWall)) return true;
    return this.anchorWall + (ts - this.anchorEvent) / this.currentSpeed - this.clock.now() >= MIN_SLEEP_MS;
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

  setSpeed(speed: number): void {
    if (!(speed > 0)) return;
    this.currentSpeed = speed;
    this.reanchor();
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
