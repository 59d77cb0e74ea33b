import { severityRank, type Severity } from './rule.js';
import { loadRulesFile } from './rules-file.js';
import { compileRules } from './compile-rules.js';
import { QualityMonitor, type QualitySnapshot } from './monitor.js';

/**
 * The quality side of a live replay (`sw replay … --quality rules.yaml`): load, validate and
 * compile a rules file in one call, then feed the monitor each record the replay reads.
 * Freshness uses the stream's event-time clock unless `now` is given (live Kafka input).
 */
export async function openQualityMonitor(rulesPath: string, options: { now?: () => number; examples?: number } = {}): Promise<QualityMonitor> {
  const set = await loadRulesFile(rulesPath);
  const compiled = await compileRules(set, options.now ? { now: options.now } : {});
  return new QualityMonitor(compiled, options.examples !== undefined ? { examples: options.examples } : {});
}

/** One line per panel row, for a narrow live panel: `score 0.982 · 12,000 records · 2 failing`. */
export function qualityHeadline(snapshot: QualitySnapshot, failOn: Severity = 'HIGH'): string {
  const failing = snapshot.rules.filter((r) => r.status === 'FAIL');
  const severe = failing.filter((r) => severityRank(r.severity) >= severityRank(failOn)).length;
  const parts = [`score ${snapshot.score.toFixed(3)}`, `${snapshot.records.toLocaleString('en-US')} records`];
  if (snapshot.malformed > 0) parts.push(`${snapshot.malformed} malformed`);
  parts.push(failing.length === 0 ? 'all rules pass' : `${failing.length} failing (${severe} at or above ${failOn})`);
  return parts.join(' · ');
}
