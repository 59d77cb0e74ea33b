/**
 * Round trip through a real broker: synth → replay --sink kafka → record kafka → compare.
 * Runs only when SW_KAFKA_BROKERS is set (docs/kafka.md shows how to start a local broker);
 * no broker can be installed on the build machines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecording } from '../../src/replay/sqlite-recording.js';
import { ROOT, runSw } from '../cli/run-sw.js';

const brokers = process.env.SW_KAFKA_BROKERS;

test('synth → replay --sink kafka → record kafka gives back every replayed record, key and event time', { skip: brokers ? false : 'SW_KAFKA_BROKERS not set', timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-kafka-it-'));
  const topic = `sw-it-${process.pid}-${Date.now()}`;
  const synthesized = join(dir, 'media.db');
  const synth = runSw(['synth', 'media', '--seed', '7', '--count', '3000', '--out', synthesized]);
  assert.equal(synth.status, 0, synth.stderr);
  const pipeline = join(ROOT, 'scenarios', 'binge.pipeline.yaml');
  const replay = runSw(['replay', synthesized, '--pipeline', pipeline, '--speed', 'max', '--no-ui', '--json', '--sink', 'kafka', '--brokers', brokers!, '--topic', topic, '--key-field', 'userId']);
  assert.equal(replay.status, 0, replay.stderr);
  const replayed = JSON.parse(replay.stderr.trim().split('\n').pop()!) as { records: number };
  const recorded = join(dir, 'recorded.db');
  const record = runSw(['record', 'kafka', '--brokers', brokers!, '--topic', topic, '--from-beginning', '--count', String(replayed.records), '--duration', '60s', '--out', recorded]);
  assert.equal(record.status, 0, record.stderr);
  const sent = [...readRecording(synthesized)].filter((r) => {
    try {
      const value = JSON.parse(r.value) as { timestamp?: unknown } | null;
      return value !== null && typeof value === 'object' && typeof value.timestamp === 'number';
    } catch {
      return false;
    }
  });
  const got = [...readRecording(recorded)];
  assert.equal(got.length, replayed.records);
  const canon = (rows: Array<{ value: string; key?: string | null; timestamp?: number | null }>) => rows.map((r) => `${r.timestamp}|${r.key}|${r.value}`).sort();
  const expected = sent.map((r) => ({ value: r.value, key: String((JSON.parse(r.value) as { userId: unknown }).userId), timestamp: (JSON.parse(r.value) as { timestamp: number }).timestamp }));
  // Every record with an event time was replayed (the others are dead letters), keyed and stamped with its event time.
  assert.equal(expected.length, replayed.records);
  assert.deepEqual(canon(got), canon(expected));
  assert.ok(got.every((r) => r.topic === topic && r.offset !== null && r.partition !== null));
});
