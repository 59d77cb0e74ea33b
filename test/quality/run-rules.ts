/** Runs one rule (or a few) over in-memory records through the real loader, compiler and monitor. */
import { stringify } from 'yaml';
import { parseRules } from '../../src/quality/rules-file.js';
import { compileRules } from '../../src/quality/compile-rules.js';
import { QualityMonitor, type QualityReport } from '../../src/quality/monitor.js';
import type { CheckContext } from '../../src/quality/rule.js';

export interface RuleRun {
  /** 0-based indexes of the records that failed, per rule id. */
  readonly failed: Record<string, number[]>;
  readonly messages: string[];
  readonly report: QualityReport;
}

export async function runRules(
  rules: Array<Record<string, unknown>>,
  records: Array<Record<string, unknown>>,
  context: Omit<CheckContext, 'baseDir' | 'fields'> & { baseDir?: string } = {},
): Promise<RuleRun> {
  const set = parseRules(stringify({ rules }), 'test.yaml', context.baseDir ?? process.cwd());
  const monitor = new QualityMonitor(await compileRules(set, context), { examples: 100 });
  const failed: Record<string, number[]> = {};
  const messages: string[] = [];
  for (const rule of rules) failed[String(rule['id'])] = [];
  records.forEach((record, index) => {
    for (const failure of monitor.observe(record, index + 1)) {
      failed[failure.ruleId]!.push(index);
      messages.push(failure.message);
    }
  });
  return { failed, messages, report: monitor.report() };
}
