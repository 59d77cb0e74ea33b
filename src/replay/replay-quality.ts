/**
 * `sw replay ... --quality rules.yaml`: the data-quality checks of `sw quality check`, run on
 * every line the replay reads, in the same pass. Every non-blank line is taken as `sw quality
 * check` takes it (parseRecordLine): a JSON object is a record, dead-lettered or outside
 * --from/--to included, anything else a malformed line; and it keeps its line number in the
 * file (a SQLite recording's seq). So the report, `--quality-report`, equals `sw quality check
 * --json` on the same file. Freshness uses the stream's event-time clock: a replay replays a
 * recording. The live view shows the monitor's snapshot; headless runs print its headline.
 */
import { loadRulesFile } from '../quality/rules-file.js';
import { compileRules } from '../quality/compile-rules.js';
import { qualityHeadline } from '../quality/live-quality.js';
import { QualityMonitor, type QualitySnapshot } from '../quality/monitor.js';
import { parseRecordLine } from '../quality/record-stream.js';
import type { CheckRun } from '../quality/check-run.js';
import type { Replay } from './replay.js';

export interface ReplayQuality {
  readonly monitor: QualityMonitor;
  snapshot(): QualitySnapshot;
  headline(): string;
  /** The report so far, shaped as `sw quality check`'s run over `input`. */
  run(input: string): CheckRun;
}

export async function attachQuality(replay: Replay, rulesPath: string): Promise<ReplayQuality> {
  const set = await loadRulesFile(rulesPath);
  const monitor = new QualityMonitor(await compileRules(set));
  replay.onLine((buffer, start, end, line) => {
    const parsed = parseRecordLine(buffer.toString('utf8', start, end));
    if (typeof parsed === 'string') monitor.observeMalformed(line, parsed);
    else monitor.observe(parsed, line);
  });
  return {
    monitor,
    snapshot: () => monitor.snapshot(),
    headline: () => qualityHeadline(monitor.snapshot()),
    run: (input) => ({ input, rulesSource: set.source, report: monitor.report(), quarantined: 0 }),
  };
}
