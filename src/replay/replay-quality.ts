/**
 * `sw replay ... --quality rules.yaml`: the data-quality checks of `sw quality check`, run on
 * every record the replay reads, in the same pass. The live view shows the monitor's snapshot;
 * headless runs print its headline in the summary.
 */
import { openQualityMonitor, qualityHeadline } from '../quality/live-quality.js';
import type { QualityMonitor, QualitySnapshot } from '../quality/monitor.js';
import type { Replay } from './replay.js';

export interface ReplayQuality {
  readonly monitor: QualityMonitor;
  snapshot(): QualitySnapshot;
  headline(): string;
}

export async function attachQuality(replay: Replay, rulesPath: string): Promise<ReplayQuality> {
  const monitor = await openQualityMonitor(rulesPath);
  let line = 0;
  // Records reach this listener after the replay parsed them, so JSON.parse cannot fail here.
  replay.onInput((value) => {
    line++;
    monitor.observe(JSON.parse(value) as Record<string, unknown>, line);
  });
  return {
    monitor,
    snapshot: () => monitor.snapshot(),
    headline: () => qualityHeadline(monitor.snapshot()),
  };
}
