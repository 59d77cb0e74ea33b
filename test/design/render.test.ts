import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDesign } from '../../src/design/design-report.js';
import { flagLayer, resolveRequest } from '../../src/design/design-request.js';
import { renderMarkdown } from '../../src/design/render-markdown.js';
import { renderTerminal, terminalChalk, wrapItem } from '../../src/design/render-terminal.js';
import { reportSections } from '../../src/design/report-sections.js';

const report = buildDesign({ request: resolveRequest({}, flagLayer({ velocity: 'high', exactlyOnce: true, multiRegion: true, compliance: 'GDPR', latency: '10ms' })) });

test('tables fit the terminal width they are given', () => {
  for (const width of [80, 100, 160]) {
    const text = renderTerminal(reportSections(report), terminalChalk({}, 0), width);
    const widest = Math.max(...text.split('\n').map((line) => line.length));
    assert.ok(widest <= width, `width ${width}: a line of ${widest}`);
    assert.match(text, /│ Kafka partitions +│ 205 +│/);
  }
});

test('NO_COLOR (non-empty) turns colour off even when the terminal supports it', () => {
  const cases: Array<[NodeJS.ProcessEnv, number, number]> = [
    [{}, 3, 3],
    [{ NO_COLOR: '1' }, 3, 0],
    [{ NO_COLOR: '' }, 2, 2],
    [{}, 0, 0],
  ];
  for (const [env, detected, level] of cases) assert.equal(terminalChalk(env, detected as 0 | 1 | 2 | 3).level, level, JSON.stringify(env));
});

test('list items wrap at word boundaries with a hanging indent', () => {
  assert.equal(wrapItem('alpha beta gamma delta epsilon zeta eta theta iota kappa', 28, '  • '), '  • alpha beta gamma delta\n    epsilon zeta eta theta\n    iota kappa');
});

test('Markdown escapes pipes and keeps multi-line cells on one row', () => {
  const markdown = renderMarkdown([{ title: 'T', columns: ['a', 'b'], rows: [['x | y', 'one\ntwo']] }]);
  assert.match(markdown, /^\| x \\\| y \| one<br>two \|$/m);
  assert.equal(renderMarkdown(reportSections(report)).split('\n').filter((line) => line.startsWith('## ')).length, reportSections(report).length);
});
