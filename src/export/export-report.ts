/**
 * What the exported script does not do as the engine does, per step: `unsupported` steps are left
 * out of the script (a comment block stands in their place), `differs` steps are exported with a
 * stated difference. Nothing is dropped silently: the command prints these to stderr (or as JSON).
 */
import { comment } from './sql-text.js';

export type FindingKind = 'unsupported' | 'differs';

export interface Finding {
  readonly step: string;
  readonly kind: FindingKind;
  /** Why Flink SQL cannot say it. */
  readonly reason: string;
  /** What to do instead (a spec change, the DataStream CEP API ...). */
  readonly suggestion: string;
}

export class ExportReport {
  readonly findings: Finding[] = [];

  add(step: string, kind: FindingKind, reason: string, suggestion: string): void {
    this.findings.push({ step, kind, reason, suggestion });
  }

  of(step: string): Finding[] {
    return this.findings.filter((f) => f.step === step);
  }

  /** The comment block placed in the script for a step's findings. */
  commentFor(step: string): string {
    const lines = this.of(step).map((f) => `${f.kind === 'unsupported' ? 'NOT EXPORTED' : 'DIFFERS'}: ${f.reason}\n  suggestion: ${f.suggestion}`);
    return lines.length === 0 ? '' : comment(lines.join('\n'));
  }

  /** One line per finding, for stderr. */
  text(): string {
    return this.findings.map((f) => `steps.${f.step}: ${f.kind === 'unsupported' ? 'not exported' : 'differs'}: ${f.reason}; ${f.suggestion}`).join('\n');
  }
}
