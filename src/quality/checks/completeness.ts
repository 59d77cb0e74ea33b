import { topLevel, type Check, type CheckContext, type StreamVerdict, type Verdict } from '../rule.js';
import { RuleConfig, checkNumber } from '../rule-config.js';
import { isEmptyField, isEmptyValue, type FieldRef } from '../field-path.js';
import type { FieldRow } from '../../replay/field-reader.js';

/**
 * Completeness check (002 `_check_data_completeness`): the share of records whose field is null,
 * missing or blank must stay at or below `max_null_ratio` (default 0.1, the document's), per field;
 * `fields` may be a list (one threshold) or a map field → its own threshold, or `'*'` for every
 * top-level field a record carries. The rule's verdict is the stream-level ratio; a record with an
 * empty field is listed as an example, and its score is the share of its checked fields that are filled.
 */
interface CountedField {
  readonly name: string;
  readonly maxRatio: number;
  empty: number;
}

/** '*' tracks field names as they appear; a record with thousands of distinct keys would be a map, not a schema. */
const MAX_WILDCARD_FIELDS = 1000;

interface ReadField extends CountedField {
  readonly field: FieldRef;
}

export function compileCompleteness(config: RuleConfig, context: CheckContext): Check {
  config.onlyKeys(['fields', 'max_null_ratio']);
  const defaultMax = config.number('max_null_ratio', { fallback: 0.1, min: 0, max: 1 });
  const raw = config.config['fields'];
  if (raw === '*' || raw === undefined || raw === null) return wildcard(defaultMax);
  const fields: ReadField[] =
    typeof raw === 'object' && !Array.isArray(raw)
      ? config.fieldMap('fields').map(([name, ratio]) => ({
          name,
          field: context.fields.ref(name, 'kind'),
          maxRatio: checkNumber(config, `fields.${name}`, ratio, 0, 1),
          empty: 0,
        }))
      : config.fieldList('fields').map((name) => ({ name, field: context.fields.ref(name, 'kind'), maxRatio: defaultMax, empty: 0 }));

  return {
    reads: topLevel(fields.map((f) => f.name)),
    evaluate(row: FieldRow, verdict: Verdict): boolean {
      let empty = 0;
      let message = '';
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        if (isEmptyField(row, field.field)) {
          field.empty++;
          empty++;
          message += `${message ? ', ' : ''}${field.name}`;
        }
      }
      verdict.score = 1 - empty / fields.length;
      if (empty === 0) return true;
      verdict.message = `empty: ${message}`;
      return false;
    },
    finish: (evaluated) => verdictOf(fields, evaluated),
    details: (evaluated) => ({ null_ratio: ratios(fields, evaluated) }),
  };
}

function wildcard(maxRatio: number): Check {
  const byName = new Map<string, CountedField>();
  let overflow = false;
  return {
    reads: 'all',
    evaluate(row: FieldRow, verdict: Verdict): boolean {
      const record = row.record!;
      let empty = 0;
      let total = 0;
      let message = '';
      for (const key in record) {
        total++;
        if (!isEmptyValue(record[key])) continue;
        empty++;
        message += `${message ? ', ' : ''}${key}`;
        let field = byName.get(key);
        if (field === undefined) {
          if (byName.size >= MAX_WILDCARD_FIELDS) {
            overflow = true;
            continue;
          }
          field = { name: key, maxRatio, empty: 0 };
          byName.set(key, field);
        }
        field.empty++;
      }
      verdict.score = total === 0 ? 1 : 1 - empty / total;
      if (empty === 0) return true;
      verdict.message = `empty: ${message}`;
      return false;
    },
    finish: (evaluated) => verdictOf([...byName.values()], evaluated),
    details: (evaluated) => ({ null_ratio: ratios([...byName.values()], evaluated), ...(overflow ? { fields_not_tracked: `over ${MAX_WILDCARD_FIELDS} field names` } : {}) }),
  };
}

function verdictOf(fields: readonly CountedField[], evaluated: number): StreamVerdict {
  const over = fields.filter((f) => evaluated > 0 && f.empty / evaluated > f.maxRatio);
  if (over.length === 0) return { passed: true, message: 'null ratios within limits' };
  return {
    passed: false,
    message: over.map((f) => `${f.name} ${percent(f.empty / evaluated)} empty > ${percent(f.maxRatio)}`).join('; '),
  };
}

function ratios(fields: readonly CountedField[], evaluated: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fields) out[f.name] = evaluated === 0 ? 0 : round(f.empty / evaluated);
  return out;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
