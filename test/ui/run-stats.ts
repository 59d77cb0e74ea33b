import type { RunStats } from '../../src/ui/live-state.js';

/** Run counters for UI tests: a run 1 s in, 10 records, 5 s of event time. */
export function stats(over: Partial<RunStats> = {}): RunStats {
  return {
    records: 10, deadLetters: 0, watermark: 0, maxEventTime: 5_000, minEventTime: 1_000, progress: 0.1,
    wallMs: 1_000, speed: 100, paused: false, idleMs: 0, ...over,
  };
}
