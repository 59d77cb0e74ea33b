import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LATENCIES,
  TIERS,
  architectureFor,
  complexityOf,
  operationalNotesOf,
  timelineOf,
  velocityOf,
  type Requirements,
  type Velocity,
} from '../../src/design/tiers.js';

/**
 * Every combination of tier × exactly-once × multi-region × compliance, with the complexity
 * level, score, timeline weeks and note count printed by the document's own Python
 * (seeds/002 `StreamingArchitectureDesigner`, run once per row with a fresh designer).
 * Latency changes none of them, so each row is checked at all four latencies (128 cases).
 */
const ORIGINAL: Array<[Velocity, boolean, boolean, boolean, string, number, number, number]> = [
  // tier, exactlyOnce, multiRegion, compliance, level, score, weeks, notes
  ['low', false, false, false, 'Low', 1, 4, 1],
  ['low', false, false, true, 'Low', 2, 6, 1],
  ['low', false, true, false, 'Low', 3, 10, 3],
  ['low', false, true, true, 'Medium', 4, 12, 3],
  ['low', true, false, false, 'Low', 3, 8, 2],
  ['low', true, false, true, 'Medium', 4, 10, 2],
  ['low', true, true, false, 'Medium', 5, 14, 4],
  ['low', true, true, true, 'Medium', 6, 16, 4],
  ['medium', false, false, false, 'Low', 2, 8, 1],
  ['medium', false, false, true, 'Low', 3, 10, 1],
  ['medium', false, true, false, 'Medium', 4, 14, 3],
  ['medium', false, true, true, 'Medium', 5, 16, 3],
  ['medium', true, false, false, 'Medium', 4, 12, 2],
  ['medium', true, false, true, 'Medium', 5, 14, 2],
  ['medium', true, true, false, 'Medium', 6, 18, 4],
  ['medium', true, true, true, 'High', 7, 20, 4],
  ['high', false, false, false, 'Low', 3, 16, 4],
  ['high', false, false, true, 'Medium', 4, 18, 4],
  ['high', false, true, false, 'Medium', 5, 22, 6],
  ['high', false, true, true, 'Medium', 6, 24, 6],
  ['high', true, false, false, 'Medium', 5, 20, 5],
  ['high', true, false, true, 'Medium', 6, 22, 5],
  ['high', true, true, false, 'High', 7, 26, 7],
  ['high', true, true, true, 'High', 8, 28, 7],
  ['extreme', false, false, false, 'Low', 3, 24, 4],
  ['extreme', false, false, true, 'Medium', 4, 26, 4],
  ['extreme', false, true, false, 'Medium', 5, 30, 6],
  ['extreme', false, true, true, 'Medium', 6, 32, 6],
  ['extreme', true, false, false, 'Medium', 5, 28, 5],
  ['extreme', true, false, true, 'Medium', 6, 30, 5],
  ['extreme', true, true, false, 'High', 7, 34, 7],
  ['extreme', true, true, true, 'High', 8, 36, 7],
];

const HIGH_NOTES = ['Implement automated scaling policies', 'Set up advanced monitoring with custom metrics', 'Plan for disaster recovery scenarios'];

test('complexity, timeline and notes match the original program for every combination of options (128 cases)', () => {
  let cases = 0;
  for (const [velocity, exactlyOnce, multiRegion, compliance, level, score, weeks, noteCount] of ORIGINAL) {
    for (const latency of LATENCIES) {
      const requirements: Requirements = { velocity, latency, exactlyOnce, multiRegion, compliance: compliance ? ['GDPR', 'SOX'] : [] };
      const name = `${velocity} eo=${exactlyOnce} mr=${multiRegion} compliance=${compliance} latency=${latency}`;
      const complexity = complexityOf(requirements);
      assert.equal(complexity.level, level, name);
      assert.equal(complexity.score, score, name);
      assert.equal(complexity.parts.reduce((sum, part) => sum + part.amount, 0), score, `${name}: parts add up`);
      const timeline = timelineOf(requirements);
      assert.equal(timeline.weeks, weeks, name);
      assert.equal(timeline.text, `${weeks} weeks`, name);
      const notes = operationalNotesOf(requirements);
      assert.equal(notes.length, noteCount, name);
      assert.deepEqual(notes, [
        'Monitor lag and throughput continuously',
        ...(velocity === 'high' || velocity === 'extreme' ? HIGH_NOTES : []),
        ...(exactlyOnce ? ['Monitor transaction coordinator performance'] : []),
        ...(multiRegion ? ['Monitor cross-region replication lag', 'Plan for network partition scenarios'] : []),
      ], name);

      const architecture = architectureFor(requirements);
      assert.deepEqual(architecture.stack, TIERS[velocity].stack, name);
      assert.equal(architecture.deployment, TIERS[velocity].deployment, name);
      assert.equal(architecture.costEstimate, TIERS[velocity].costEstimate, name);
      assert.deepEqual(architecture.additionalComponents, latency === '1ms' ? ['In-memory processing', 'Edge computing'] : undefined, name);
      assert.equal(architecture.networkOptimization, latency === '1ms' ? 'Dedicated network, SR-IOV' : undefined, name);
      assert.equal(architecture.transactionSupport, exactlyOnce ? true : undefined, name);
      assert.equal(architecture.additionalComplexity, exactlyOnce ? 'High' : undefined, name);
      assert.equal(architecture.replication, multiRegion ? 'Cross-region async replication' : undefined, name);
      assert.equal(architecture.conflictResolution, multiRegion ? 'Last-writer-wins with timestamps' : undefined, name);
      cases++;
    }
  }
  assert.equal(cases, 128);
});

test("the document's own example: HIGH, < 10ms, exactly-once, multi-region, GDPR+SOX", () => {
  const requirements: Requirements = { velocity: 'high', latency: '10ms', exactlyOnce: true, multiRegion: true, compliance: ['GDPR', 'SOX'] };
  assert.deepEqual(
    { level: complexityOf(requirements).level, timeline: timelineOf(requirements).text, notes: operationalNotesOf(requirements).length },
    { level: 'High', timeline: '28 weeks', notes: 7 },
  );
  assert.deepEqual(architectureFor(requirements).stack, ['Kafka/Pulsar', 'Flink', 'ScyllaDB', 'Redis Cluster']);
});

test('"Very High" is unreachable with the document scoring: the largest score is 8', () => {
  const scores = ORIGINAL.map((row) => row[5]);
  assert.equal(Math.max(...scores), 8);
});

test('adjustments never leak between calls (the original mutates its shared tier table)', () => {
  architectureFor({ velocity: 'medium', latency: '1ms', exactlyOnce: true, multiRegion: true, compliance: [] });
  const plain = architectureFor({ velocity: 'medium', latency: '1s', exactlyOnce: false, multiRegion: false, compliance: [] });
  assert.deepEqual(Object.keys(plain).sort(), ['costEstimate', 'deployment', 'range', 'stack', 'velocity']);
});

test('a mean rate picks its tier; lower bounds inclusive, exactly 1M stays HIGH ("> 1M" is EXTREME)', () => {
  const cases: Array<[number, Velocity]> = [
    [0.5, 'low'],
    [999, 'low'],
    [1_000, 'medium'],
    [99_999, 'medium'],
    [100_000, 'high'],
    [1_000_000, 'high'],
    [1_000_001, 'extreme'],
  ];
  for (const [rate, velocity] of cases) assert.equal(velocityOf(rate), velocity, String(rate));
});
