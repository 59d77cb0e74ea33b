import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import {
  CHECK_TYPES,
  CHECK_TYPE_ALIASES,
  SEVERITIES,
  RulesError,
  type CheckType,
  type FieldFilter,
  type RecordFilter,
  type RuleSet,
  type RuleSpec,
  type Severity,
} from './rule.js';
import { show } from './rule-config.js';

/**
 * Rules files: YAML, either a list of rules or `{name?, description?, rules: [...]}`; each rule is
 * `{id, type, description?, config, severity?, enabled?, when?, max_fail_ratio?}`. The document's
 * spellings (`rule_id`, `check_type: schema_validation`, ...) are accepted. Every error is one
 * line: `rules.yaml:14: rule "amount_range" (rules[3]) severity: expected one of LOW, ...`.
 */
const RULE_KEYS = ['id', 'rule_id', 'type', 'check_type', 'description', 'config', 'severity', 'enabled', 'when', 'max_fail_ratio'];
const TOP_KEYS = ['name', 'description', 'rules'];

export async function loadRulesFile(path: string): Promise<RuleSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RulesError(`${path}: cannot read the rules file (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the path`);
  }
  return parseRules(text, path, dirname(resolve(path)));
}

export function parseRules(text: string, source: string, baseDir: string): RuleSet {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const at = first.linePos?.[0];
    throw new RulesError(`${source}${at ? `:${at.line}:${at.col}` : ''}: YAML syntax error: ${first.message.split('\n')[0]!.replace(/:\s*$/, '')}; fix the YAML`);
  }
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 0);
  let list: Node | null | undefined = doc.contents as Node | null;
  if (isMap(list)) {
    for (const pair of list.items) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      if (!TOP_KEYS.includes(key)) throw new RulesError(`${source}:${lineOf(pair.key as Node)}: unknown top-level key "${key}"; expected ${TOP_KEYS.join(', ')}`);
    }
    list = list.get('rules', true) as Node | undefined;
    if (list === undefined) throw new RulesError(`${source}: no rules: list; add rules: [{id, type, config, severity}]`);
  }
  if (!isSeq(list)) throw new RulesError(`${source}:${lineOf(list)}: expected a list of rules (or rules: [...]); see docs/quality.md`);
  if (list.items.length === 0) throw new RulesError(`${source}: the rules list is empty; add at least one rule`);

  const seen = new Map<string, number>();
  const rules = list.items.map((node, index) => {
    const rule = parseRule((node as Node).toJSON(), index, `${source}:${lineOf(node as Node)}`);
    const earlier = seen.get(rule.id);
    if (earlier !== undefined) throw new RulesError(`${source}:${lineOf(node as Node)}: rule "${rule.id}" (rules[${index}]) repeats the id of rules[${earlier}]; ids must be unique`);
    seen.set(rule.id, index);
    return rule;
  });
  return { source, baseDir, rules };
}

function parseRule(raw: unknown, index: number, at: string): RuleSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RulesError(`${at}: rules[${index}] is ${show(raw)}; expected a map {id, type, config, severity}`);
  }
  const rule = raw as Record<string, unknown>;
  const idValue = rule['id'] ?? rule['rule_id'];
  if (typeof idValue !== 'string' || !/^[A-Za-z0-9_.:-]+$/.test(idValue)) {
    throw new RulesError(`${at}: rules[${index}] id: expected a name of letters, digits, _ . : -, got ${show(idValue)}`);
  }
  const where = `${at}: rule "${idValue}" (rules[${index}])`;
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.includes(key)) throw new RulesError(`${where} ${key}: unknown key; expected ${RULE_KEYS.filter((k) => !k.includes('_id') && k !== 'check_type').join(', ')}`);
  }
  const typeValue = rule['type'] ?? rule['check_type'];
  const type = typeof typeValue === 'string' ? ((CHECK_TYPES as readonly string[]).includes(typeValue) ? (typeValue as CheckType) : CHECK_TYPE_ALIASES[typeValue]) : undefined;
  if (type === undefined) throw new RulesError(`${where} type: expected one of ${CHECK_TYPES.join(', ')}, got ${show(typeValue)}`);
  const severityValue = rule['severity'] ?? 'MEDIUM';
  const severity = typeof severityValue === 'string' ? (severityValue.toUpperCase() as Severity) : undefined;
  if (severity === undefined || !SEVERITIES.includes(severity)) throw new RulesError(`${where} severity: expected one of ${SEVERITIES.join(', ')}, got ${show(severityValue)}`);
  const enabled = rule['enabled'] ?? true;
  if (typeof enabled !== 'boolean') throw new RulesError(`${where} enabled: expected true or false, got ${show(enabled)}`);
  const description = rule['description'] ?? '';
  if (typeof description !== 'string') throw new RulesError(`${where} description: expected text, got ${show(description)}`);
  const config = rule['config'] ?? {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new RulesError(`${where} config: expected a map, got ${show(config)}`);
  const maxFailRatio = rule['max_fail_ratio'] ?? 0;
  if (typeof maxFailRatio !== 'number' || !(maxFailRatio >= 0 && maxFailRatio <= 1)) {
    throw new RulesError(`${where} max_fail_ratio: expected a number in [0, 1], got ${show(maxFailRatio)}`);
  }
  const when = rule['when'] === undefined || rule['when'] === null ? undefined : parseFilter(rule['when'], where);
  return {
    id: idValue,
    type,
    description,
    config: config as Record<string, unknown>,
    severity,
    enabled,
    maxFailRatio,
    index,
    at,
    ...(when ? { when } : {}),
  };
}

function parseFilter(raw: unknown, where: string): RecordFilter {
  if (raw !== null && typeof raw === 'object' && 'any' in raw) {
    const any = (raw as Record<string, unknown>)['any'];
    if (Object.keys(raw).length !== 1 || !Array.isArray(any) || any.length === 0) {
      throw new RulesError(`${where} when.any: expected a non-empty list of {field, present | equals | in} and nothing beside it`);
    }
    return { any: any.map((item, at) => parseFieldFilter(item, `${where} when.any[${at}]`)) };
  }
  return parseFieldFilter(raw, `${where} when`);
}

function parseFieldFilter(raw: unknown, where: string): FieldFilter {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RulesError(`${where}: expected {field, present | equals | in}, got ${show(raw)}`);
  const filter = raw as Record<string, unknown>;
  for (const key of Object.keys(filter)) {
    if (!['field', 'present', 'equals', 'in'].includes(key)) throw new RulesError(`${where}.${key}: unknown key; expected field, present, equals or in`);
  }
  if (typeof filter['field'] !== 'string' || filter['field'].length === 0) throw new RulesError(`${where}.field: expected a field name, got ${show(filter['field'])}`);
  const tests = ['present', 'equals', 'in'].filter((k) => filter[k] !== undefined);
  if (tests.length !== 1) throw new RulesError(`${where}: give exactly one of present, equals or in`);
  if (filter['present'] !== undefined && typeof filter['present'] !== 'boolean') throw new RulesError(`${where}.present: expected true or false, got ${show(filter['present'])}`);
  if (filter['in'] !== undefined && (!Array.isArray(filter['in']) || filter['in'].length === 0)) throw new RulesError(`${where}.in: expected a non-empty list, got ${show(filter['in'])}`);
  return filter as unknown as FieldFilter;
}
