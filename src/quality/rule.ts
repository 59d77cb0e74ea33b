import { InputError } from '../errors.js';
import type { FieldRow } from '../replay/field-reader.js';
import type { FieldSlots } from './field-path.js';

/**
 * The data-quality rule model of seeds-digest.md §6 (source: 002, data_quality_monitoring.py):
 * a rule is {id, type, description, config, severity, enabled}; a check evaluates one record
 * and answers passed + a score in [0, 1] + a message when it fails.
 */

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export const CHECK_TYPES = [
  'schema',
  'completeness',
  'freshness',
  'value_range',
  'pattern',
  'duplicates',
  'referential_integrity',
  'statistical_anomaly',
] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

/** The document's enum values, accepted as aliases so its rule sets load unchanged. */
export const CHECK_TYPE_ALIASES: Readonly<Record<string, CheckType>> = {
  schema_validation: 'schema',
  data_completeness: 'completeness',
  data_freshness: 'freshness',
  range: 'value_range',
  pattern_matching: 'pattern',
  duplicate_detection: 'duplicates',
  reference: 'referential_integrity',
  anomaly: 'statistical_anomaly',
};

/**
 * Only records matching `when` are checked by the rule (mixed streams: orders and products in one
 * file). `any` matches when one of its filters does: `{any: [{field: stream, equals: order},
 * {field: order_id, present: true}]}` still selects an order that lost one of the two fields.
 */
export type RecordFilter = FieldFilter | { readonly any: readonly FieldFilter[] };

export interface FieldFilter {
  readonly field: string;
  /** true: the field must be present and not null; false: absent or null. */
  readonly present?: boolean;
  readonly equals?: unknown;
  readonly in?: readonly unknown[];
}

/** A rule as written in a rules file, validated. `config` is checked by the rule's check type. */
export interface RuleSpec {
  readonly id: string;
  readonly type: CheckType;
  readonly description: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly severity: Severity;
  readonly enabled: boolean;
  readonly when?: RecordFilter;
  /** Share of evaluated records allowed to fail before the rule fails (default 0). */
  readonly maxFailRatio: number;
  /** 0-based position in the file's rule list, for error messages. */
  readonly index: number;
  /** `file:line` where the rule starts, for error messages. */
  readonly at: string;
}

export interface RuleSet {
  /** Where the rules came from: a path, or `default:<domain>` for a built-in set. */
  readonly source: string;
  /** The folder relative paths in the rules (reference files) resolve against. */
  readonly baseDir: string;
  readonly rules: readonly RuleSpec[];
}

/**
 * Reused by every check for every record so a passing record allocates nothing:
 * a check sets `score` (and `message` when it fails) and returns whether the record passed.
 */
export interface Verdict {
  score: number;
  message: string;
}

export interface Check {
  /**
   * The top-level fields the check reads ('all' when it needs whole records: strict schema,
   * completeness of '*'), so the scan can decode only those (src/replay/field-reader.ts).
   */
  readonly reads: readonly string[] | 'all';
  /**
   * Evaluates one record, given as its row of read fields (`row.record` is the whole record when
   * `reads` is 'all').
   */
  evaluate(row: FieldRow, verdict: Verdict): boolean;
  /** Stream-level outcome decided only at the end (completeness ratios); undefined = by record counts. */
  finish?(evaluated: number): StreamVerdict;
  /** Numbers worth showing in the report (null ratios, window size, evictions). */
  details?(evaluated: number): Record<string, unknown>;
}

export interface StreamVerdict {
  readonly passed: boolean;
  readonly message: string;
}

/** Thrown for a bad rules file; the command maps it to exit 3 as cli-contract.md fixes for `quality check`. */
export class RulesError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'RulesError';
  }
}

/** What compiling a rule may need beyond its config. */
export interface CheckContext {
  /** Folder that relative reference paths resolve against (the rules file's folder). */
  readonly baseDir: string;
  /** Where the rule set's fields get their row index (FieldSlots.ref); one per compiled set. */
  readonly fields: FieldSlots;
  /**
   * The wall clock for live input (`--now`); absent, freshness is measured against the stream's
   * own event-time clock (the largest event time seen so far), so a replayed recording is judged
   * as it was when it was recorded.
   */
  readonly now?: () => number;
}

/** Ends an evaluation: records the score (floored at 0) and, when there are issues, the message. */
export function settle(verdict: Verdict, score: number, message: string): boolean {
  verdict.score = score > 0 ? score : 0;
  if (message.length === 0) return true;
  verdict.message = message;
  return false;
}


/** Top-level names of dotted field paths: `location.latitude` is read as `location`. */
export function topLevel(paths: readonly string[]): string[] {
  return [...new Set(paths.map((path) => path.split('.')[0]!))];
}
