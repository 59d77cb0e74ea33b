import type { OutputRecord } from '../../src/engine/operator.js';
import type { LiveAction, RunStats, StepCountersView } from '../../src/ui/live-state.js';
import type { PendingOutputs } from '../../src/ui/pending-outputs.js';
import type { ReplayControls } from '../../src/ui/key-commands.js';

/** Run counters for UI tests: a run 1 s in, 10 records, 5 s of event time. */
export function stats(over: Partial<RunStats> = {}): RunStats {
  return {
    records: 10, deadLetters: 0, watermark: 0, maxEventTime: 5_000, minEventTime: 1_000, progress: 0.1,
    wallMs: 1_000, speed: 100, paused: false, idleMs: 0, ...over,
  };
}

/**
 * The frame action of `outputs` as the runner makes it: through the run's pending outputs (window
 * results folded from the ring, the feed's last items, timeouts counted since the start).
 */
export function frameOf(pending: PendingOutputs, outputs: readonly OutputRecord[], runStats: RunStats, counters: readonly StepCountersView[]): Extract<LiveAction, { type: 'frame' }> {
  for (const record of outputs) pending.add(record);
  return pending.frame(runStats, counters);
}

/** Controls that record what the keys asked of the replay. */
export function recordingControls() {
  const calls: string[] = [];
  const controls: ReplayControls = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    step: () => calls.push('step'),
    setSpeed: (s) => calls.push(`speed ${s}`),
    quit: () => calls.push('quit'),
  };
  return { calls, controls };
}
