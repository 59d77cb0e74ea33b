import { isAbsolute, resolve } from 'node:path';
import { topLevel, type Check, type CheckContext } from '../rule.js';
import { fieldByField } from './field-by-field.js';
import { RuleConfig, show } from '../rule-config.js';
import { valueKey, type FieldRef } from '../field-path.js';
import { loadReferenceSet } from '../reference-set.js';

/**
 * Referential-integrity check (002 `_check_referential_integrity`): each field's value must be in
 * its reference set — inline `values`, a `file` (JSONL, CSV or a plain list) or another
 * `recording`'s field (`key`). 0.3 off the score per unknown value, as the document. The sets are
 * loaded before the stream starts; their size is the reference data's, not the checked stream's.
 */
interface ReferencedField {
  readonly name: string;
  readonly field: FieldRef;
  readonly values: ReadonlySet<string>;
  readonly from: string;
}

export async function compileReferentialIntegrity(config: RuleConfig, context: CheckContext): Promise<Check> {
  config.onlyKeys(['reference_checks']);
  const raw = config.config['reference_checks'];
  if (!Array.isArray(raw) || raw.length === 0) {
    throw config.error('reference_checks', `expected a list of {field, values | file | recording, key}, got ${show(raw)}`);
  }
  const fields: ReferencedField[] = [];
  for (const [at, item] of raw.entries()) {
    const path = `reference_checks[${at}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw config.error(path, `expected {field, values | file | recording, key}, got ${show(item)}`);
    const check = item as Record<string, unknown>;
    for (const key of Object.keys(check)) {
      if (!['field', 'values', 'file', 'recording', 'key'].includes(key)) throw config.error(`${path}.${key}`, 'unknown key; expected field, values, file, recording or key');
    }
    if (typeof check['field'] !== 'string' || check['field'].length === 0) throw config.error(`${path}.field`, `expected the checked field's name, got ${show(check['field'])}`);
    const sources = ['values', 'file', 'recording'].filter((k) => check[k] !== undefined);
    if (sources.length !== 1) throw config.error(path, `give exactly one of values, file or recording (got ${sources.length === 0 ? 'none' : sources.join(' and ')})`);
    const key = check['key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0)) throw config.error(`${path}.key`, `expected a field or column name, got ${show(key)}`);
    let values: Set<string>;
    let from: string;
    if (check['values'] !== undefined) {
      if (!Array.isArray(check['values']) || check['values'].length === 0) throw config.error(`${path}.values`, `expected a non-empty list, got ${show(check['values'])}`);
      values = new Set(check['values'].map(valueKey));
      from = 'inline values';
    } else {
      const source = sources[0]!;
      const file = check[source];
      if (typeof file !== 'string' || file.length === 0) throw config.error(`${path}.${source}`, `expected a path, got ${show(file)}`);
      const full = isAbsolute(file) ? file : resolve(context.baseDir, file);
      if (source === 'recording' && key === undefined) throw config.error(`${path}.key`, "missing; name the recording's field that holds the valid values");
      values = await loadReferenceSet(full, key as string | undefined, config.where(`${path}.${source}`));
      from = key === undefined ? file : `${file} (${key})`;
    }
    fields.push({ name: check['field'], field: context.fields.ref(check['field']), values, from });
  }

  return {
    reads: topLevel(fields.map((f) => f.name)),
    evaluate: fieldByField(fields, (field, value, issues) => {
      if (!field.values.has(valueKey(value))) issues.add(`${field.name} ${show(value)} not found in ${field.from}`, 0.3);
    }),
    details: () => Object.fromEntries(fields.map((f) => [`${f.name}_reference_size`, f.values.size])),
  };
}
