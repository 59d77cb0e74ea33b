import Table from 'cli-table3';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity } from './rule.js';
import { CHECK_TYPES, severityRank } from './rule.js';
import { exitCodeFor, type RuleResult } from './monitor.js';
import type { CheckRun } from './check-run.js';

/** The three renderings of a check run: terminal tables, JSON (machine) and Markdown (a PR comment). */

const VERDICTS = ['PASS', 'WARN', 'FAIL'] as const;

export function verdictOf(run: CheckRun, failOn: Severity): { code: 0 | 1 | 2; verdict: (typeof VERDICTS)[number] } {
  const code = exitCodeFor(run.report, failOn);
  return { code, verdict: VERDICTS[code] };
}

export function renderJson(run: CheckRun, failOn: Severity): string {
  const { code, verdict } = verdictOf(run, failOn);
  const { report } = run;
  return `${JSON.stringify(
    {
      input: run.input,
      ruleSet: run.rulesSource,
      failOn,
      verdict,
      exitCode: code,
      records: report.records,
      malformed: report.malformed,
      checks: report.checks,
      score: report.score,
      failuresByType: report.failuresByType,
      rules: report.rules,
      ...(run.quarantined > 0 ? { quarantined: run.quarantined } : {}),
    },
    null,
    2,
  )}\n`;
}

export function renderMarkdown(run: CheckRun, failOn: Severity): string {
  const { verdict, code } = verdictOf(run, failOn);
  const { report } = run;
  const { score } = report;
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const out: string[] = [];
  out.push(`## Data quality: ${run.input} — ${verdict}`, '');
  out.push(`Rules: \`${run.rulesSource}\` · fail on: ${failOn} and above · exit ${code}`, '');
  out.push(`- Records: ${report.records} (malformed lines: ${report.malformed.count})`);
  out.push(`- Checks: ${report.checks.passed} passed, ${report.checks.failed} failed`);
  out.push(`- Score: ${fixed(score.ema)} (${score.basis}); average ${fixed(score.average)}, min ${fixed(score.min)}, max ${fixed(score.max)}`);
  out.push(`- Trend: ${score.direction} ${sparkline(score.trend)} (average record score per ${score.trendBatch} records)`, '');
  out.push('| Rule | Type | Severity | Status | Passed | Failed | First failing lines |', '|---|---|---|---|---:|---:|---|');
  for (const rule of report.rules) {
    out.push(`| ${cell(rule.id)} | ${rule.type} | ${rule.severity} | ${statusWord(rule, failOn)} | ${rule.passed} | ${rule.failed} | ${rule.firstFailures.map((f) => f.line).join(', ')} |`);
  }
  const failing = report.rules.filter((r) => r.firstFailures.length > 0);
  if (failing.length > 0) {
    out.push('', '### First failing records', '');
    for (const rule of failing) {
      out.push(`- **${cell(rule.id)}** — ${cell(rule.summary)}`);
      for (const f of rule.firstFailures) out.push(`  - line ${f.line}: ${cell(f.message)}`);
    }
  }
  out.push('', '### Failures by check type', '', '| Check type | Failed records |', '|---|---:|');
  for (const type of CHECK_TYPES) out.push(`| ${type} | ${report.failuresByType[type] ?? 0} |`);
  if (report.malformed.count > 0) {
    out.push('', `### Malformed lines (${report.malformed.count})`, '');
    for (const m of report.malformed.first) out.push(`- line ${m.line}: ${cell(m.reason)}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderTerminal(run: CheckRun, failOn: Severity, color: boolean): string {
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  const { verdict, code } = verdictOf(run, failOn);
  const { report } = run;
  const { score } = report;
  const out: string[] = [];
  out.push(`${c.bold('sw quality check')} ${run.input}  rules: ${run.rulesSource}${run.rulesSource.startsWith('default:') ? ' (chosen from the records\' fields; give --rules to choose)' : ''}`);
  out.push(`records ${report.records}  malformed ${report.malformed.count}  checks passed ${report.checks.passed}  failed ${report.checks.failed}`);
  out.push(
    `score ${c.bold(fixed(score.ema))} (${score.basis})  avg ${fixed(score.average)}  min ${fixed(score.min)}  max ${fixed(score.max)}`,
  );
  out.push(`trend ${score.direction} ${sparkline(score.trend)}  (average record score per ${score.trendBatch} records)`);

  const table = new Table({
    head: ['rule', 'type', 'severity', 'status', 'passed', 'failed', 'first failing lines'],
    style: { head: [], border: [] },
    colAligns: ['left', 'left', 'left', 'left', 'right', 'right', 'left'],
  });
  for (const rule of report.rules) {
    const word = statusWord(rule, failOn);
    const painted = word === 'FAIL' ? c.red.bold(word) : word === 'WARN' ? c.yellow(word) : word === 'PASS' ? c.green(word) : c.dim(word);
    table.push([rule.id, rule.type, rule.severity, painted, String(rule.passed), String(rule.failed), rule.firstFailures.map((f) => f.line).join(', ')]);
  }
  out.push(table.toString());

  const failing = report.rules.filter((r) => r.firstFailures.length > 0);
  if (failing.length > 0) {
    out.push(c.bold('first failing records'));
    for (const rule of failing) {
      out.push(`  ${rule.id}: ${rule.summary}`);
      for (const f of rule.firstFailures) out.push(`    line ${f.line}: ${f.message}`);
    }
  }
  const byType = CHECK_TYPES.filter((t) => (report.failuresByType[t] ?? 0) > 0).map((t) => `${t} ${report.failuresByType[t]}`);
  out.push(`failures by check type: ${byType.length > 0 ? byType.join('  ') : 'none'}`);
  if (report.malformed.count > 0) {
    out.push(c.yellow(`malformed lines: ${report.malformed.count}`));
    for (const m of report.malformed.first) out.push(`    line ${m.line}: ${m.reason}`);
  }
  if (run.quarantined > 0) out.push(`quarantined ${run.quarantined} lines`);
  const paint = code === 2 ? c.red.bold : code === 1 ? c.yellow.bold : c.green.bold;
  out.push(paint(`${verdict}${code === 2 ? ` (failing rules at or above ${failOn})` : code === 1 ? ' (warnings only)' : ''}`));
  return `${out.join('\n')}\n`;
}

/** PASS, WARN (failed below --fail-on) or FAIL (failed at or above it), or NO DATA. */
function statusWord(rule: RuleResult, failOn: Severity): string {
  if (rule.status !== 'FAIL') return rule.status;
  return severityRank(rule.severity) >= severityRank(failOn) ? 'FAIL' : 'WARN';
}

const BARS = '▁▂▃▄▅▆▇█';

/** Bars scaled between the points' own min and max (at least 0.05 apart, so noise stays flat). */
export function sparkline(points: readonly number[]): string {
  if (points.length === 0) return '';
  let low = Math.min(...points);
  let high = Math.max(...points);
  if (high - low < 0.05) {
    high = Math.min(1, Math.max(high, low + 0.05));
    low = high - 0.05;
  }
  return points.map((p) => BARS[Math.max(0, Math.min(7, Math.round(((p - low) / (high - low)) * 7)))]).join('');
}

function fixed(value: number): string {
  return value.toFixed(3);
}
