/**
 * Issue 2, "Speed": a keyed 1-minute tumbling count per content id with 5 s out-of-orderness
 * over a generated 2M-event user-activity JSONL, side by side:
 *   - the naive floor: readLineBlocks + JSON.parse of every line (bench/floor-pass.ts);
 *   - DuckDB (one thread) computing the same counts over the same file, in this process;
 *   - sw: `sw replay --speed max` (bin/sw), figures from its --stats-json.
 * The floor and sw are measured alike: each a child process, CPU of the whole process (Node's
 * start-up, GC threads and all); "run only" rows take off each one's own start-up, measured the
 * same way (a 1-event file). (The floor ran in this process before: no start-up, and a heap
 * shared with DuckDB and the earlier rounds.) DuckDB's query runs in this process, its start-up
 * not counted. The three run in alternating rounds (--runs, default 3: floor, DuckDB, sw; then
 * DuckDB, sw, floor; ...), each subject's figures are its best round, by CPU and by wall clock
 * apart, and the per-round sw / floor CPU ratios are printed, so a round spoiled by load shows.
 * Target: sw ≥ 1.5× the floor, heading for DuckDB; peak RSS < 300 MB on the 10M-event file.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { cachedActivityFile, ensureActivityFile, type ActivityFile } from '../activity-file.js';
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
      { name: 'floor', measure: () => runFloorOnce(options.root, file) },
      { name: 'duckdb', measure: () => duckdbWindowCount(duckdb, file, 'columns') },
      ...(unavailable === null ? [{ name: 'sw', measure: () => runSwOnce(options.root, file, join(dir, 'stats.json')) }] : []),
    ]);
    const load = `load ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
    const floor = rounds.get('floor')!;
    const duck = rounds.get('duckdb')! as Rounds<WindowCount>;
    const floorRow = bestRow('JSON.parse floor', floor, [`${Math.round(file.bytes / file.events)} bytes/event`, 'whole process: start-up included']);
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
    const oneEvent = oneEventFile(file, dir);
    const swStartup = await fastestOf(options.runs, () => runSwOnce(options.root, oneEvent, join(dir, 'startup.json')));
    const floorStartup = await fastestOf(options.runs, () => runFloorOnce(options.root, oneEvent));
    const swRow = bestRow('sw', sw, [
      `${best.outputs.toLocaleString('en')} windows`,
      best.outputs === duck.bestCpu.windows ? 'same as DuckDB' : `DuckDB has ${duck.bestCpu.windows.toLocaleString('en')}: RESULTS DIFFER`,
      best.deadLetters > 0 ? `${best.deadLetters} dead letters` : '',
      'whole process: start-up included',
    ]);
    const startupRow = (subject: string, timing: Timing): BenchRow => ({ suite: name, subject, seconds: timing.seconds, ...(timing.cpuSeconds === undefined ? {} : { cpuSeconds: timing.cpuSeconds }), note: `a 1-event file, best of ${options.runs}` });
    // Run only: the best round less the best 1-event run, for both alike.
    const runOnly = (rounds: Rounds<Timing>, startup: Timing): Timing => ({
      seconds: rounds.bestWall.seconds - startup.seconds,
      ...(rounds.bestCpu.cpuSeconds === undefined || startup.cpuSeconds === undefined ? {} : { cpuSeconds: rounds.bestCpu.cpuSeconds - startup.cpuSeconds }),
    });
    const note = 'best round less the 1-event run (wall and CPU)';
    const floorRunRow = throughputRow(name, 'JSON.parse floor, run only', file.events, runOnly(floor, floorStartup), { note });
    const swRunRow = throughputRow(name, 'sw, run only', best.records, runOnly(sw, swStartup), { note });
    // Per round, floor time / sw time, less each one's start-up for the run-only ratio.
    const perRound = (time: (t: Timing) => number | undefined, less: { floor: number; sw: number }) =>
      sw.samples
        .map((s, i) => {
          const f = time(floor.samples[i]!);
          const t = time(s);
          return f !== undefined && t !== undefined ? `${((f - less.floor) / (t - less.sw)).toFixed(2)}×` : '?';
        })
        .join(', ');
    const cpu = (t: Timing) => t.cpuSeconds;
    const wall = (t: Timing) => t.seconds;
    const none = { floor: 0, sw: 0 };
    const cpuLess = { floor: floorStartup.cpuSeconds ?? 0, sw: swStartup.cpuSeconds ?? 0 };
    const wallLess = { floor: floorStartup.seconds, sw: swStartup.seconds };
    rows.push(
      swRow,
      startupRow('JSON.parse floor start-up', floorStartup),
      startupRow('sw start-up', swStartup),
      floorRunRow,
      swRunRow,
      { ...ratioRow(name, swRow, floorRow), note: `target ≥ 1.50×; per round CPU ${perRound(cpu, none)}, wall ${perRound(wall, none)}; ${load}` },
      { ...ratioRow(name, swRunRow, floorRunRow), note: `per round CPU ${perRound(cpu, cpuLess)}, wall ${perRound(wall, wallLess)}` },
      ratioRow(name, swRow, duckdbRow),
      ratioRow(name, duckdbRow, floorRow),
      allocationRow(options.root, file),
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

/**
 * Bytes allocated per record by sw's replay in the steady state (bench/allocation-pass.ts: V8's
 * sampling heap profiler, collected objects counted, after 32 blocks of warm-up, the final firing
 * left out): per record on the record path (target near 0), and per window for a window's life.
 */
function allocationRow(root: string, file: ActivityFile): BenchRow {
  const subject = 'sw, bytes allocated per record';
  const child = spawnSync(process.execPath, ['dist/bench/allocation-pass.js', file.path, PIPELINE], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.status !== 0) return { suite: name, subject, note: `not measured: ${(child.stderr ?? '').trim().split('\n').pop() || `exit ${child.status ?? child.signal}`}` };
  const figures = JSON.parse(child.stdout) as { records: number; windows: number; bytesPerRecord: number; recordBytesPerRecord: number; bytesPerWindow: number | null };
  return {
    suite: name,
    subject,
    note:
      `${figures.recordBytesPerRecord} B/record on the record path (target near 0), ${figures.bytesPerRecord} B/record in all with ` +
      `${figures.bytesPerWindow ?? '?'} B/window (keys, windows, results); sampling heap profiler over ${figures.records.toLocaleString('en')} records, ${figures.windows.toLocaleString('en')} windows`,
  };
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

interface FloorRun extends Timing {
  readonly events: number;
}

/** One JSON.parse pass as a child process (bench/floor-pass.ts), measured as runSwOnce measures sw. */
function runFloorOnce(root: string, file: ActivityFile): FloorRun {
  const cpuBefore = childCpuSeconds();
  const started = performance.now();
  const child = spawnSync(process.execPath, ['dist/bench/floor-pass.js', file.path], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = childCpuSeconds();
  if (child.status !== 0) throw new Error(`the JSON.parse floor failed on ${file.path}: ${(child.stderr ?? '').trim().split('\n').pop() || `exit ${child.status ?? child.signal}`}`);
  const { events } = JSON.parse(child.stdout) as { events: number };
  if (events !== file.events) throw new Error(`the JSON.parse floor read ${events} events of ${file.path}, not ${file.events}`);
  return { events, seconds, ...(cpuBefore === undefined || cpuAfter === undefined ? {} : { cpuSeconds: cpuAfter - cpuBefore }) };
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
