import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, runSw } from '../cli/run-sw.js';
import { SCENARIOS } from '../../src/scenarios/catalogue.js';

test('the scenario goldens pass through the built CLI: sw test scenarios/golden', () => {
  const r = runSw(['test', join(ROOT, 'scenarios', 'golden')], { timeout: 300_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[lines.length - 1], `${SCENARIOS.length} passed, 0 failed`);
  for (const s of SCENARIOS) assert.match(r.stdout, new RegExp(`✔ ${s.name} \\(\\d+ records\\)`));
});
