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
import { fastestOf, jsonParsePass } from '../file-passes.js';
import { ratioRow, throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'engine-window';

const PIPELINE = 'bench/pipelines/tumbling-count.pipeline.yaml';
const RUNS = 2;
const RSS_BOUND_BYTES = 300 * 1024 * 1024;

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const floor = await fastestOf(RUNS, () => jsonParsePass(file.path));
  const floorRow = throughputRow(name, 'JSON.parse floor', floor.events, floor.seconds, { note: `${Math.round(file.bytes / file.events)} bytes/event` });

  const projected = await duckdbWindowCount(file, 'columns');
  const detected = await duckdbWindowCount(file, 'auto');
  const duckdbRow = throughputRow(name, 'DuckDB', projected.events, projected.seconds, { note: `threads=1, columns contentId+timestamp; ${projected.windows.toLocaleString('en')} windows` });
  const duckdbAutoRow = throughputRow(name, 'DuckDB, schema auto-detected', detected.events, detected.seconds, { note: 'threads=1, every column' });

  const sw = runSw(options.root, file);
  const swRow: BenchRow =
    'unavailable' in sw
      ? { suite: name, subject: 'sw', note: sw.unavailable }
      : throughputRow(name, 'sw', sw.records, sw.seconds, {
          maxRssBytes: sw.maxRssBytes,
          note: [
            `${sw.outputs.toLocaleString('en')} windows`,
            sw.outputs === projected.windows ? 'same as DuckDB' : `DuckDB has ${projected.windows.toLocaleString('en')}: RESULTS DIFFER`,
            sw.deadLetters > 0 ? `${sw.deadLetters} dead letters` : '',
            `wall ${sw.wallSeconds.toFixed(2)} s with start-up`,
          ].filter(Boolean).join('; '),
        });

  const rows = [floorRow, duckdbRow, duckdbAutoRow, swRow, ratioRow(name, swRow, floorRow), ratioRow(name, swRow, duckdbRow), ratioRow(name, duckdbRow, floorRow)];
  if (options.large) {
    const large = ensureActivityFile(options.root, '10m', 10_000_000);
    const result = runSw(options.root, large);
    rows.push(
      'unavailable' in result
        ? { suite: name, subject: 'sw, 10M events', note: result.unavailable }
        : throughputRow(name, 'sw, 10M events', result.records, result.seconds, {
            maxRssBytes: result.maxRssBytes,
            note: `RSS bound 300 MB: ${result.maxRssBytes < RSS_BOUND_BYTES ? 'within' : 'EXCEEDED'}`,
          }),
    );
  }
  return rows;
}

interface WindowCount {
  readonly events: number;
  readonly windows: number;
  readonly seconds: number;
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
    let best: WindowCount | null = null;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const [row] = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<{ windows: bigint; events: bigint }>;
      const seconds = (performance.now() - started) / 1000;
      if (best === null || seconds < best.seconds) best = { events: Number(row!.events), windows: Number(row!.windows), seconds };
    }
    return best!;
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

/** Runs `sw replay` on `file` (fastest of RUNS), or says why it cannot. */
function runSw(root: string, file: ActivityFile): (SwStats & { wallSeconds: number }) | { unavailable: string } {
  const help = spawnSync(process.execPath, ['bin/sw', 'replay', '--help'], { cwd: root, encoding: 'utf8' });
  if (help.status !== 0 || !help.stdout.includes('--stats-json')) {
    return { unavailable: 'not available: this build has no `sw replay --stats-json`' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-'));
  try {
    let best: (SwStats & { wallSeconds: number }) | null = null;
    for (let i = 0; i < RUNS; i++) {
      const statsPath = join(dir, `stats-${i}.json`);
      const started = performance.now();
      const child = spawnSync(
        process.execPath,
        ['bin/sw', 'replay', file.path, '--pipeline', PIPELINE, '--speed', 'max', '--out', '/dev/null', '--stats-json', statsPath],
        { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const wallSeconds = (performance.now() - started) / 1000;
      if (child.status !== 0) {
        const reason = (child.stderr ?? '').trim().split('\n').pop() || `exit ${child.status ?? child.signal}`;
        return { unavailable: `sw failed: ${reason}` };
      }
      const stats = JSON.parse(readFileSync(statsPath, 'utf8')) as SwStats;
      if (best === null || stats.seconds < best.seconds) best = { ...stats, wallSeconds };
    }
    return best!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
