import { topLevel, type Check, type CheckContext, type CheckType, type FieldFilter, type RecordFilter, type RuleSet, type RuleSpec } from './rule.js';
import { RuleConfig } from './rule-config.js';
import { FieldSlots, isMissing, valueKey } from './field-path.js';
import type { FieldRow } from '../replay/field-reader.js';
import { compileSchema } from './checks/schema.js';
import { compileCompleteness } from './checks/completeness.js';
import { compileFreshness } from './checks/freshness.js';
import { compileValueRange } from './checks/value-range.js';
import { compilePattern } from './checks/pattern.js';
import { compileDuplicates } from './checks/duplicates.js';
import { compileReferentialIntegrity } from './checks/referential-integrity.js';
import { compileStatisticalAnomaly } from './checks/statistical-anomaly.js';

/** A rule ready to run: its spec, its check (with the check's own state) and its record filter. */
export interface CompiledRule {
  readonly spec: RuleSpec;
  /** Top-level fields the rule reads, its `when` included; 'all' for whole records. */
  readonly reads: readonly string[] | 'all';
  readonly check: Check;
  /** undefined: every record. */
  readonly applies: ((row: FieldRow) => boolean) | undefined;
  /** The row layout shared by every rule of the set (the monitor's rows follow it). */
  readonly fields: FieldSlots;
}

type Compiler = (config: RuleConfig, context: CheckContext) => Check | Promise<Check>;

const COMPILERS: Readonly<Record<CheckType, Compiler>> = {
  schema: compileSchema,
  completeness: compileCompleteness,
  freshness: compileFreshness,
  value_range: compileValueRange,
  pattern: compilePattern,
  duplicates: compileDuplicates,
  referential_integrity: compileReferentialIntegrity,
  statistical_anomaly: compileStatisticalAnomaly,
};

/**
 * Compiles the enabled rules of a set: validates every config (a bad one throws RulesError naming
 * the file, line, rule and key) and loads reference sets. Each call gives fresh check state, so a
 * compiled list belongs to one stream.
 */
export async function compileRules(ruleSet: RuleSet, context: Omit<CheckContext, 'baseDir' | 'fields'> = {}): Promise<CompiledRule[]> {
  const fields = new FieldSlots();
  const full: CheckContext = { ...context, baseDir: ruleSet.baseDir, fields };
  const compiled: CompiledRule[] = [];
  for (const spec of ruleSet.rules) {
    // Disabled rules are still validated, so switching one on later cannot surface a stale config.
    // A disabled rule registers its fields in a throwaway layout: records are not decoded for it.
    const check = await COMPILERS[spec.type](new RuleConfig(spec.at, spec.id, spec.index, spec.config), spec.enabled ? full : { ...full, fields: new FieldSlots() });
    if (!spec.enabled) continue;
    const filterFields = spec.when === undefined ? [] : 'any' in spec.when ? spec.when.any.map((f) => f.field) : [spec.when.field];
    const reads = check.reads === 'all' ? 'all' : topLevel([...check.reads, ...filterFields]);
    compiled.push({ spec, check, reads, applies: spec.when ? compileFilter(spec.when, fields) : undefined, fields });
  }
  return compiled;
}

function compileFilter(filter: RecordFilter, fields: FieldSlots): (row: FieldRow) => boolean {
  if ('any' in filter) {
    const tests = filter.any.map((f) => compileFieldFilter(f, fields));
    return (row) => {
      for (let i = 0; i < tests.length; i++) if (tests[i]!(row)) return true;
      return false;
    };
  }
  return compileFieldFilter(filter, fields);
}

function compileFieldFilter(filter: FieldFilter, fields: FieldSlots): (row: FieldRow) => boolean {
  const field = fields.ref(filter.field, filter.present !== undefined ? 'kind' : 'value');
  if (filter.present !== undefined) {
    // Presence needs the value's kind only: the value itself stays undecoded.
    const wanted = filter.present;
    return (row) => !isMissing(row, field) === wanted;
  }
  if (filter.in !== undefined) {
    const allowed = new Set(filter.in.map(valueKey));
    return (row) => {
      if (isMissing(row, field)) return false;
      return allowed.has(valueKey(field.read(row)));
    };
  }
  const raw = filter.equals;
  const wanted = valueKey(raw);
  return (row) => {
    if (isMissing(row, field)) return false;
    const value = field.read(row);
    if (value === raw) return true;
    // Same type but unequal primitives cannot match by string form either; skip building one.
    if (value === undefined || value === null || (typeof value === typeof raw && typeof value !== 'object')) return false;
    return valueKey(value) === wanted;
  };
}
