import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/design/cli.test.js → the package root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sw-design-cli-'));
const ANSI = /\u001b\[/;

function sw(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env || !('FORCE_COLOR' in options.env)) delete env.FORCE_COLOR;
  if (!options.env || !('NO_COLOR' in options.env)) delete env.NO_COLOR;
  const result = spawnSync(process.execPath, [join(root, 'bin/sw'), 'design', ...args], { cwd: root, env, input: options.input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("tables: the document's example prints tier, complexity, timeline, notes and sizing, uncoloured off a TTY", () => {
  const run = sw(['--velocity', 'high', '--exactly-once', '--multi-region', '--compliance', 'GDPR,SOX', '--latency', '10ms']);
  assert.equal(run.code, 0, run.stderr);
  for (const text of ['HIGH (100K - 1M events/sec)', 'Kafka/Pulsar, Flink, ScyllaDB, Redis Cluster', 'High (score 8', '28 weeks', 'Plan for network partition scenarios', 'Kafka partitions', 'Kafka brokers', 'Checkpoint interval', '┌']) {
    assert.ok(run.stdout.includes(text), `missing ${text}`);
  }
  assert.doesNotMatch(run.stdout, ANSI);
  assert.equal(run.stderr, '');
});

test('--json prints one stable object', () => {
  const run = sw(['--events-per-sec', '80000', '--event-bytes', '1000', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.version, 1);
  assert.deepEqual(Object.keys(report), ['version', 'inputs', 'architecture', 'complexity', 'timeline', 'operationalNotes', 'sizing', 'state', 'recording', 'lateness', 'warnings', 'assumptions']);
  assert.equal(report.architecture.velocity, 'medium');
  assert.deepEqual([report.complexity.level, report.complexity.score, report.timeline.weeks], ['Low', 2, 8]);
  // 80,000 × 2 = 160,000 peak ev/s → parallelism 16, 2 TMs; T = 160 MB/s → 16 partitions.
  assert.deepEqual([report.sizing.flinkParallelism.value, report.sizing.flinkTaskManagers.value, report.sizing.kafkaPartitions.value], [16, 2, 16]);
  for (const figure of Object.values(report.sizing) as Array<Record<string, unknown>>) assert.deepEqual(Object.keys(figure).slice(0, 6), ['value', 'unit', 'display', 'formula', 'workings', 'assumptions']);
});

test('--markdown prints headings and pipe tables', () => {
  const run = sw(['--velocity', 'low', '--markdown']);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.startsWith('# Streaming architecture design\n'));
  assert.match(run.stdout, /^## Sizing/m);
  assert.match(run.stdout, /^\| Figure \| Value \| Formula and workings \|$/m);
  assert.match(run.stdout, /^- Monitor lag and throughput continuously$/m);
});

test('--from measures a recording (file and stdin) and adds the lateness advisor', () => {
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) lines.push(JSON.stringify({ userId: `u${i % 7}`, timestamp: 1_767_225_600_000 + i * 10 - (i % 100 === 50 ? 3_000 : 0) }));
  const text = lines.join('\n') + '\n';
  writeFileSync(join(dir, 'rec.jsonl'), text);
  for (const [args, input] of [[['--from', join(dir, 'rec.jsonl'), '--json'], undefined], [['--from', '-', '--json'], text]] as const) {
    const run = sw([...args], { input });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.recording.records, 2000);
    assert.equal(report.inputs.sources.eventsPerSec, 'recording');
    assert.equal(report.recording.keys[0].name, 'userId');
    assert.equal(report.recording.keys[0].distinct, 7);
    // 20 records (1%) trail by about 3 s: late at 1s, not at 5s.
    assert.equal(report.lateness.candidates[0].lateRecords, 20);
    assert.equal(report.lateness.recommendedMs, 5000);
  }
  const tables = sw(['--from', join(dir, 'rec.jsonl')]);
  assert.match(tables.stdout, /Recommendation: outOfOrderness 5s/);
});

test('colour only when forced on and NO_COLOR unset', () => {
  assert.match(sw(['--velocity', 'low'], { env: { FORCE_COLOR: '1' } }).stdout, ANSI);
  assert.doesNotMatch(sw(['--velocity', 'low'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, ANSI);
});

test('--help shows examples', () => {
  const run = sw(['--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Examples:\n {2}\$ sw design --velocity high/);
});

test('invalid input: a one-line error on stderr, exit 2', () => {
  writeFileSync(join(dir, 'bad.yaml'), 'velocity: warp\n');
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown tier', ['--velocity', 'fast'], /--velocity fast: expected one of low, medium, high, extreme/],
    ['unknown flag', ['--velocity', 'low', '--bogus'], /unknown option '--bogus'/],
    ['no rate', [], /give the stream rate/],
    ['two output formats', ['--velocity', 'low', '--json', '--markdown'], /choose one output format/],
    ['bad latency', ['--velocity', 'low', '--latency', '2ms'], /--latency 2ms/],
    ['bad number', ['--events-per-sec', 'lots'], /--events-per-sec lots/],
    ['bad config value', ['--config', join(dir, 'bad.yaml')], /bad\.yaml: velocity warp: expected one of/],
  ];
  for (const [name, args, pattern] of cases) {
    const run = sw(args);
    assert.equal(run.code, 2, `${name}: ${run.stderr}`);
    assert.equal(run.stdout, '', name);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, `${name}: ${run.stderr}`);
    assert.match(run.stderr, pattern, name);
  }
});

test('an unreadable recording is exit 3 with a one-line reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['missing.jsonl', /missing\.jsonl: cannot read the recording/],
    ['missing.db', /missing\.db: no such recording/],
  ];
  for (const [file, pattern] of cases) {
    const run = sw(['--from', join(dir, file)]);
    assert.equal(run.code, 3, file);
    assert.match(run.stderr, pattern, file);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, file);
  }
});

test('--pipeline sizes state from the spec with key counts measured by --from', () => {
  writeFileSync(join(dir, 'clicks.pipeline.yaml'), 'name: clicks\ntime: { field: ts, outOfOrderness: 15s }\nsteps:\n  perPage:\n    keyBy: page\n    window: { type: tumbling, size: 1m }\n    aggregate: { clicks: count(), total: sum(n) }\n');
  const records = ['home', 'cart', 'home', 'news'].map((page, i) => JSON.stringify({ ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), page, n: i }));
  writeFileSync(join(dir, 'clicks.jsonl'), records.join('\n') + '\n');
  const run = sw(['--from', join(dir, 'clicks.jsonl'), '--time-field', 'ts', '--pipeline', join(dir, 'clicks.pipeline.yaml'), '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  // 3 pages × ceil((60 s + 15 s) / 60 s) = 2 windows × (8 + 8 + 64) bytes.
  assert.deepEqual(report.state.steps.map((s: { step: string; keys: number; keySource: string; bytes: number }) => [s.step, s.keys, s.keySource, s.bytes]), [['perPage', 3, 'measured', 480]]);
  assert.equal(report.recording.keys[0].name, 'page');
  const tables = sw(['--from', join(dir, 'clicks.jsonl'), '--time-field', 'ts', '--pipeline', join(dir, 'clicks.pipeline.yaml')]);
  assert.match(tables.stdout, /State size/);
});

test('an invalid pipeline spec is exit 1 with a one-line reason', () => {
  writeFileSync(join(dir, 'broken.pipeline.yaml'), 'name: broken\nsteps: 3\n');
  const run = sw(['--velocity', 'low', '--pipeline', join(dir, 'broken.pipeline.yaml')]);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /broken\.pipeline\.yaml/);
});

test('--config supplies settings and assumptions; flags override it', () => {
  writeFileSync(join(dir, 'design.yaml'), 'velocity: medium\nretention: 3d\ncompliance: [GDPR, SOX]\nassumptions:\n  slotEventsPerSec: 25000\n');
  const run = sw(['--config', join(dir, 'design.yaml'), '--retention', '12h', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual([report.inputs.velocity, report.inputs.retentionMs, report.inputs.compliance, report.assumptions.slotEventsPerSec], ['medium', 12 * 3_600_000, ['GDPR', 'SOX'], 25_000]);
  assert.deepEqual([report.inputs.sources.velocity, report.inputs.sources.retention, report.inputs.sources['assumptions.slotEventsPerSec']], ['config', 'flag', 'config']);
  // MEDIUM sized at 100,000 × 2 = 200,000 peak events/s over 25,000 per slot.
  assert.equal(report.sizing.flinkParallelism.value, 8);
  assert.deepEqual([report.complexity.score, report.timeline.weeks], [3, 10]);
});
