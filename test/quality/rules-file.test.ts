import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRulesFile, parseRules } from '../../src/quality/rules-file.js';
import { compileRules } from '../../src/quality/compile-rules.js';
import { builtInRules, DOMAINS } from '../../src/quality/default-rules.js';
import { RulesError } from '../../src/quality/rule.js';
import { InputError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-quality-rules-'));

/** Each bad rules file and the one-line error it must give: file, line, rule and the fix. */
const cases: Array<{ name: string; yaml: string; error: RegExp }> = [
  { name: 'YAML syntax error names line and column', yaml: 'rules:\n  - id: a\n    type: [schema\n', error: /^bad\.yaml:\d+:\d+: YAML syntax error: [^\n]*[^:]; fix the YAML$/ },
  { name: 'empty list', yaml: 'rules: []\n', error: /^bad\.yaml: the rules list is empty/ },
  { name: 'not a list', yaml: 'just text\n', error: /^bad\.yaml:1: expected a list of rules/ },
  { name: 'unknown top-level key', yaml: 'rulez: []\n', error: /^bad\.yaml:1: unknown top-level key "rulez"/ },
  { name: 'missing id', yaml: '- type: schema\n', error: /^bad\.yaml:1: rules\[0\] id: expected a name/ },
  { name: 'unknown check type', yaml: '- id: a\n  type: schemaa\n', error: /^bad\.yaml:1: rule "a" \(rules\[0\]\) type: expected one of schema, completeness/ },
  { name: 'bad severity', yaml: '- id: a\n  type: schema\n  severity: URGENT\n  config: { required_fields: [x] }\n', error: /rule "a" \(rules\[0\]\) severity: expected one of LOW, MEDIUM, HIGH, CRITICAL, got "URGENT"/ },
  { name: 'unknown rule key', yaml: '- id: a\n  type: schema\n  severty: LOW\n', error: /rule "a" \(rules\[0\]\) severty: unknown key/ },
  { name: 'duplicate ids', yaml: '- {id: a, type: schema, config: {required_fields: [x]}}\n- {id: a, type: schema, config: {required_fields: [y]}}\n', error: /^bad\.yaml:2: rule "a" \(rules\[1\]\) repeats the id of rules\[0\]/ },
  { name: 'enabled not boolean', yaml: '- {id: a, type: schema, enabled: "yes", config: {required_fields: [x]}}\n', error: /enabled: expected true or false/ },
  { name: 'bad when', yaml: '- {id: a, type: schema, when: {field: x}, config: {required_fields: [x]}}\n', error: /when: give exactly one of present, equals or in/ },
  { name: 'max_fail_ratio out of range', yaml: '- {id: a, type: schema, max_fail_ratio: 2, config: {required_fields: [x]}}\n', error: /max_fail_ratio: expected a number in \[0, 1\], got 2/ },
  { name: 'typo in a config key', yaml: '- id: c\n  type: completeness\n  config: { fields: [a], max_nul_ratio: 0.1 }\n', error: /^bad\.yaml:1: rule "c" \(rules\[0\]\) config\.max_nul_ratio: unknown key; expected one of fields, max_null_ratio/ },
  { name: 'ratio out of range', yaml: '- {id: c, type: completeness, config: {fields: [a], max_null_ratio: 5}}\n', error: /config\.max_null_ratio: must be at most 1, got 5/ },
  { name: 'schema that checks nothing', yaml: '- {id: s, type: schema, config: {}}\n', error: /config\.required_fields: the schema checks nothing/ },
  { name: 'unknown field type', yaml: '- {id: s, type: schema, config: {field_types: {a: text}}}\n', error: /config\.field_types\.a: unknown type "text"; use one of string/ },
  { name: 'bad duration', yaml: '- {id: f, type: freshness, config: {max_age: soon}}\n', error: /config\.max_age: expected a duration such as 500ms/ },
  { name: 'min above max', yaml: '- {id: r, type: value_range, config: {field_ranges: {a: {min: 5, max: 1}}}}\n', error: /config\.field_ranges\.a: min 5 is above max 1; swap them/ },
  { name: 'range checking nothing', yaml: '- {id: r, type: value_range, config: {field_ranges: {a: {}}}}\n', error: /config\.field_ranges\.a: checks nothing/ },
  { name: 'invalid regex', yaml: "- {id: p, type: pattern, config: {field_patterns: {a: '(['}}}\n", error: /config\.field_patterns\.a: invalid regular expression/ },
  { name: 'catastrophic regex (a+)+ is refused', yaml: "- {id: p, type: pattern, config: {field_patterns: {a: '^(a+)+$'}}}\n", error: /^bad\.yaml:1: rule "p" \(rules\[0\]\) config\.field_patterns\.a: pattern "\^\(a\+\)\+\$" risks catastrophic backtracking/ },
  { name: 'catastrophic regex (\\w+\\s?)* is refused', yaml: "- {id: p, type: pattern, config: {field_patterns: {a: '^(\\w+\\s?)*$'}}}\n", error: /risks catastrophic backtracking/ },
  { name: 'duplicates without keys', yaml: '- {id: d, type: duplicates, config: {window: 1h}}\n', error: /config\.key_fields: missing; list the field names/ },
  { name: 'both window spellings', yaml: '- {id: d, type: duplicates, config: {key_fields: [a], window: 1h, window_size: 3600}}\n', error: /config\.window: give either window or window_size, not both/ },
  { name: 'reference with two sources', yaml: '- {id: x, type: referential_integrity, config: {reference_checks: [{field: a, values: [1], file: f.csv}]}}\n', error: /config\.reference_checks\[0\]: give exactly one of values, file or recording \(got values and file\)/ },
  { name: 'missing reference file', yaml: '- {id: x, type: referential_integrity, config: {reference_checks: [{field: a, file: nope.csv}]}}\n', error: /config\.reference_checks\[0\]\.file: cannot load reference set: .*nope\.csv: cannot read the recording \(ENOENT\)/ },
  { name: 'JSONL reference without key', yaml: '- {id: x, type: referential_integrity, config: {reference_checks: [{field: a, file: ref.jsonl}]}}\n', error: /ref\.jsonl is a recording; add key: <field>/ },
  { name: 'CSV reference with an unknown column', yaml: '- {id: x, type: referential_integrity, config: {reference_checks: [{field: a, file: ref.csv, key: nope}]}}\n', error: /ref\.csv:1: no column "nope" in the header \(id, name\)/ },
  { name: 'anomaly window below min_samples', yaml: '- {id: z, type: statistical_anomaly, config: {numeric_fields: [a], window: 5, min_samples: 10}}\n', error: /config\.min_samples: 10 is more than the window \(5\)/ },
  { name: 'a disabled rule is still validated', yaml: '- {id: z, type: pattern, enabled: false, config: {field_patterns: {a: "(x+x+)+y"}}}\n', error: /rule "z".*catastrophic backtracking/ },
];

writeFileSync(join(dir, 'ref.jsonl'), '{"id":1}\n');
writeFileSync(join(dir, 'ref.csv'), 'id,name\n1,a\n');

for (const c of cases) {
  test(`rules file error: ${c.name}`, async () => {
    await assert.rejects(
      async () => compileRules(parseRules(c.yaml, 'bad.yaml', dir)),
      (error: unknown) => {
        assert.ok(error instanceof InputError, `expected an exit-3 error, got ${String(error)}`);
        assert.match((error as Error).message, c.error);
        assert.ok(!(error as Error).message.includes('\n'), 'the message is one line');
        return true;
      },
    );
  });
}

test('the document\'s spellings load: rule_id, check_type enum values, max_age_seconds, window_size', async () => {
  const set = parseRules(
    `- rule_id: user_event_schema
  check_type: schema_validation
  severity: CRITICAL
  config: { required_fields: [user_id], strict_schema: false }
- { rule_id: f, check_type: data_freshness, config: { timestamp_field: timestamp, max_age_seconds: 300 } }
- { rule_id: d, check_type: duplicate_detection, config: { key_fields: [user_id], window_size: 3600 } }
- { rule_id: z, check_type: statistical_anomaly, config: { numeric_fields: [amount], z_threshold: 3.5 } }
- { rule_id: c, check_type: data_completeness, config: { fields: [user_id], max_null_ratio: 0.05 } }
- { rule_id: r, check_type: value_range, config: { field_ranges: { age: { min: 0, max: 150 } } } }
- { rule_id: p, check_type: pattern_matching, config: { field_patterns: { email: '^[a-z]+@[a-z]+$' } } }
`,
    'doc.yaml',
    dir,
  );
  assert.deepEqual(set.rules.map((r) => r.type), ['schema', 'freshness', 'duplicates', 'statistical_anomaly', 'completeness', 'value_range', 'pattern']);
  assert.equal((await compileRules(set)).length, 7);
});

test('a missing rules file is a one-line exit-3 error', async () => {
  await assert.rejects(loadRulesFile(join(dir, 'none.yaml')), (error: unknown) => error instanceof RulesError && /none\.yaml: cannot read the rules file \(ENOENT\)/.test((error as Error).message));
});

test('the built-in rule sets load and compile', async () => {
  for (const choice of [...DOMAINS, 'generic' as const]) {
    const set = builtInRules(choice);
    assert.equal(set.source, `default:${choice}`);
    assert.ok((await compileRules(set)).length > 0);
  }
});
