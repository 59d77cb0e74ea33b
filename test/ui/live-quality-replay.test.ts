/**
 * `sw replay ... --quality rules.yaml` in the live view (issue 8): a real replay with the quality
 * checks attached, drawn on a virtual terminal. The quality tab follows the stream and, at the
 * end, shows per rule the counts `sw quality check` reports for the same file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCompiledPipeline } from '../../src/spec/compile.js';
import { Replay } from '../../src/replay/replay.js';
import { attachQuality } from '../../src/replay/replay-quality.js';
import { runLiveView } from '../../src/ui/run-live-view.js';
import { ROOT, runSw } from '../cli/run-sw.js';
import { keyboard, until, VirtualTerminal } from './virtual-terminal.js';

// live.jsonl: 3,000 page views of users u0-u6 on home, cart, search and item.
const RULES = `
- id: views_schema
  type: schema
  severity: CRITICAL
  config: { required_fields: [ts, user, page] }
- id: shop_pages
  type: value_range
  severity: HIGH
  config: { field_ranges: { page: { allowed_values: [home, cart, item] } } }
- id: low_users
  type: pattern
  severity: LOW
  config: { field_patterns: { user: '^u[0-4]$' } }
`;

test('live view with --quality: the quality tab shows each rule with the counts sw quality check reports for the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-live-quality-'));
  const rules = join(dir, 'rules.yaml');
  writeFileSync(rules, RULES);
  const recording = join(ROOT, 'test/fixtures/live.jsonl');
  const pipeline = join(ROOT, 'test/fixtures/live.pipeline.yaml');
  const check = runSw(['quality', 'check', recording, '--rules', rules, '--json']);
  assert.equal(check.status, 2, check.stderr);
  const expected = (JSON.parse(check.stdout) as { rules: Array<{ id: string; severity: string; status: string; failed: number; evaluated: number }> }).rules;
  const failing = expected.filter((r) => r.status === 'FAIL');
  const severe = failing.filter((r) => r.severity === 'HIGH' || r.severity === 'CRITICAL');
  assert.ok(expected.some((r) => r.failed > 0) && expected.some((r) => r.failed === 0), 'the rules should both pass and fail on the fixture');

  const compiled = await loadCompiledPipeline(pipeline);
  const replay = new Replay({ recording, compiled, speed: Infinity, deadLetterPath: null });
  const quality = await attachQuality(replay, rules);
  const terminal = new VirtualTerminal(110, 30);
  const keys = keyboard();
  const running = runLiveView(replay, recording, pipeline, compiled.spec.steps, { stdout: terminal, stdin: keys }, quality);
  const screen = () => terminal.screen();
  try {
    // Two steps, so the quality tab is the third.
    await until('the quality tab', () => /3 quality \(\d\.\d\d\)/.test(screen()), 30_000);
    keys.write('3');
    await until('the quality panel', () => /quality \(data-quality rules\)/.test(screen()));
    await until('every record checked', () => screen().includes('3,000 records'));
    for (const rule of expected) {
      const row = new RegExp(`${rule.id} +\\S+ +\\S+ +${rule.status} +${rule.failed} +${rule.evaluated}\\b`);
      await until(`${rule.id}: ${rule.status}, ${rule.failed} failed of ${rule.evaluated}`, () => row.test(screen()));
    }
    assert.match(screen(), new RegExp(`score \\d\\.\\d{3} · 3,000 records · ${failing.length} failing \\(${severe.length} at or above HIGH\\)`));
  } finally {
    keys.write('q');
  }
  await running;
});
