/**
 * `npm run bench`: runs every suite in bench/suites/ (or the one named by `--only <suite>`),
 * prints one table and writes bench/results.json. `--large` adds the slow measurements.
 * Speed targets live here, never in timed tests.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Table from 'cli-table3';
import type { BenchOptions, BenchRow, BenchSuite } from './suite.js';

/** Three alternating rounds: the least that shows which runs a burst of machine load spoiled. */
const DEFAULT_RUNS = 3;

const USAGE = `usage: node dist/bench/run.js [--only <suite>] [--large] [--runs <n>]

  --only <suite>  run one suite (engine-window, field-reader, ...)
  --large         also run the slow measurements (generates the 10M-event file once, ~1.3 GB,
                  for the engine-window RSS row when it is not in .bench/ yet)
  --runs <n>      alternating rounds of engine-window's subjects, runs of each cep row (at least 3,
                  after a warm-up run) and of its CLI row (default ${DEFAULT_RUNS}); rounds of the
                  checkpoint suite (plain, checkpointed, plain; at least 3) and of the live-view
                  suite (headless, live, control; at least 5); figures are the best of the rounds,
                  with medians and ranges where a suite gives them

Examples:
  $ npm run bench
  $ npm run build && node dist/bench/run.js --only field-reader
  $ node dist/bench/run.js --only engine-window --runs 5`;

interface Arguments {
  only: string | null;
  large: boolean;
  runs: number;
}

function parseArguments(argv: string[]): Arguments {
  const parsed: Arguments = { only: null, large: false, runs: DEFAULT_RUNS };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--large') parsed.large = true;
    else if (argument === '--only' && i + 1 < argv.length) parsed.only = argv[++i]!;
    else if (argument === '--runs' && i + 1 < argv.length) {
      const runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 1) {
        process.stderr.write(`bench: --runs ${argv[i]}: not a whole number of rounds; use 1 or more, e.g. --runs 5\n`);
        process.exit(2);
      }
      parsed.runs = runs;
    }
    else if (argument === '--help' || argument === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`bench: unknown argument ${argument}\n${USAGE}\n`);
      process.exit(2);
    }
  }
  return parsed;
}

/** The repository root: the nearest folder above this file with a package.json (works from dist/ and from source). */
function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`bench: no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

async function loadSuites(only: string | null): Promise<BenchSuite[]> {
  const here = dirname(fileURLToPath(import.meta.url));
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const files = readdirSync(join(here, 'suites')).filter((file) => file.endsWith(extension) && !file.endsWith('.d.ts')).sort();
  const suites: BenchSuite[] = [];
  for (const file of files) suites.push((await import(pathToFileURL(join(here, 'suites', file)).href)) as BenchSuite);
  if (only === null) return suites;
  const chosen = suites.filter((suite) => suite.name === only);
  if (chosen.length === 0) {
    process.stderr.write(`bench: no suite named ${only}; suites: ${suites.map((suite) => suite.name).join(', ')}\n`);
    process.exit(2);
  }
  return chosen;
}

function formatRow(row: BenchRow): string[] {
  const number = (value: number | undefined, digits: number) => (value === undefined ? '' : value.toLocaleString('en', { maximumFractionDigits: digits }));
  return [
    row.suite,
    row.subject,
    number(row.events, 0),
    number(row.seconds, 2),
    number(row.eventsPerSec, 0),
    number(row.cpuSeconds, 2),
    number(row.eventsPerCpuSec, 0),
    row.maxRssBytes === undefined ? '' : number(row.maxRssBytes / (1 << 20), 0),
    row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`,
    row.cpuRatio === undefined ? '' : `${row.cpuRatio.toFixed(2)}×`,
    row.note ?? '',
  ];
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const root = findRoot(dirname(fileURLToPath(import.meta.url)));
  const options: BenchOptions = { root, large: args.large, runs: args.runs };
  const rows: BenchRow[] = [];
  let failed = false;
  // Wall-clock figures are low and drift on a machine busy with other work; the CPU columns hold.
  const [load] = loadavg();
  if (load! > cpus().length) process.stderr.write(`bench: load average ${load!.toFixed(1)} on ${cpus().length} cores; wall-clock figures will be low and noisy; compare the CPU columns\n`);
  for (const suite of await loadSuites(args.only)) {
    process.stderr.write(`bench: ${suite.name}...\n`);
    try {
      rows.push(...(await suite.run(options)));
    } catch (error) {
      failed = true;
      rows.push({ suite: suite.name, subject: 'suite', note: `failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  // cli-table3 colours its header and borders whatever the output is: only on a terminal, and not under NO_COLOR.
  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const table = new Table({
    head: ['suite', 'subject', 'events', 'wall s', 'events/s', 'CPU s', 'events/CPU s', 'RSS MB', 'ratio', 'CPU ratio', 'note'],
    ...(colour ? {} : { style: { head: [], border: [] } }),
  });
  for (const row of rows) table.push(formatRow(row));
  process.stdout.write(`${table.toString()}\n`);

  // --only keeps the other suites' last figures, so results.json always holds every suite.
  const resultsPath = join(root, 'bench', 'results.json');
  const ran = new Set(rows.map((row) => row.suite));
  const previous = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as { rows?: BenchRow[] }).rows ?? [] : [];
  const results = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores)`,
    loadAverage: loadavg()[0],
    rows: [...previous.filter((row) => !ran.has(row.suite)), ...rows],
  };
  writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
  process.stderr.write(`bench: wrote ${resultsPath}\n`);
  if (failed) process.exitCode = 1;
}

await main();
