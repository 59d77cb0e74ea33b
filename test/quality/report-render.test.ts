// The three renderings of a report (issue 8: "Tables on a terminal, --json, --markdown"): colour
// only when asked for (a TTY without NO_COLOR), the WARN/FAIL split at --fail-on, and Markdown
// cells that survive a '|' in a rule's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJson, renderMarkdown, renderTerminal } from '../../src/quality/report-render.js';
import { runRules } from './run-rules.js';

const ESCAPE = '\u001b[';

async function run() {
  const { report } = await runRules(
    [
      { id: 'ids', type: 'schema', severity: 'CRITICAL', config: { required_fields: ['id'] } },
      { id: 'codes', type: 'pattern', severity: 'LOW', config: { field_patterns: { code: '^(a|b)$' } } },
    ],
    [{ id: 1, code: 'a' }, { code: 'b' }, { id: 3, code: 'x|y' }],
  );
  return { input: 'in.jsonl', rulesSource: 'rules.yaml', report, quarantined: 0 };
}

test('terminal tables: escape codes only with colour on, the same text without them', async () => {
  const checked = await run();
  const plain = renderTerminal(checked, 'HIGH', false);
  const coloured = renderTerminal(checked, 'HIGH', true);
  assert.ok(!plain.includes(ESCAPE));
  assert.ok(coloured.includes(ESCAPE));
  assert.equal(coloured.replace(/\u001b\[[\d;]*m/g, ''), plain);
  assert.match(plain, /│ ids +│ schema +│ CRITICAL │ FAIL +│ +2 │ +1 │ 2 +│/);
  assert.match(plain, /│ codes +│ pattern +│ LOW +│ WARN +│ +2 │ +1 │ 3 +│/);
  assert.match(plain, /failures by check type: schema 1  pattern 1/);
  assert.match(plain, /FAIL \(failing rules at or above HIGH\)\n$/);
});

test('--fail-on moves a rule between WARN and FAIL in every rendering, and the JSON carries verdict and exit code', async () => {
  const checked = await run();
  const critical = JSON.parse(renderJson(checked, 'CRITICAL'));
  assert.equal(critical.exitCode, 2);
  assert.equal(critical.failuresByType.schema, 1);
  assert.equal(critical.failuresByType.pattern, 1);
  const low = JSON.parse(renderJson({ ...checked, report: { ...checked.report, rules: checked.report.rules.filter((r) => r.id === 'codes') } }, 'MEDIUM'));
  assert.equal(low.verdict, 'WARN');
  assert.equal(low.exitCode, 1);
  assert.match(renderTerminal(checked, 'LOW', false), /│ codes +│ pattern +│ LOW +│ FAIL/);
  assert.match(renderMarkdown(checked, 'LOW'), /\| codes \| pattern \| LOW \| FAIL \| 2 \| 1 \| 3 \|/);
  assert.match(renderMarkdown(checked, 'HIGH'), /\| codes \| pattern \| LOW \| WARN \| 2 \| 1 \| 3 \|/);
});

test('Markdown escapes a | in messages so the table and list keep their shape', async () => {
  const markdown = renderMarkdown(await run(), 'HIGH');
  assert.match(markdown, /- line 3: .*x\\\|y/);
  for (const row of markdown.split('\n').filter((line) => line.startsWith('| codes'))) assert.equal(row.split(/(?<!\\)\|/).length, 9);
});
