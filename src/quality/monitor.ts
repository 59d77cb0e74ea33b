import type { CheckType, RuleSpec, Severity, Verdict } from './rule.js';
import { CHECK_TYPES, SEVERITIES, severityRank } from './rule.js';
import type { CompiledRule } from './compile-rules.js';
import { QualityScore, type ScoreSummary } from './score.js';
import { FieldRow } from '../replay/field-reader.js';
import type { FieldSlots } from './field-path.js';

/**
 * Runs a rule set over a stream one record at a time (002 `StreamingDataQualityMonitor`):
 * `observe(record, line)` evaluates every enabled rule, tallies pass/fail, keeps the first failing
 * lines per rule and feeds the score; `snapshot()` is cheap enough for a live panel, `report()`
 * closes the stream-level verdicts (completeness ratios) and can be called again later.
 * Memory: counters and up to `examples` failures per rule, plus what the checks hold
 * (the duplicate window, the anomaly ring buffers) — constant in the stream's length.
 */
export interface RuleFailure {
  readonly ruleId: string;
  readonly message: string;
}

export interface FailureExample {
  readonly line: number;
  readonly message: string;
}

export type RuleStatus = 'PASS' | 'FAIL' | 'NO DATA';

export interface RuleResult {
  readonly id: string;
  readonly type: CheckType;
  readonly severity: Severity;
  readonly description: string;
  readonly status: RuleStatus;
  /** Why the rule passed or failed, one line. */
  readonly summary: string;
  readonly evaluated: number;
  readonly passed: number;
  readonly failed: number;
  readonly averageScore: number;
  readonly firstFailures: readonly FailureExample[];
  readonly details: Readonly<Record<string, unknown>>;
}

export interface MalformedLine {
  readonly line: number;
  readonly reason: string;
}

export interface QualitySnapshot {
  readonly records: number;
  readonly malformed: number;
  /** The per-record EMA (α = 0.1). */
  readonly score: number;
  readonly rules: ReadonlyArray<{
    readonly id: string;
    readonly type: CheckType;
    readonly severity: Severity;
    readonly evaluated: number;
    readonly failed: number;
    /** The rule's status if the stream ended now. */
    readonly status: RuleStatus;
  }>;
}

export interface QualityReport {
  readonly records: number;
  readonly malformed: { readonly count: number; readonly first: readonly MalformedLine[] };
  readonly checks: { readonly passed: number; readonly failed: number };
  readonly score: ScoreSummary & { readonly basis: string };
  readonly rules: readonly RuleResult[];
  readonly failuresByType: Readonly<Record<string, number>>;
}

export interface MonitorOptions {
  /** First failing records kept per rule (default 5). */
  readonly examples?: number;
}

interface Tally {
  readonly rule: CompiledRule;
  evaluated: number;
  failed: number;
  scoreSum: number;
  readonly examples: FailureExample[];
}

const NO_FAILURES: readonly RuleFailure[] = Object.freeze([]);

export class QualityMonitor {
  private readonly tallies: Tally[];
  private readonly score = new QualityScore();
  private readonly verdict: Verdict = { score: 1, message: '' };
  private readonly examples: number;
  private records = 0;
  private malformedCount = 0;
  private readonly malformedFirst: MalformedLine[] = [];

  constructor(rules: readonly CompiledRule[], options: MonitorOptions = {}) {
    this.tallies = rules.map((rule) => ({ rule, evaluated: 0, failed: 0, scoreSum: 0, examples: [] }));
    this.examples = options.examples ?? 5;
    const names = rules[0]?.fields.names ?? [];
    if (rules.some((rule) => rule.fields.names !== names)) throw new Error('QualityMonitor: rules compiled by different compileRules calls');
    this.row = new FieldRow([...names]);
    this.fields = rules[0]?.fields;
    this.reads = rules.some((rule) => rule.reads === 'all') ? 'all' : this.row.names;
  }

  /**
   * Top-level fields any rule reads, in row order, or 'all' (a rule needs whole records): a
   * RowReader created with this list fills rows observeRow accepts. Fixed per monitor.
   */
  readonly reads: readonly string[] | 'all';
  /** The row a parsed record is copied into (observe). */
  private readonly row: FieldRow;
  private readonly fields: FieldSlots | undefined;

  /** Prepares a RowReader's row (created with `reads`) for observeRow: nested-field projections. */
  prepareRow(row: FieldRow): void {
    this.fields?.project(row);
  }

  get ruleSpecs(): readonly RuleSpec[] {
    return this.tallies.map((t) => t.rule.spec);
  }

  /** Checks one record; returns the rules it failed (a shared empty list when it passed them all). */
  observe(record: Record<string, unknown>, line: number): readonly RuleFailure[] {
    this.row.fromRecord(record);
    return this.observeRow(this.row, line);
  }

  /**
   * Checks one record given as a row laid out as `reads` (a RowReader's row, straight from the
   * line's bytes); `row.record` must be set when `reads` is 'all'.
   */
  observeRow(row: FieldRow, line: number): readonly RuleFailure[] {
    this.records++;
    const verdict = this.verdict;
    let failures: RuleFailure[] | undefined;
    let scoreSum = 0;
    let scored = 0;
    const tallies = this.tallies;
    for (let i = 0; i < tallies.length; i++) {
      const tally = tallies[i]!;
      const { rule } = tally;
      if (rule.applies !== undefined && !rule.applies(row)) continue;
      verdict.score = 1;
      const passed = rule.check.evaluate(row, verdict);
      tally.evaluated++;
      tally.scoreSum += verdict.score;
      scoreSum += verdict.score;
      scored++;
      if (passed) continue;
      tally.failed++;
      if (tally.examples.length < this.examples) tally.examples.push({ line, message: verdict.message });
      (failures ??= []).push({ ruleId: rule.spec.id, message: verdict.message });
    }
    if (scored > 0) this.score.add(scoreSum / scored);
    return failures ?? NO_FAILURES;
  }

  /** A line that is not a JSON object: counted and listed, never fatal. */
  observeMalformed(line: number, reason: string): void {
    this.malformedCount++;
    if (this.malformedFirst.length < this.examples) this.malformedFirst.push({ line, reason });
  }

  /** Counters and statuses for a live panel: O(rules), no copies of examples. */
  snapshot(): QualitySnapshot {
    return {
      records: this.records,
      malformed: this.malformedCount,
      score: this.score.current,
      rules: this.tallies.map((t) => ({
        id: t.rule.spec.id,
        type: t.rule.spec.type,
        severity: t.rule.spec.severity,
        evaluated: t.evaluated,
        failed: t.failed,
        status: statusOf(t).status,
      })),
    };
  }

  report(): QualityReport {
    const failuresByType: Record<string, number> = {};
    for (const type of CHECK_TYPES) failuresByType[type] = 0;
    let passedChecks = 0;
    let failedChecks = 0;
    const rules = this.tallies.map((tally): RuleResult => {
      const { spec, check } = tally.rule;
      failuresByType[spec.type]! += tally.failed;
      passedChecks += tally.evaluated - tally.failed;
      failedChecks += tally.failed;
      const { status, summary } = statusOf(tally);
      return {
        id: spec.id,
        type: spec.type,
        severity: spec.severity,
        description: spec.description,
        status,
        summary,
        evaluated: tally.evaluated,
        passed: tally.evaluated - tally.failed,
        failed: tally.failed,
        averageScore: tally.evaluated === 0 ? 1 : tally.scoreSum / tally.evaluated,
        firstFailures: [...tally.examples],
        details: check.details?.(tally.evaluated) ?? {},
      };
    });
    return {
      records: this.records,
      malformed: { count: this.malformedCount, first: [...this.malformedFirst] },
      checks: { passed: passedChecks, failed: failedChecks },
      score: { ...this.score.summary(), basis: 'per-record score (mean of its rules), EMA α = 0.1' },
      rules,
      failuresByType,
    };
  }
}

function statusOf(tally: Tally): { status: RuleStatus; summary: string } {
  const { spec, check } = tally.rule;
  if (tally.evaluated === 0) return { status: 'NO DATA', summary: spec.when ? 'no record matched its when filter' : 'no records' };
  if (check.finish !== undefined) {
    const verdict = check.finish(tally.evaluated);
    return { status: verdict.passed ? 'PASS' : 'FAIL', summary: verdict.message };
  }
  const ratio = tally.failed / tally.evaluated;
  if (tally.failed === 0) return { status: 'PASS', summary: `all ${tally.evaluated} records passed` };
  const share = `${tally.failed} of ${tally.evaluated} records failed (${(ratio * 100).toFixed(2)}%)`;
  if (ratio <= spec.maxFailRatio) return { status: 'PASS', summary: `${share}, within max_fail_ratio ${spec.maxFailRatio}` };
  return { status: 'FAIL', summary: share };
}

/**
 * The exit code cli-contract.md fixes for `quality check`: 0 all pass, 1 warnings only (failing
 * rules below `failOn`, or malformed lines), 2 a failing rule at or above `failOn`.
 */
export function exitCodeFor(report: QualityReport, failOn: Severity): 0 | 1 | 2 {
  const threshold = severityRank(failOn);
  let code: 0 | 1 | 2 = report.malformed.count > 0 ? 1 : 0;
  for (const rule of report.rules) {
    if (rule.status !== 'FAIL') continue;
    if (severityRank(rule.severity) >= threshold) return 2;
    code = 1;
  }
  return code;
}

export function parseSeverity(value: string): Severity | undefined {
  const upper = value.toUpperCase();
  return (SEVERITIES as readonly string[]).includes(upper) ? (upper as Severity) : undefined;
}
