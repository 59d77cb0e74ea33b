/**
 * Savepoints end to end, through the built CLI:
 *   - stop-with-savepoint (`--savepoint-at`) then `--from-savepoint` into the same pipeline: the
 *     two outputs, one after the other, are the uninterrupted run's byte for byte (JSONL, SQLite;
 *     by record count and by event time; window and pattern steps);
 *   - a savepoint made from a checkpoint store (`sw savepoint create`);
 *   - resuming into a changed pipeline: compatible changes (a new step, a changed condition)
 *     work, a removed step needs --allow-non-restored-state, a changed state shape is refused
 *     with the step and the change named (exit 2);
 *   - a savepoint-started run with checkpoints, killed with SIGKILL, then --resume;
 *   - a corrupted savepoint file is refused (exit 3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSw } from '../cli/run-sw.js';
import { activityLines, runAndKill } from './crash-fixtures.js';
import { SqliteRecordingWriter } from '../../src/replay/sqlite-recording.js';
import { readSavepoint } from '../../src/replay/savepoint.js';

const BASE = `name: savepoints
time: { field: ts, outOfOrderness: 5s }
steps:
  perPage:
    keyBy: page
    window: { type: tumbling, size: 1m }
    allowedLateness: 10s
    lateOutput: true
    aggregate: { n: count(), users: count_distinct(user), total: sum(v) }
  visits:
    keyBy: user
    window: { type: session, gap: 30s }
    aggregate: { n: count(), first: first(page) }
  binge:
    keyBy: user
    pattern:
      within: 30m
      skip: skipPastLastEvent
      stages:
        - { name: start, where: "v > 300" }
        - { name: more, contiguity: followedBy, where: "v > 300", times: 3 }
    emitTimeouts: true
    select: { pages: "size(more) + 1" }
`;

const dir = mkdtempSync(join(tmpdir(), 'sw-savepoints-'));
const savepoints = join(dir, 'savepoints');
const spec = (name: string, text: string): string => {
  const path = join(dir, `${name}.pipeline.yaml`);
  writeFileSync(path, text);
  return path;
};
const base = spec('base', BASE);
const lines = activityLines(20_000, 11);
const jsonl = join(dir, 'events.jsonl');
writeFileSync(jsonl, lines.join('\n') + '\n');
const sqlite = join(dir, 'events.db');
{
  const writer = new SqliteRecordingWriter(sqlite, {});
  for (const value of lines) writer.append({ value });
  writer.close();
}

function replay(recording: string, pipeline: string, out: string, extra: readonly string[] = []) {
  return runSw(['replay', recording, '--pipeline', pipeline, '--out', out, '--no-ui', ...extra]);
}

const goldens = new Map<string, string>();
function golden(recording: string, pipeline = base): string {
  const id = `${recording} ${pipeline}`;
  let text = goldens.get(id);
  if (text === undefined) {
    const out = join(dir, `golden-${goldens.size}.jsonl`);
    const r = replay(recording, pipeline, out);
    assert.equal(r.status, 0, r.stderr);
    text = readFileSync(out, 'utf8');
    goldens.set(id, text);
  }
  return text;
}

const stepOf = (step: string) => (text: string) =>
  text
    .split('\n')
    .filter((l) => l.includes(`"step":"${step}"`))
    .join('\n');

const stops = [
  ['JSONL, after 7777 records', jsonl, '7777', 'jsonl-records'],
  ['JSONL, at an event time', jsonl, '2026-01-01T03:00:00Z', 'jsonl-time'],
  ['SQLite, after 12345 records', sqlite, '12345', 'sqlite-records'],
] as const;

for (const [name, recording, at, label] of stops) {
  test(`stop with a savepoint, then resume from it: the two outputs are the uninterrupted one (${name})`, () => {
    const part1 = join(dir, `${label}-1.jsonl`);
    const part2 = join(dir, `${label}-2.jsonl`);
    const stopped = replay(recording, base, part1, ['--savepoint-at', at, '--savepoint-dir', savepoints, '--savepoint-name', label]);
    assert.equal(stopped.status, 0, stopped.stderr);
    const file = join(savepoints, `${label}.savepoint.json`);
    assert.match(stopped.stderr, new RegExp(`savepoint written: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    const sp = readSavepoint(file);
    if (/^\d+$/.test(at)) assert.equal(sp.engine.records, Number(at));
    else assert.ok(sp.engine.watermarks.maxTime >= Date.parse(at) && sp.engine.records < 19_996);
    // binge runs on the linear matcher: its keys are saved in the linear form.
    const binge = sp.engine.operators.find((o) => o.step === 'binge')!.state as { keys: { linear: { runs: unknown[] } }[] };
    assert.ok(binge.keys.reduce((n, k) => n + k.linear.runs.length, 0) > 100, 'the savepoint carries partial matches');
    const resumed = replay(recording, base, part2, ['--from-savepoint', file]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`starting from savepoint ${label} after record ${sp.engine.records}`));
    const combined = readFileSync(part1, 'utf8') + readFileSync(part2, 'utf8');
    assert.ok(combined === golden(recording), 'part 1 + part 2 equals the uninterrupted run');
  });
}

test('sw savepoint create: a savepoint of the newest valid checkpoint resumes into the rest of the output', () => {
  const out = join(dir, 'checkpointed.jsonl');
  assert.equal(replay(jsonl, base, out, ['--checkpoint-every', '6000']).status, 0);
  const created = runSw(['savepoint', 'create', out + '.checkpoints.db', '--name', 'from-checkpoint', '--dir', savepoints, '--json']);
  assert.equal(created.status, 0, created.stderr);
  const made = JSON.parse(created.stdout) as { path: string; records: number };
  assert.equal(made.records, 18_000);
  const sp = readSavepoint(made.path);
  assert.equal(sp.output.path, out);
  const rest = join(dir, 'from-checkpoint.jsonl');
  const resumed = replay(jsonl, base, rest, ['--from-savepoint', made.path]);
  assert.equal(resumed.status, 0, resumed.stderr);
  const before = readFileSync(out).subarray(0, sp.output.bytes!).toString('utf8');
  assert.ok(before + readFileSync(rest, 'utf8') === golden(jsonl));
  const again = runSw(['savepoint', 'create', out + '.checkpoints.db', '--name', 'from-checkpoint', '--dir', savepoints]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /exists: savepoints are never overwritten; choose another --name/);
});

/** Savepoint `jsonl-records` (after 7777 records) resumed into changed pipelines. */
const changes: { name: string; yaml: string; extra?: string[]; status: number; message?: RegExp; check?: (out: string) => void }[] = [
  {
    name: 'a new step starts empty; the others continue exactly',
    yaml: BASE + `  perUserCount:\n    keyBy: user\n    window: { type: tumbling, size: 10m }\n    aggregate: { n: count() }\n`,
    status: 0,
    message: /step perUserCount is new: it starts empty/,
    check: (out) => {
      const tail = golden(jsonl).split('\n').slice(readFileSync(join(dir, 'jsonl-records-1.jsonl'), 'utf8').split('\n').length - 1);
      for (const step of ['perPage', 'visits', 'binge']) assert.equal(stepOf(step)(out), stepOf(step)(tail.join('\n')), step);
      // Its first window counts only records after the savepoint: fewer than a full run's.
      const first = JSON.parse(stepOf('perUserCount')(out).split('\n')[0]!) as { start: number };
      assert.ok(first.start >= Date.parse('2026-01-01T02:00:00Z'));
    },
  },
  {
    name: 'a changed condition, filter and select keep the state (behaviour changes from now on)',
    yaml: BASE.replaceAll('v > 300', 'v > 500').replace('pages: "size(more) + 1"', 'pages: "size(more) + 2"'),
    status: 0,
  },
  {
    name: 'allowedLateness and aggregate arguments may change',
    yaml: BASE.replace('allowedLateness: 10s', 'allowedLateness: 1m').replace('total: sum(v)', 'total: sum(v * 2)'),
    status: 0,
  },
  { name: 'a removed step is refused', yaml: BASE.slice(0, BASE.indexOf('  binge:')), status: 2, message: /step binge has saved state but is not in the pipeline; pass --allow-non-restored-state to drop it/ },
  {
    name: 'a removed step with --allow-non-restored-state: its state is dropped',
    yaml: BASE.slice(0, BASE.indexOf('  binge:')),
    extra: ['--allow-non-restored-state'],
    status: 0,
    message: /step binge's saved state is dropped/,
  },
  { name: 'window size', yaml: BASE.replace('size: 1m', 'size: 5m'), status: 2, message: /step perPage cannot take its saved state: the window changed from tumbling 1m to tumbling 5m/ },
  { name: 'window type', yaml: BASE.replace('type: session, gap: 30s', 'type: tumbling, size: 30s'), status: 2, message: /step visits .*the window changed from session gap 30s to tumbling 30s/ },
  { name: 'keyBy', yaml: BASE.replace('keyBy: page', 'keyBy: user'), status: 2, message: /step perPage cannot take its saved state: keyBy changed from page to user/ },
  { name: 'an aggregate renamed', yaml: BASE.replace('users: count_distinct(user)', 'people: count_distinct(user)'), status: 2, message: /step perPage .*the aggregates changed from n=count; users=count_distinct; total=sum to n=count; people=count_distinct; total=sum/ },
  { name: 'an aggregate function', yaml: BASE.replace('total: sum(v)', 'total: max(v)'), status: 2, message: /the aggregates changed .*total=sum to .*total=max/ },
  { name: 'pattern stages', yaml: BASE.replace('times: 3', 'times: 2'), status: 2, message: /step binge .*the pattern's stages changed from \[start first once; more followedBy times 3\] to \[start first once; more followedBy times 2\]/ },
  { name: 'contiguity', yaml: BASE.replace('contiguity: followedBy', 'contiguity: next'), status: 2, message: /step binge .*more followedBy times 3\] to .*more next times 3\]/ },
  { name: 'a window step turned into a pattern', yaml: BASE.replace(/ {2}visits:\n(.*\n){3}/, `  visits:\n    keyBy: user\n    pattern:\n      stages:\n        - { name: a, where: "v > 1" }\n`), status: 2, message: /step visits cannot take its saved state: it was a window step and is now a pattern step/ },
];

test('resuming a savepoint into a changed pipeline: compatible changes work, others are refused with the step and the change', () => {
  const file = join(savepoints, 'jsonl-records.savepoint.json');
  if (!existsSync(file)) assert.equal(replay(jsonl, base, join(dir, 'jsonl-records-1.jsonl'), ['--savepoint-at', '7777', '--savepoint-dir', savepoints, '--savepoint-name', 'jsonl-records']).status, 0);
  changes.forEach((c, i) => {
    const pipeline = spec(`changed-${i}`, c.yaml);
    const out = join(dir, `changed-${i}.jsonl`);
    const r = replay(jsonl, pipeline, out, ['--from-savepoint', file, ...(c.extra ?? [])]);
    assert.equal(r.status, c.status, `${c.name}: ${r.stderr}`);
    if (c.message) assert.match(r.stderr, c.message, c.name);
    if (c.status !== 0) {
      assert.equal(r.stderr.trim().split('\n').length, 1, `${c.name}: one line`);
      assert.ok(!existsSync(out), `${c.name}: nothing written`);
    }
    c.check?.(readFileSync(out, 'utf8'));
  });
});

test('refusals of --from-savepoint and --savepoint-at name the fix', () => {
  const file = join(savepoints, 'jsonl-records.savepoint.json');
  const torn = join(dir, 'torn.savepoint.json');
  writeFileSync(torn, readFileSync(file, 'utf8').slice(0, 5000));
  const other = join(dir, 'other.jsonl');
  writeFileSync(other, lines.slice(0, 100).join('\n') + '\n');
  const cases: [string, string[], number, RegExp][] = [
    ['a torn savepoint', ['replay', jsonl, '--pipeline', base, '--out', join(dir, 'x.jsonl'), '--from-savepoint', torn], 3, /torn.savepoint.json: the savepoint is corrupted or partly written \(checksum mismatch\)/],
    ['not a savepoint', ['replay', jsonl, '--pipeline', base, '--out', join(dir, 'x.jsonl'), '--from-savepoint', jsonl], 3, /events.jsonl: not a savepoint/],
    ['no such file', ['replay', jsonl, '--pipeline', base, '--out', join(dir, 'x.jsonl'), '--from-savepoint', join(dir, 'nope.savepoint.json')], 3, /cannot read the savepoint \(ENOENT\)/],
    ['another recording', ['replay', other, '--pipeline', base, '--out', join(dir, 'x.jsonl'), '--from-savepoint', file], 2, /the savepoint is of .*events.jsonl, not .*other.jsonl; replay that recording/],
    ['stdin', ['replay', '-', '--pipeline', base, '--from-savepoint', file], 2, /--from-savepoint needs a recording file/],
    ['a bad --savepoint-at', ['replay', jsonl, '--pipeline', base, '--out', join(dir, 'x.jsonl'), '--savepoint-at', 'soon'], 2, /--savepoint-at soon: not a time/],
    ['a bad name', ['replay', jsonl, '--pipeline', base, '--out', join(dir, 'x.jsonl'), '--savepoint-at', '10', '--savepoint-name', '../x'], 2, /a savepoint name is letters, digits/],
    ['--allow-non-restored-state alone', ['replay', jsonl, '--pipeline', base, '--out', join(dir, 'x.jsonl'), '--allow-non-restored-state'], 2, /goes with --from-savepoint/],
  ];
  for (const [name, args, status, message] of cases) {
    const r = runSw(args);
    assert.equal(r.status, status, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`);
  }
  const late = replay(jsonl, base, join(dir, 'late.jsonl'), ['--savepoint-at', '99999', '--savepoint-dir', savepoints]);
  assert.equal(late.status, 0);
  assert.match(late.stderr, /--savepoint-at 99999: the replay ended before it; no savepoint written/);
});

test('a run started from a savepoint takes checkpoints: killed with SIGKILL, --resume finishes it exactly', async () => {
  const file = join(savepoints, 'jsonl-records.savepoint.json');
  if (!existsSync(file)) assert.equal(replay(jsonl, base, join(dir, 'jsonl-records-1.jsonl'), ['--savepoint-at', '7777', '--savepoint-dir', savepoints, '--savepoint-name', 'jsonl-records']).status, 0);
  const uninterrupted = join(dir, 'sp-uninterrupted.jsonl');
  assert.equal(replay(jsonl, base, uninterrupted, ['--from-savepoint', file]).status, 0);
  const expected = readFileSync(uninterrupted, 'utf8');
  const out = join(dir, 'sp-killed.jsonl');
  const args = ['replay', jsonl, '--pipeline', base, '--out', out, '--no-ui', '--from-savepoint', file, '--checkpoint-every', '500'];
  assert.equal(await runAndKill(args, out, Math.floor(expected.length * 0.4)), 'SIGKILL');
  const resumed = runSw([...args, '--resume']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming from checkpoint \d+ after record \d+/);
  assert.ok(readFileSync(out, 'utf8') === expected, 'the resumed output equals the uninterrupted savepoint run');
});
