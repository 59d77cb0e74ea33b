// `sw replay ... --quality rules.yaml` (issue 8): the live view's quality panel, fed by a real
// monitor's snapshot while records stream in, rendered to text at a fixed width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { openQualityMonitor, qualityHeadline } from '../../src/quality/live-quality.js';
import { QualityPanel } from '../../src/ui/quality-panel.js';

const RULES = `rules:
  - { id: ids, type: completeness, severity: HIGH, config: { fields: [userId], max_null_ratio: 0 } }
  - { id: watch, type: value_range, severity: MEDIUM, config: { field_ranges: { watchSeconds: { min: 0 } } } }
`;

test('the quality panel shows the headline and each rule turning from PASS to FAIL as faults arrive', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-quality-panel-'));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  const monitor = await openQualityMonitor(join(dir, 'rules.yaml'));
  const frame = () => {
    const snapshot = monitor.snapshot();
    const quality = { headline: qualityHeadline(snapshot), score: snapshot.score, rules: snapshot.rules };
    return render(<QualityPanel quality={quality} width={80} height={10} />).lastFrame() ?? '';
  };
  for (let i = 0; i < 10; i++) monitor.observe({ userId: `u${i}`, watchSeconds: i }, i + 1);
  const clean = frame();
  assert.match(clean, /score 1\.000 · 10 records · all rules pass/);
  assert.match(clean, /ids +completeness +HIGH +PASS +0 +10/);

  monitor.observe({ userId: null, watchSeconds: -5 }, 11);
  const faulty = frame();
  assert.match(faulty, /11 records · 2 failing \(1 at or above HIGH\)/);
  assert.match(faulty, /ids +completeness +HIGH +FAIL +1 +11/);
  assert.match(faulty, /watch +value_range +MEDIUM +FAIL +1 +11/);
});
