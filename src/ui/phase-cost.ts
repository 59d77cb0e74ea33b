/**
 * CPU and wall time of a stretch of a run: the live view's own accounting (frames, opening,
 * closing) and its benchmark's passes. Apart from the view so that a headless pass measures
 * itself the same way without loading ink or react.
 */
import { openSync, readSync } from 'node:fs';

/** CPU milliseconds of the process so far (user and system, all threads). */
export function cpuMsNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** CPU and wall milliseconds of one stretch of the view's life. */
export interface PhaseCost {
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** The process's CPU and wall milliseconds since it started (performance.now() counts from the process's start, as cpuUsage does). */
export function processCostNow(): PhaseCost {
  return { cpuMs: cpuMsNow(), wallMs: performance.now() };
}

/** Starts a stretch; the function returned ends it and tells its cost. */
export function startPhase(): () => PhaseCost {
  const start = processCostNow();
  return () => {
    const now = processCostNow();
    return { cpuMs: now.cpuMs - start.cpuMs, wallMs: now.wallMs - start.wallMs };
  };
}

/** This thread's /proc/thread-self/schedstat, opened once (a module instance per thread); -1: not there. */
let schedstat: number | null = null;
const buffer = Buffer.alloc(64);

/**
 * CPU milliseconds of the calling thread so far: the replay's thread and the view's worker each
 * count their own part of a frame (process.cpuUsage counts every thread, and on two loaded cores
 * the other thread's work would land in the frame's figure). Linux's per-thread scheduler
 * statistics (nanoseconds on the CPU, read at offset 0 of a file kept open: a few µs); elsewhere the
 * process's CPU time.
 */
export function threadCpuMs(): number {
  if (schedstat === null) {
    try {
      schedstat = openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      schedstat = -1;
    }
  }
  if (schedstat >= 0) {
    const length = readSync(schedstat, buffer, 0, buffer.length, 0);
    const text = buffer.toString('latin1', 0, length);
    return Number(text.slice(0, text.indexOf(' '))) / 1e6;
  }
  return cpuMsNow();
}
