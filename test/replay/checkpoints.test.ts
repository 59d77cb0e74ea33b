/**
 * Checkpoints and --resume end to end, through the built CLI:
 *   - crash injection: a replay with --checkpoint-every is killed with SIGKILL at a random moment,
 *     then resumed; output and dead-letter files must equal an uninterrupted golden run's, byte
 *     for byte (no record missing, none duplicated);
 *   - resuming from a mid-run checkpoint for each source format (JSONL, .jsonl.gz, SQLite);
 *   - a corrupted latest checkpoint is detected and the previous one used;
 * each for a window pipeline and for a pattern (CEP) pipeline, whose checkpoints carry partial
 * matches and the shared buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { ROOT, runSw } from '../cli/run-sw.js';
import { activityLines, runAndKill } from './crash-fixtures.js';
import { SqliteRecordingWriter } from '../../src/replay/sqlite-recording.js';
import { CheckpointStore } from '../../src/replay/checkpoint-store.js';
import type { PatternKeySnapshot, PatternOperatorSnapshot } from '../../src/engine/cep/pattern-operator.js';

const PIPELINE = `name: checkpoints
time: { field: ts, outOfOrderness: 5s }
steps:
  perPage:
    keyBy: page
    window: { type: tumbling, size: 1m }
    allowedLateness: 10s
    lateOutput: true
    aggregate: { n: count(), users: count_distinct(user), total: sum(v), p90: "percentile(v, 0.9)" }
  trend:
    keyBy: page
    window: { type: sliding, size: 5m, slide: 1m }
    aggregate: { n: count(), top: max(v) }
  visits:
    keyBy: user
    window: { type: session, gap: 30s }
    aggregate: { n: count(), first: first(page), last: last(page) }
`;

/** Pattern steps: partial matches per user over half an hour, and followedByAny branches ending in notFollowedBy. */
const PATTERN_PIPELINE = `name: checkpoints-cep
time: { field: ts, outOfOrderness: 5s }
steps:
  binge:
    keyBy: user
    pattern:
      within: 30m
      skip: skipPastLastEvent
      stages:
        - { name: start, where: "v > 300" }
        - { name: more, contiguity: followedBy, where: "v > 300", times: 3 }
    emitTimeouts: true
    lateOutput: true
    select: { pages: "size(more) + 1", first: "start[0].page" }
  spike:
    keyBy: page
    pattern:
      within: 2m
      stages:
        - { name: high, where: "v > 900" }
        - { name: low, contiguity: followedByAny, where: "v < 100" }
        - { name: quiet, contiguity: notFollowedBy, where: "v > 950" }
    emitTimeouts: true
`;

const dir = mkdtempSync(join(tmpdir(), 'sw-checkpoints-'));
const pipeline = join(dir, 'checkpoints.pipeline.yaml');
writeFileSync(pipeline, PIPELINE);
const patternPipeline = join(dir, 'checkpoints-cep.pipeline.yaml');
writeFileSync(patternPipeline, PATTERN_PIPELINE);
const pipelines = [
  ['windows', pipeline],
  ['patterns', patternPipeline],
] as const;
const lines = activityLines(40_000, 42);
const jsonl = join(dir, 'events.jsonl');
writeFileSync(jsonl, lines.join('\n') + '\n');
const gz = join(dir, 'events.jsonl.gz');
writeFileSync(gz, gzipSync(readFileSync(jsonl)));
const sqlite = join(dir, 'events.db');
{
  const writer = new SqliteRecordingWriter(sqlite, {});
  for (const value of lines) writer.append({ value });
  writer.close();
}

function replayArgs(recording: string, out: string, extra: readonly string[], spec = pipeline): string[] {
  return ['replay', recording, '--pipeline', spec, '--out', out, '--no-ui', '--json', ...extra];
}

const deadLetters = (out: string) => out.replace(/\.jsonl$/, '') + '.dead-letter.jsonl';

const goldens = new Map<string, { out: string; dead: string }>();
function golden(recording: string, spec = pipeline): { out: string; dead: string } {
  let g = goldens.get(`${recording} ${spec}`);
  if (g === undefined) {
    const out = join(dir, `golden-${goldens.size}.jsonl`);
    const r = runSw(replayArgs(recording, out, [], spec));
    assert.equal(r.status, 0, r.stderr);
    g = { out: readFileSync(out, 'utf8'), dead: readFileSync(deadLetters(out), 'utf8') };
    assert.ok(g.out.split('\n').length > 5000, 'the golden run has plenty of output');
    assert.equal(g.dead.trim().split('\n').length, 8);
    goldens.set(`${recording} ${spec}`, g);
  }
  return g;
}

function assertSameAsGolden(recording: string, out: string, what: string, spec = pipeline): void {
  const g = golden(recording, spec);
  const got = readFileSync(out, 'utf8');
  assert.equal(got.length, g.out.length, `${what}: output length`);
  assert.ok(got === g.out, `${what}: output differs from the uninterrupted run`);
  assert.equal(readFileSync(deadLetters(out), 'utf8'), g.dead, `${what}: dead letters`);
}

for (const [kind, spec] of pipelines) {
  test(`crash injection: SIGKILL at random points of the output, then --resume, gives the uninterrupted output exactly: ${kind}`, async () => {
    const total = golden(jsonl, spec).out.length;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const iterations = 6;
    let killedMidRun = 0;
    let resumedFromCheckpoint = 0;
    for (let i = 0; i < iterations; i++) {
      const out = join(dir, `crash-${kind}-${i}.jsonl`);
      const args = replayArgs(jsonl, out, ['--checkpoint-every', '500'], spec);
      const firstKill = Math.floor(total * (0.05 + random() * 0.5));
      const how = await runAndKill(args, out, firstKill);
      if (how === 'SIGKILL') killedMidRun++;
      // Every other iteration crashes again during the resumed run, further on, before the final resume.
      if (i % 2 === 0) await runAndKill([...args, '--resume'], out, Math.floor(firstKill + (total - firstKill) * random() * 0.8));
      const resumed = runSw([...args, '--resume']);
      assert.equal(resumed.status, 0, resumed.stderr);
      if (/resuming from checkpoint \d+ after record \d+/.test(resumed.stderr)) resumedFromCheckpoint++;
      assertSameAsGolden(jsonl, out, `iteration ${i} (${how})`, spec);
    }
    assert.equal(killedMidRun, iterations, 'every first run was killed mid-run');
    assert.equal(resumedFromCheckpoint, iterations, 'every resume started from a checkpoint');
  });
}

const formats = [
  ['JSONL (reopened at the byte offset)', jsonl],
  ['.jsonl.gz (decompressed and skipped)', gz],
  ['SQLite (rows after the seq)', sqlite],
] as const;

for (const [name, recording] of formats) {
  test(`--resume from a mid-run checkpoint re-creates the rest exactly: ${name}`, () => {
    const out = join(dir, `mid-${statSync(recording).size}.jsonl`);
    const args = replayArgs(recording, out, ['--checkpoint-every', '7000']);
    assert.equal(runSw(args).status, 0);
    assertSameAsGolden(recording, out, 'checkpointed run');
    // The store's newest checkpoint is at record 35000 of ~40000: resuming cuts the output back to
    // it and produces the tail again.
    const db = new Database(out + '.checkpoints.db', { readonly: true });
    const newest = db.prepare('SELECT records FROM checkpoints ORDER BY id DESC LIMIT 1').get() as { records: number };
    db.close();
    assert.equal(newest.records, 35_000);
    const resumed = runSw([...args, '--resume']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal((JSON.parse(resumed.stderr.trim().split('\n').at(-1)!) as { records: number }).records, 39_992);
    assertSameAsGolden(recording, out, 'resumed run');
  });
}

for (const [kind, spec] of pipelines) {
  test(`a corrupted latest checkpoint is detected and the previous one is used: ${kind}`, () => {
    const out = join(dir, `corrupt-${kind}.jsonl`);
    const args = replayArgs(jsonl, out, ['--checkpoint-every', '9000'], spec);
    assert.equal(runSw(args).status, 0);
    const db = new Database(out + '.checkpoints.db');
    const rows = db.prepare('SELECT id, records, body FROM checkpoints ORDER BY id DESC').all() as { id: number; records: number; body: string }[];
    assert.deepEqual(rows.map((r) => r.records), [36_000, 27_000, 18_000]);
    if (kind === 'patterns') {
      // The checkpoint resumed from carries live partial matches and their buffered events.
      const store = CheckpointStore.open(out + '.checkpoints.db');
      const used = store.checkpoint(rows[1]!.id);
      store.close();
      const runs = used.engine.operators.flatMap((op) => ((op.state as PatternOperatorSnapshot).keys as PatternKeySnapshot[]).flatMap((k): unknown[] => k.nfa?.partialMatches.filter((m) => m.start !== -1) ?? [...k.linear!.runs]));
      assert.ok(runs.length > 50, `${runs.length} partial matches in the checkpoint`);
    }
    // Flip bytes in the middle of the newest body, as a torn write or bad sector would.
    const body = Buffer.from(rows[0]!.body);
    body[Math.floor(body.length / 2)] ^= 0x20;
    db.prepare('UPDATE checkpoints SET body = ? WHERE id = ?').run(body.toString(), rows[0]!.id);
    db.close();
    const resumed = runSw([...args, '--resume']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`checkpoint ${rows[0]!.id} skipped: checksum mismatch \\(corrupted or partly written\\); using the one before`));
    assertSameAsGolden(jsonl, out, 'resumed from the previous checkpoint', spec);
  });
}

test('refusals name the flag and the fix', () => {
  const cases: [string, string[], RegExp][] = [
    ['no --out', ['replay', jsonl, '--pipeline', pipeline, '--no-ui', '--checkpoint-every', '100'], /need --out <file>/],
    ['bad interval', replayArgs(jsonl, join(dir, 'x.jsonl'), ['--checkpoint-every', 'often']), /--checkpoint-every often: not a record count or an event-time duration/],
    ['other pipeline', replayArgs(jsonl, join(dir, 'mid-' + statSync(jsonl).size + '.jsonl'), ['--resume', '--pipeline', join(ROOT, 'test', 'fixtures', 'clicks.pipeline.yaml')]), /taken with another pipeline/],
  ];
  for (const [name, args, message] of cases) {
    const r = runSw(args);
    assert.equal(r.status, 2, name);
    assert.match(r.stderr, message, name);
  }
  assert.ok(!existsSync(join(dir, 'x.jsonl.checkpoints.db')));
});

test('the run summary tells the checkpoints taken and their CPU time per thread; a run without them has no such field', () => {
  const out = join(dir, 'cost.jsonl');
  const summaryOf = (extra: readonly string[]) => {
    const r = runSw(replayArgs(jsonl, out, extra));
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stderr.trim().split('\n').at(-1)!) as { checkpoints?: { taken: number; replayThreadMs: number; writerThreadMs: number } };
  };
  const cost = summaryOf(['--checkpoint-every', '7000']).checkpoints;
  assert.ok(cost !== undefined, 'a checkpointed run has checkpoints in its summary');
  assert.equal(cost.taken, 5);
  assert.ok(Number.isFinite(cost.replayThreadMs) && cost.replayThreadMs >= 0, `replay thread ${cost.replayThreadMs} ms`);
  // Small rows commit on the replay thread: no writer thread ran.
  assert.equal(cost.writerThreadMs, 0);
  assert.equal(summaryOf([]).checkpoints, undefined);
});
