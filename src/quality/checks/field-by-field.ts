import { settle, type Verdict } from '../rule.js';
import { isMissing, type FieldRef } from '../field-path.js';
import type { FieldRow } from '../../replay/field-reader.js';

/** The issues found in one record: the score starts at 1 and each issue takes its penalty off. */
export class Issues {
  score = 1;
  message = '';

  add(issue: string, penalty: number): void {
    this.score -= penalty;
    this.message = this.message.length === 0 ? issue : `${this.message}; ${issue}`;
  }
}

/**
 * The evaluation shared by the per-field checks (value range, pattern, references, anomalies):
 * every configured field that is present and not null is tested (null and missing belong to
 * completeness); one Issues object is reused, so a passing record allocates nothing.
 */
export function fieldByField<F extends { readonly field: FieldRef }>(
  fields: readonly F[],
  test: (field: F, value: unknown, issues: Issues) => void,
): (row: FieldRow, verdict: Verdict) => boolean {
  const issues = new Issues();
  return (row, verdict) => {
    issues.score = 1;
    issues.message = '';
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      // Missing and null are skipped on the value's kind, before anything is decoded.
      if (!isMissing(row, field.field)) test(field, field.field.read(row), issues);
    }
    return settle(verdict, issues.score, issues.message);
  };
}
