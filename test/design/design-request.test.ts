import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, flagLayer, loadConfigLayer, resolveRequest, type DesignFlags } from '../../src/design/design-request.js';
import { buildDesign, VELOCITY_SIZING_RATE } from '../../src/design/design-report.js';
import { UsageError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-design-config-'));

function request(flags: DesignFlags, config: Record<string, unknown> = {}) {
  return resolveRequest(config, flagLayer(flags), 'design.yaml');
}

test('defaults: 7d retention, 1s latency, replication 3, timestamp; no rate', () => {
  const r = request({});
  assert.deepEqual(
    [r.retentionMs, r.latency, r.replication, r.timeField, r.exactlyOnce, r.multiRegion, r.compliance, r.velocity, r.eventsPerSec],
    [DEFAULTS.retentionMs, '1s', 3, 'timestamp', false, false, [], undefined, undefined],
  );
});

test('flags override the config file, the config overrides defaults, assumptions merge per name', () => {
  const r = request(
    { retention: '3d', assume: ['slotEventsPerSec=25000'], exactlyOnce: true },
    { retention: '1d', replication: 2, latency: '100ms', compliance: ['GDPR'], assumptions: { slotEventsPerSec: 5000, keys: 42 }, exactlyOnce: false },
  );
  assert.equal(r.retentionMs, 3 * 86_400_000);
  assert.equal(r.replication, 2);
  assert.equal(r.latency, '100ms');
  assert.deepEqual(r.compliance, ['GDPR']);
  assert.equal(r.exactlyOnce, true);
  assert.equal(r.assumptions.slotEventsPerSec, 25_000);
  assert.equal(r.assumptions.keys, 42);
  assert.deepEqual([r.sources.retention, r.sources.replication, r.sources['assumptions.keys'], r.sources['assumptions.slotEventsPerSec']], ['flag', 'config', 'config', 'flag']);
});

test('a rate flag replaces the config rate as a pair', () => {
  const r = request({ eventsPerSec: '2500' }, { velocity: 'high' });
  assert.deepEqual([r.velocity, r.eventsPerSec], [undefined, 2500]);
});

test('a bare velocity is sized at its tier ceiling; a rate picks its tier', () => {
  const byTier = buildDesign({ request: request({ velocity: 'medium' }) });
  assert.equal(byTier.inputs.eventsPerSec, VELOCITY_SIZING_RATE.medium);
  assert.equal(byTier.inputs.sources.eventsPerSec, 'velocity tier');
  const byRate = buildDesign({ request: request({ eventsPerSec: '250000' }) });
  assert.equal(byRate.inputs.velocity, 'high');
  assert.equal(byRate.architecture.costEstimate, '$10000-50000/month');
});

test('sizes and durations accept units', () => {
  const r = request({ eventBytes: '2KB', retention: '36h', peakFactor: '1.5', velocity: 'LOW', latency: '< 10ms' });
  assert.deepEqual([r.eventBytes, r.retentionMs, r.peakFactor, r.velocity, r.latency], [2000, 36 * 3_600_000, 1.5, 'low', '10ms']);
});

test('invalid input is a one-line UsageError naming the flag or config key and the fix', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['unknown velocity', () => request({ velocity: 'fast' }), /^--velocity fast: expected one of low, medium, high, extreme$/],
    ['both rates', () => request({ velocity: 'low', eventsPerSec: '10' }), /both given/],
    ['negative rate', () => request({ eventsPerSec: '-5' }), /^--events-per-sec -5: expected a number > 0$/],
    ['latency not in the document', () => request({ latency: '5ms' }), /--latency 5ms: expected one of 1ms, 10ms, 100ms, 1s/],
    ['bad retention', () => request({ retention: 'forever' }), /--retention forever: expected a duration/],
    ['bad size', () => request({ eventBytes: '2 parsecs' }), /--event-bytes 2 parsecs/],
    ['peak under 1', () => request({ peakFactor: '0.5' }), /--peak-factor 0.5: expected a number >= 1/],
    ['fractional replication', () => request({ replication: '2.5' }), /--replication 2.5: expected a whole number/],
    ['empty compliance', () => request({ compliance: ' , ' }), /--compliance: name at least one regime/],
    ['unknown assumption', () => request({ assume: ['warpFactor=9'] }), /--assume: unknown assumption 'warpFactor'/],
    ['share over 1', () => request({ assume: ['maxUtilization=1.5'] }), /maxUtilization is a share/],
    ['assume without =', () => request({ assume: ['keys'] }), /expected name=value/],
    ['config key with a bad value', () => request({}, { replication: 'three' }), /^design\.yaml: replication three: expected a whole number/],
    ['config boolean', () => request({}, { exactlyOnce: 'yes' }), /design\.yaml: exactlyOnce yes: expected true or false/],
    ['no rate at all', () => buildDesign({ request: request({}) }), /give the stream rate/],
  ];
  for (const [name, run, pattern] of cases) {
    assert.throws(run, (error: unknown) => error instanceof UsageError && pattern.test(error.message) && !error.message.includes('\n'), name);
  }
});

test('config files: unknown settings and non-mappings are refused, missing files are unreadable input', async () => {
  writeFileSync(join(dir, 'ok.yaml'), 'velocity: high\nretention: 3d\nassumptions:\n  keys: 500\n');
  assert.deepEqual(await loadConfigLayer(join(dir, 'ok.yaml')), { velocity: 'high', retention: '3d', assumptions: { keys: 500 } });
  writeFileSync(join(dir, 'typo.yaml'), 'velocty: high\n');
  await assert.rejects(loadConfigLayer(join(dir, 'typo.yaml')), /typo\.yaml: unknown setting 'velocty'/);
  writeFileSync(join(dir, 'list.yaml'), '- a\n');
  await assert.rejects(loadConfigLayer(join(dir, 'list.yaml')), /must be a mapping/);
  await assert.rejects(loadConfigLayer(join(dir, 'missing.yaml')), (error: Error & { exitCode?: number }) => error.exitCode === 3);
});
