import { settle, type Verdict } from '../rule.js';
import type { FieldReader } from '../field-path.js';

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
export function fieldByField<F extends { readonly read: FieldReader }>(
  fields: readonly F[],
  test: (field: F, value: unknown, issues: Issues) => void,
): (record: Record<string, unknown>, verdict: Verdict) => boolean {
  const issues = new Issues();
  return (record, verdict) => {
    issues.score = 1;
    issues.message = '';
    for (const field of fields) {
      const value = field.read(record);
      if (value !== undefined && value !== null) test(field, value, issues);
    }
    return settle(verdict, issues.score, issues.message);
  };
}
