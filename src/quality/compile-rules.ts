import { topLevel, type Check, type CheckContext, type CheckType, type FieldFilter, type RecordFilter, type RuleSet, type RuleSpec } from './rule.js';
import { RuleConfig } from './rule-config.js';
import { fieldReader, valueKey } from './field-path.js';
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
  readonly applies: ((record: Record<string, unknown>) => boolean) | undefined;
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
export async function compileRules(ruleSet: RuleSet, context: Omit<CheckContext, 'baseDir'> = {}): Promise<CompiledRule[]> {
  const full: CheckContext = { ...context, baseDir: ruleSet.baseDir };
  const compiled: CompiledRule[] = [];
  for (const spec of ruleSet.rules) {
    // Disabled rules are still validated, so switching one on later cannot surface a stale config.
    const check = await COMPILERS[spec.type](new RuleConfig(spec.at, spec.id, spec.index, spec.config), full);
    if (!spec.enabled) continue;
    const filterFields = spec.when === undefined ? [] : 'any' in spec.when ? spec.when.any.map((f) => f.field) : [spec.when.field];
    const reads = check.reads === 'all' ? 'all' : topLevel([...check.reads, ...filterFields]);
    compiled.push({ spec, check, reads, applies: spec.when ? compileFilter(spec.when) : undefined });
  }
  return compiled;
}

function compileFilter(filter: RecordFilter): (record: Record<string, unknown>) => boolean {
  if ('any' in filter) {
    const tests = filter.any.map(compileFieldFilter);
    return (record) => tests.some((test) => test(record));
  }
  return compileFieldFilter(filter);
}

function compileFieldFilter(filter: FieldFilter): (record: Record<string, unknown>) => boolean {
  const read = fieldReader(filter.field);
  if (filter.present !== undefined) {
    const wanted = filter.present;
    return (record) => {
      const value = read(record);
      return (value !== undefined && value !== null) === wanted;
    };
  }
  if (filter.in !== undefined) {
    const allowed = new Set(filter.in.map(valueKey));
    return (record) => {
      const value = read(record);
      return value !== undefined && value !== null && allowed.has(valueKey(value));
    };
  }
  const raw = filter.equals;
  const wanted = valueKey(raw);
  return (record) => {
    const value = read(record);
    if (value === raw) return true;
    // Same type but unequal primitives cannot match by string form either; skip building one.
    if (value === undefined || value === null || (typeof value === typeof raw && typeof value !== 'object')) return false;
    return valueKey(value) === wanted;
  };
}
