/**
 * CPU and wall time of a stretch of a run: the live view's own accounting (frames, opening,
 * closing) and its benchmark's passes. Apart from the view so that a headless pass measures
 * itself the same way without loading ink or react.
 */

import { processCpuMs } from '../replay/cpu-time.js';

/** CPU milliseconds of the process so far (user and system, all threads). */
export const cpuMsNow = processCpuMs;

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
