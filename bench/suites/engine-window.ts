/**
 * Issue 2, "Speed": a keyed 1-minute tumbling count per content id with 5 s out-of-orderness
 * over a generated 2M-event user-activity JSONL, side by side:
 *   - the naive floor: readLineBlocks + JSON.parse of every line, in this process;
 *   - DuckDB (one thread) computing the same counts over the same file;
 *   - sw: `sw replay --speed max` as a child process, figures from its --stats-json and the
 *     child's CPU time (start-up included).
 * The three run in alternating rounds (--runs, default 3: floor, DuckDB, sw; then DuckDB, sw,
 * floor; ...), and each subject's figures are its best round, by CPU and by wall clock apart;
 * the per-round sw / floor CPU ratios are printed too, so a round spoiled by load shows.
 * Target: sw ≥ 1.5× the floor, heading for DuckDB; peak RSS < 300 MB on the 10M-event file.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { cachedActivityFile, ensureActivityFile, type ActivityFile } from '../activity-file.js';
import { jsonParsePass } from '../file-passes.js';
import { alternate, childCpuSeconds, fastestOf, startTiming, type Rounds, type Timing } from '../timing.js';
import { ratioRow, throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'engine-window';

const PIPELINE = 'bench/pipelines/tumbling-count.pipeline.yaml';
const RSS_BOUND_BYTES = 300 * 1024 * 1024;
const LARGE_EVENTS = 10_000_000;

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const unavailable = swUnavailable(options.root);
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-'));
  const duckdb = await openDuckdb();
  try {
    const loadBefore = loadavg()[0]!;
    const rounds = await alternate<Timing & { events: number }>(options.runs, [
      { name: 'floor', measure: () => jsonParsePass(file.path) },
      { name: 'duckdb', measure: () => duckdbWindowCount(duckdb, file, 'columns') },
      ...(unavailable === null ? [{ name: 'sw', measure: () => runSwOnce(options.root, file, join(dir, 'stats.json')) }] : []),
    ]);
    const load = `load ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
    const floor = rounds.get('floor')!;
    const duck = rounds.get('duckdb')! as Rounds<WindowCount>;
    const floorRow = bestRow('JSON.parse floor', floor, `${Math.round(file.bytes / file.events)} bytes/event`);
    const duckdbRow = bestRow('DuckDB', duck, `threads=1, columns contentId+timestamp; ${duck.bestCpu.windows.toLocaleString('en')} windows`);
    const detected = await duckdbWindowCount(duckdb, file, 'auto');
    const duckdbAutoRow = throughputRow(name, 'DuckDB, schema auto-detected', detected.events, detected, { note: 'threads=1, every column; one run' });
    const rows = [floorRow, duckdbRow, duckdbAutoRow];
    if (unavailable !== null) {
      rows.push({ suite: name, subject: 'sw', note: unavailable }, ratioRow(name, duckdbRow, floorRow));
      return rows;
    }

    const sw = rounds.get('sw')! as Rounds<SwRun>;
    const best = sw.bestCpu;
    const startup = await fastestOf(options.runs, () => runSwOnce(options.root, oneEventFile(file, dir), join(dir, 'startup.json')));
    const swRow = bestRow('sw', sw, [
      `${best.outputs.toLocaleString('en')} windows`,
      best.outputs === duck.bestCpu.windows ? 'same as DuckDB' : `DuckDB has ${duck.bestCpu.windows.toLocaleString('en')}: RESULTS DIFFER`,
      best.deadLetters > 0 ? `${best.deadLetters} dead letters` : '',
      'whole process: start-up included',
    ]);
    const startupRow: BenchRow = { suite: name, subject: 'sw start-up (a 1-event replay)', seconds: startup.seconds, ...(startup.cpuSeconds === undefined ? {} : { cpuSeconds: startup.cpuSeconds }), note: `best of ${options.runs}` };
    // sw's own clock runs from its first read to its last write: the run without start-up, as the floor is.
    const runOnly: Timing = { seconds: sw.bestWall.swSeconds, ...(best.cpuSeconds === undefined || startup.cpuSeconds === undefined ? {} : { cpuSeconds: best.cpuSeconds - startup.cpuSeconds }) };
    const runOnlyRow = throughputRow(name, 'sw, run only', best.records, runOnly, { note: 'wall: sw\'s own clock; CPU: sw minus its start-up' });
    const perRound = sw.samples.map((s, i) => (floor.samples[i]!.cpuSeconds !== undefined && s.cpuSeconds !== undefined ? `${(floor.samples[i]!.cpuSeconds! / s.cpuSeconds).toFixed(2)}×` : '?'));
    rows.push(
      swRow,
      startupRow,
      runOnlyRow,
      { ...ratioRow(name, swRow, floorRow), note: `target ≥ 1.50×; CPU ratio per round: ${perRound.join(', ')}; ${load}` },
      { ...ratioRow(name, runOnlyRow, floorRow), subject: 'sw, run only / JSON.parse floor' },
      ratioRow(name, swRow, duckdbRow),
      ratioRow(name, duckdbRow, floorRow),
    );
    rows.push(await largeRow(options, dir));
    return rows;
  } finally {
    duckdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A subject's row from its rounds: wall figures from its best wall run, CPU from its best CPU run. */
function bestRow(subject: string, rounds: Rounds<Timing & { events: number; maxRssBytes?: number }>, note: string | readonly string[]): BenchRow {
  const { bestCpu, bestWall, samples } = rounds;
  const timing: Timing = { seconds: bestWall.seconds, ...(bestCpu.cpuSeconds === undefined ? {} : { cpuSeconds: bestCpu.cpuSeconds }) };
  const spread = samples.map((s) => (s.cpuSeconds ?? s.seconds).toFixed(2)).join(', ');
  const notes = [...(typeof note === 'string' ? [note] : note), `best of ${samples.length}; CPU s by round: ${spread}`];
  return throughputRow(name, subject, bestCpu.events, timing, {
    ...(bestCpu.maxRssBytes === undefined ? {} : { maxRssBytes: bestCpu.maxRssBytes }),
    note: notes.filter(Boolean).join('; '),
  });
}

/** Peak RSS of sw over the 10M-event file (generated only under --large: ~1.3 GB). */
async function largeRow(options: BenchOptions, dir: string): Promise<BenchRow> {
  const subject = 'sw, 10M events';
  const large = options.large ? ensureActivityFile(options.root, '10m', LARGE_EVENTS) : cachedActivityFile(options.root, '10m', LARGE_EVENTS);
  if (large === null) return { suite: name, subject, note: 'not run: the 10M-event file is not in .bench/ yet; --large generates it (~1.3 GB)' };
  const result = runSwOnce(options.root, large, join(dir, 'large.json'));
  return throughputRow(name, subject, result.records, result, {
    maxRssBytes: result.maxRssBytes,
    note: `one run; peak RSS ${Math.round(result.maxRssBytes / (1 << 20))} MB, bound 300 MB: ${result.maxRssBytes < RSS_BOUND_BYTES ? 'within' : 'EXCEEDED'}`,
  });
}

/** A recording of the bench file's first event: sw's start-up and shut-down with next to no work. */
function oneEventFile(file: ActivityFile, dir: string): ActivityFile {
  const fd = openSync(file.path, 'r');
  const head = Buffer.alloc(4096);
  const length = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const newline = head.subarray(0, length).indexOf(10);
  const path = join(dir, 'one-event.jsonl');
  writeFileSync(path, head.subarray(0, newline + 1));
  return { path, events: 1, bytes: newline + 1 };
}

interface WindowCount extends Timing {
  readonly events: number;
  readonly windows: number;
}

/**
 * The same tumbling count in SQL. For epoch-ms timestamps ≥ 0 a 1-minute tumbling window with no
 * offset starts at floor(ts / 60000) * 60000, which is what `timestamp // 60000` groups by. The
 * grouped rows are counted inside DuckDB, so the figure is the query, not moving rows into JS.
 * `columns` names only the two fields the window reads (as sw's field reader does); `auto` lets
 * DuckDB detect and read every column.
 */
async function duckdbWindowCount(duckdb: DuckDB, file: ActivityFile, schema: 'columns' | 'auto'): Promise<WindowCount> {
  const path = file.path.replaceAll("'", "''");
  const source =
    schema === 'columns'
      ? `read_ndjson('${path}', columns = {contentId: 'VARCHAR', timestamp: 'BIGINT'})`
      : `read_ndjson('${path}')`;
  const sql = `SELECT count(*) AS windows, sum(n) AS events FROM (
    SELECT contentId, timestamp // 60000 AS minute, count(*) AS n FROM ${source} GROUP BY contentId, minute)`;
  const stop = startTiming();
  const [row] = (await duckdb.connection.runAndReadAll(sql)).getRowObjectsJS() as Array<{ windows: bigint; events: bigint }>;
  return { events: Number(row!.events), windows: Number(row!.windows), ...stop() };
}

interface DuckDB {
  readonly connection: DuckDBConnection;
  close(): void;
}

/** One in-memory DuckDB with one thread, kept over the rounds (its start-up is not the query's). */
async function openDuckdb(): Promise<DuckDB> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** The fields of `sw replay --stats-json` this suite reads. */
interface SwStats {
  readonly records: number;
  readonly seconds: number;
  readonly maxRssBytes: number;
  readonly deadLetters: number;
  readonly outputs: number;
}

interface SwRun extends Timing {
  readonly events: number;
  readonly records: number;
  readonly maxRssBytes: number;
  readonly deadLetters: number;
  readonly outputs: number;
  /** sw's own clock (first read to last write), without start-up; `seconds` is the whole child process. */
  readonly swSeconds: number;
}

/** Why sw cannot be measured in this build, or null when it can. */
function swUnavailable(root: string): string | null {
  const help = spawnSync(process.execPath, ['bin/sw', 'replay', '--help'], { cwd: root, encoding: 'utf8' });
  return help.status === 0 && help.stdout.includes('--stats-json') ? null : 'not available: this build has no `sw replay --stats-json`';
}

/** One `sw replay --speed max --out /dev/null` child: wall and CPU of the whole process, start-up included. */
function runSwOnce(root: string, file: ActivityFile, statsPath: string): SwRun {
  const cpuBefore = childCpuSeconds();
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['bin/sw', 'replay', file.path, '--pipeline', PIPELINE, '--speed', 'max', '--out', '/dev/null', '--stats-json', statsPath],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = childCpuSeconds();
  if (child.status !== 0) {
    const reason = (child.stderr ?? '').trim().split('\n').pop() || `exit ${child.status ?? child.signal}`;
    throw new Error(`sw failed on ${file.path}: ${reason}`);
  }
  const stats = JSON.parse(readFileSync(statsPath, 'utf8')) as SwStats;
  return {
    events: stats.records,
    records: stats.records,
    maxRssBytes: stats.maxRssBytes,
    deadLetters: stats.deadLetters,
    outputs: stats.outputs,
    swSeconds: stats.seconds,
    seconds,
    ...(cpuBefore === undefined || cpuAfter === undefined ? {} : { cpuSeconds: cpuAfter - cpuBefore }),
  };
}
