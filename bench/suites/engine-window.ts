/**
 * Issue 2, "Speed": a keyed 1-minute tumbling count per content id with 5 s out-of-orderness
 * over a generated 2M-event user-activity JSONL, side by side in one run:
 *   - the naive floor: readLineBlocks + JSON.parse of every line;
 *   - DuckDB (one thread) computing the same counts over the same file;
 *   - sw: `sw replay --speed max` as a child process, figures from its --stats-json.
 * Target: sw ≥ 1.5× the floor, heading for DuckDB; RSS < 300 MB on a 10M-event file (--large).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ensureActivityFile, type ActivityFile } from '../activity-file.js';
import { jsonParsePass } from '../file-passes.js';
import { childCpuSeconds, fastestOf, startTiming, type Timing } from '../timing.js';
import { ratioRow, throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'engine-window';

const PIPELINE = 'bench/pipelines/tumbling-count.pipeline.yaml';
const RUNS = 2;
const RSS_BOUND_BYTES = 300 * 1024 * 1024;

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const floor = await fastestOf(RUNS, () => jsonParsePass(file.path));
  const floorRow = throughputRow(name, 'JSON.parse floor', floor.events, floor, { note: `${Math.round(file.bytes / file.events)} bytes/event` });

  const projected = await duckdbWindowCount(file, 'columns');
  const detected = await duckdbWindowCount(file, 'auto');
  const duckdbRow = throughputRow(name, 'DuckDB', projected.events, projected, { note: `threads=1, columns contentId+timestamp; ${projected.windows.toLocaleString('en')} windows` });
  const duckdbAutoRow = throughputRow(name, 'DuckDB, schema auto-detected', detected.events, detected, { note: 'threads=1, every column' });

  const sw = await runSw(options.root, file);
  const swRow: BenchRow =
    'unavailable' in sw
      ? { suite: name, subject: 'sw', note: sw.unavailable }
      : throughputRow(name, 'sw', sw.records, sw, {
          maxRssBytes: sw.maxRssBytes,
          note: [
            `${sw.outputs.toLocaleString('en')} windows`,
            sw.outputs === projected.windows ? 'same as DuckDB' : `DuckDB has ${projected.windows.toLocaleString('en')}: RESULTS DIFFER`,
            sw.deadLetters > 0 ? `${sw.deadLetters} dead letters` : '',
            `wall ${sw.wallSeconds.toFixed(2)} s with start-up; CPU includes start-up`,
          ].filter(Boolean).join('; '),
        });

  const rows = [floorRow, duckdbRow, duckdbAutoRow, swRow, ratioRow(name, swRow, floorRow), ratioRow(name, swRow, duckdbRow), ratioRow(name, duckdbRow, floorRow)];
  if (options.large) {
    const large = ensureActivityFile(options.root, '10m', 10_000_000);
    const result = await runSw(options.root, large);
    rows.push(
      'unavailable' in result
        ? { suite: name, subject: 'sw, 10M events', note: result.unavailable }
        : throughputRow(name, 'sw, 10M events', result.records, result, {
            maxRssBytes: result.maxRssBytes,
            note: `RSS bound 300 MB: ${result.maxRssBytes < RSS_BOUND_BYTES ? 'within' : 'EXCEEDED'}`,
          }),
    );
  }
  return rows;
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
async function duckdbWindowCount(file: ActivityFile, schema: 'columns' | 'auto'): Promise<WindowCount> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const path = file.path.replaceAll("'", "''");
    const source =
      schema === 'columns'
        ? `read_ndjson('${path}', columns = {contentId: 'VARCHAR', timestamp: 'BIGINT'})`
        : `read_ndjson('${path}')`;
    const sql = `SELECT count(*) AS windows, sum(n) AS events FROM (
      SELECT contentId, timestamp // 60000 AS minute, count(*) AS n FROM ${source} GROUP BY contentId, minute)`;
    return await fastestOf(RUNS, async () => {
      const stop = startTiming();
      const [row] = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<{ windows: bigint; events: bigint }>;
      return { events: Number(row!.events), windows: Number(row!.windows), ...stop() };
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The fields of `sw replay --stats-json` this suite reads. */
interface SwStats {
  readonly records: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  readonly maxRssBytes: number;
  readonly deadLetters: number;
  readonly outputs: number;
}

interface SwRun extends SwStats, Timing {
  /** Wall-clock seconds of the whole child process, start-up included. */
  readonly wallSeconds: number;
}

/**
 * Runs `sw replay` on `file` (fastest of RUNS), or says why it cannot. Seconds are sw's own
 * (reading to the end of output); CPU seconds are the child's, start-up included.
 */
async function runSw(root: string, file: ActivityFile): Promise<SwRun | { unavailable: string }> {
  const help = spawnSync(process.execPath, ['bin/sw', 'replay', '--help'], { cwd: root, encoding: 'utf8' });
  if (help.status !== 0 || !help.stdout.includes('--stats-json')) {
    return { unavailable: 'not available: this build has no `sw replay --stats-json`' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-'));
  try {
    return await fastestOf(RUNS, () => runSwOnce(root, file, join(dir, 'stats.json')));
  } catch (error) {
    if (error instanceof SwFailed) return { unavailable: error.message };
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** sw ran but exited non-zero: reported in its row, the other subjects still run. */
class SwFailed extends Error {}

function runSwOnce(root: string, file: ActivityFile, statsPath: string): SwRun {
  const cpuBefore = childCpuSeconds();
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['bin/sw', 'replay', file.path, '--pipeline', PIPELINE, '--speed', 'max', '--out', '/dev/null', '--stats-json', statsPath],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuAfter = childCpuSeconds();
  if (child.status !== 0) {
    const reason = (child.stderr ?? '').trim().split('\n').pop() || `exit ${child.status ?? child.signal}`;
    throw new SwFailed(`sw failed: ${reason}`);
  }
  const stats = JSON.parse(readFileSync(statsPath, 'utf8')) as SwStats;
  return { ...stats, wallSeconds, ...(cpuBefore === undefined || cpuAfter === undefined ? {} : { cpuSeconds: cpuAfter - cpuBefore }) };
}
