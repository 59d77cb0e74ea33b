import { settle, topLevel, type Check, type CheckContext, type Verdict } from '../rule.js';
import { Issues } from './field-by-field.js';
import { RuleConfig, show } from '../rule-config.js';
import type { FieldRef } from '../field-path.js';
import { ABSENT, ARRAY, BOOLEAN, NULL, OBJECT, STRING, type FieldRow } from '../../replay/field-reader.js';

/**
 * Schema check (002 `_check_schema_validation`): required fields present, field types, and with
 * `strict_schema` no fields beyond required + optional. Score as the document: 1 − 0.2 per missing
 * field − 0.1 per wrong type − 0.1 for unexpected fields. A null value skips the type test: nulls
 * belong to the completeness check, so one null is not reported twice.
 */
export const FIELD_TYPES = ['string', 'int', 'integer', 'float', 'number', 'bool', 'boolean', 'list', 'array', 'dict', 'object', 'timestamp'] as const;

type TypeTest = (value: unknown) => boolean;

const TYPE_TESTS: Readonly<Record<string, TypeTest>> = {
  string: (v) => typeof v === 'string',
  int: (v) => Number.isInteger(v),
  integer: (v) => Number.isInteger(v),
  float: (v) => typeof v === 'number' && Number.isFinite(v),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  bool: (v) => typeof v === 'boolean',
  boolean: (v) => typeof v === 'boolean',
  list: Array.isArray,
  array: Array.isArray,
  dict: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  // An event time as pipeline-spec.md accepts it: epoch ms or an ISO-8601 string.
  timestamp: (v) => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && !Number.isNaN(Date.parse(v))),
};

/** Types a top-level value's kind decides alone, so its string or object is never decoded. */
const KIND_OF_TYPE: Readonly<Record<string, number>> = { string: STRING, bool: BOOLEAN, boolean: BOOLEAN, list: ARRAY, array: ARRAY, dict: OBJECT, object: OBJECT };

interface TypedField {
  readonly name: string;
  readonly field: FieldRef;
  readonly type: string;
  readonly test: TypeTest;
  /** The kind the type needs, for a top-level field of a kind-decided type; else -1 (test the value). */
  readonly kind: number;
}

export function compileSchema(config: RuleConfig, context: CheckContext): Check {
  config.onlyKeys(['required_fields', 'optional_fields', 'field_types', 'strict_schema', 'strict']);
  const required = config.fieldList('required_fields', []);
  const optional = config.fieldList('optional_fields', []);
  const typed: TypedField[] = config.has('field_types')
    ? config.fieldMap('field_types').map(([name, type]) => {
        if (typeof type !== 'string' || !(type in TYPE_TESTS)) {
          throw config.error(`field_types.${name}`, `unknown type ${show(type)}; use one of ${FIELD_TYPES.join(', ')}`);
        }
        const field = context.fields.ref(name, 'kind');
        return { name, field, type, test: TYPE_TESTS[type]!, kind: field.topLevel ? (KIND_OF_TYPE[type] ?? -1) : -1 };
      })
    : [];
  const strict = config.boolean('strict_schema', config.boolean('strict', false));
  if (required.length === 0 && typed.length === 0 && !strict) {
    throw config.error('required_fields', 'the schema checks nothing; give required_fields, field_types or strict_schema: true');
  }
  const requiredFields = required.map((name) => ({ name, field: context.fields.ref(name, 'kind') }));
  // Strict mode compares top-level names; a nested required field allows its top-level parent.
  const allowed = new Set([...required, ...optional, ...typed.map((t) => t.name)].map((name) => name.split('.')[0]!));

  const issues = new Issues();
  return {
    reads: strict ? 'all' : topLevel([...required, ...typed.map((t) => t.name)]),
    evaluate(row: FieldRow, verdict: Verdict): boolean {
      issues.score = 1;
      issues.message = '';
      for (let i = 0; i < requiredFields.length; i++) {
        const { name, field } = requiredFields[i]!;
        const missing = field.topLevel ? row.kinds[field.slot] === ABSENT : field.read(row) === undefined;
        if (missing) issues.add(`missing required field ${name}`, 0.2);
      }
      for (let i = 0; i < typed.length; i++) {
        const t = typed[i]!;
        if (t.kind >= 0) {
          const kind = row.kinds[t.field.slot]!;
          if (kind > NULL && kind !== t.kind) issues.add(`${t.name} is ${typeName(row.get(t.field.slot))}, expected ${t.type}`, 0.1);
          continue;
        }
        const value = t.field.read(row);
        if (value !== undefined && value !== null && !t.test(value)) issues.add(`${t.name} is ${typeName(value)}, expected ${t.type}`, 0.1);
      }
      if (strict) {
        const record = row.record!;
        let extra = '';
        for (const key in record) if (!allowed.has(key)) extra += `${extra ? ', ' : ''}${key}`;
        if (extra) issues.add(`unexpected fields: ${extra}`, 0.1);
      }
      return settle(verdict, issues.score, issues.message);
    },
  };
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isInteger(value) ? `an int (${value})` : `a float (${value})`;
  if (typeof value === 'string') return `a string (${show(value)})`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${String(value)})`;
}
