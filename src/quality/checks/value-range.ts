import { topLevel, type Check, type CheckContext } from '../rule.js';
import { fieldByField } from './field-by-field.js';
import { RuleConfig, checkNumber, show } from '../rule-config.js';
import type { FieldRef } from '../field-path.js';

/**
 * Value-range check (002 `_check_value_range`): per field `min`, `max` (numbers, inclusive) and
 * `allowed_values`; 0.2 off the score per violation as the document. A missing or null field is
 * skipped (completeness owns it); a non-number under min/max is a violation.
 */
interface RangedField {
  readonly name: string;
  readonly field: FieldRef;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly allowed: ReadonlySet<unknown> | undefined;
}

export function compileValueRange(config: RuleConfig, context: CheckContext): Check {
  config.onlyKeys(['field_ranges']);
  const fields: RangedField[] = config.fieldMap('field_ranges').map(([name, setting]) => {
    const path = `field_ranges.${name}`;
    if (setting === null || typeof setting !== 'object' || Array.isArray(setting)) {
      throw config.error(path, `expected {min, max, allowed_values}, got ${show(setting)}`);
    }
    const range = setting as Record<string, unknown>;
    for (const key of Object.keys(range)) {
      if (key !== 'min' && key !== 'max' && key !== 'allowed_values') throw config.error(`${path}.${key}`, 'unknown key; expected min, max or allowed_values');
    }
    const min = range['min'] === undefined || range['min'] === null ? undefined : checkNumber(config, `${path}.min`, range['min']);
    const max = range['max'] === undefined || range['max'] === null ? undefined : checkNumber(config, `${path}.max`, range['max']);
    if (min !== undefined && max !== undefined && min > max) throw config.error(path, `min ${min} is above max ${max}; swap them`);
    let allowed: Set<unknown> | undefined;
    if (range['allowed_values'] !== undefined && range['allowed_values'] !== null) {
      if (!Array.isArray(range['allowed_values']) || range['allowed_values'].length === 0) {
        throw config.error(`${path}.allowed_values`, `expected a non-empty list, got ${show(range['allowed_values'])}`);
      }
      allowed = new Set(range['allowed_values']);
    }
    if (min === undefined && max === undefined && allowed === undefined) throw config.error(path, 'checks nothing; give min, max or allowed_values');
    return { name, field: context.fields.ref(name), min, max, allowed };
  });

  return {
    reads: topLevel(fields.map((f) => f.name)),
    evaluate: fieldByField(fields, (field, value, issues) => {
      if (field.min !== undefined || field.max !== undefined) {
        if (typeof value !== 'number') issues.add(`${field.name} ${show(value)} is not a number`, 0.2);
        else if (field.min !== undefined && value < field.min) issues.add(`${field.name} ${value} < min ${field.min}`, 0.2);
        else if (field.max !== undefined && value > field.max) issues.add(`${field.name} ${value} > max ${field.max}`, 0.2);
      }
      if (field.allowed !== undefined && !field.allowed.has(value)) issues.add(`${field.name} ${show(value)} not in allowed values`, 0.2);
    }),
  };
}
