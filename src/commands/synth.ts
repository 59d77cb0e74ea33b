import { Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { UsageError, InputError } from '../errors.js';
import { parseSpan, parseRateProfile } from '../synth/rate-profile.js';
import { parseFaults } from '../synth/faults.js';
import { DOMAINS, synthesize, type DomainName, type SynthOutput, type SynthRequest } from '../synth/synthesize.js';
import { JsonlOutput, SqliteOutput } from '../synth/output.js';
import { isSqlitePath } from '../replay/sqlite-recording.js';

interface SynthFlags {
  seed?: string;
  count?: string;
  duration?: string;
  out?: string;
  truth?: string;
  rate: string;
  entities: string;
  skew: string;
  userSkew: string;
  faults?: string;
  start: string;
  cases?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('Synthesize a stream (media, ecommerce or financial) with injected cases, faults and a ground-truth sidecar')
    .argument('<domain>', `one of ${DOMAINS.join(', ')}`)
    .option('--seed <n>', 'seed: the same seed and options give byte-identical output (required)')
    .option('--count <n>', 'number of events to write (duplicate faults add copies on top)')
    .option('--duration <event-time>', 'event time to cover, e.g. 90m, 1d (instead of --count)')
    .option('--out <file>', 'output: .jsonl (default: stdout) or a SQLite recording .db/.sqlite')
    .option('--truth <file>', 'ground-truth path (default: <out minus extension>.truth.jsonl; needed to get one with stdout)')
    .option('--rate <profile>', 'events per event-time second: constant:200/s | diurnal:20-400/s[@20h] | spike:200/s,x10,2m/1h', 'constant:100/s')
    .option('--entities <n>', 'number of users / shoppers / account holders', '2000')
    .option('--skew <s>', 'Zipf exponent of content, product and merchant popularity (0 = uniform)', '1.1')
    .option('--user-skew <s>', 'Zipf exponent of how active users are', '0.6')
    .option('--faults <spec>', 'e.g. late:0.01@30s-5m,disorder:0.05@0-3s,dup:0.005,missing:0.002,malformed:0.001')
    .option('--start <iso time>', 'event time of the first record', '2026-01-01T06:00:00Z')
    .option('--cases <n>', 'injected cases per kind (default: one per 10,000 events, at least 2)')
    .option('--json', 'print the summary as JSON (stdout with --out, else stderr)')
    .addOption(new Option('--quiet', 'no summary or progress on stderr').hideHelp())
    .addHelpText(
      'after',
      `
Examples:
  $ sw synth media --seed 7 --count 100000 --out media.jsonl
  $ sw synth ecommerce --seed 1 --duration 1d --rate diurnal:20-400/s --out shop.db
  $ sw synth financial --seed 3 --duration 6h --faults late:0.01@30s-5m,dup:0.005 --out fin.jsonl
  $ sw synth media --seed 7 --count 1000 | head

Timestamps are epoch milliseconds in the field "timestamp". The truth sidecar lists every
injected case and fault as {kind, key, time, line, ...}; see docs/synth.md.`,
    )
    .action(async (domain: string, flags: SynthFlags) => {
      const request = readRequest(domain, flags);
      const outPath = flags.out ?? null;
      const truthPath = flags.truth ?? (outPath ? truthPathFor(outPath) : null);
      const output: SynthOutput = outPath && isSqlitePath(outPath)
        ? new SqliteOutput(outPath, recordingMeta(request))
        : await JsonlOutput.open(outPath);
      const showProgress = !flags.quiet && process.stderr.isTTY === true;
      const began = Date.now();
      const summary = await synthesize(request, output, showProgress
        ? (events, fraction) => process.stderr.write(`\r  ${(events / 1e6).toFixed(2)}M events, ${Math.min(100, fraction * 100).toFixed(0)}%   `)
        : undefined);
      await output.close();
      if (showProgress) process.stderr.write('\r\x1b[K');
      if (truthPath) {
        try {
          await writeFile(truthPath, summary.truth.map((entry) => JSON.stringify(entry)).join('\n') + (summary.truth.length ? '\n' : ''));
        } catch (error) {
          throw new InputError(`${truthPath}: cannot write the ground truth (${(error as NodeJS.ErrnoException).code}); check the folder`);
        }
      }
      const seconds = (Date.now() - began) / 1000;
      if (flags.json) {
        const { truth: _truth, ...rest } = summary;
        const text = JSON.stringify({ ...rest, out: outPath, truth: truthPath, seconds }) + '\n';
        if (outPath) process.stdout.write(text);
        else process.stderr.write(text);
      } else if (!flags.quiet) {
        const cases = Object.entries(summary.cases).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
        const faults = Object.entries(summary.faults).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
        process.stderr.write(
          `sw synth: ${summary.lines} lines (${summary.events} events) of ${request.domain} to ${outPath ?? 'stdout'} in ${seconds.toFixed(1)} s; ` +
            `event time ${new Date(summary.start).toISOString()} - ${new Date(summary.end).toISOString()}; cases: ${cases}; faults: ${faults}` +
            `${truthPath ? `; truth: ${truthPath}` : ''}\n`,
        );
        if (output.stopped) process.stderr.write('sw synth: the reader closed the output; stopped early\n');
        else for (const [kind, why] of Object.entries(summary.skipped)) process.stderr.write(`sw synth: no ${kind} cases: ${why}\n`);
      }
    });
}

/** `out.jsonl` → `out.truth.jsonl`; `run.db` → `run.truth.jsonl`. */
export function truthPathFor(out: string): string {
  const slash = out.lastIndexOf('/');
  const dot = out.lastIndexOf('.');
  return `${dot > slash + 1 ? out.slice(0, dot) : out}.truth.jsonl`;
}

function readRequest(domain: string, flags: SynthFlags): SynthRequest {
  if (!(DOMAINS as readonly string[]).includes(domain)) {
    throw new UsageError(`sw synth ${domain}: unknown domain; use one of ${DOMAINS.join(', ')}`);
  }
  if (flags.seed === undefined) throw new UsageError('sw synth: --seed <n> is required (the same seed gives the same output)');
  const seed = integer(flags.seed, '--seed', -(2 ** 31), 2 ** 32 - 1);
  if ((flags.count === undefined) === (flags.duration === undefined)) {
    throw new UsageError('sw synth: give exactly one of --count <n> or --duration <event-time> (e.g. --count 100000 or --duration 1d)');
  }
  const count = flags.count === undefined ? undefined : integer(flags.count, '--count', 1, 1e12);
  const duration = flags.duration === undefined ? undefined : parseSpan(flags.duration, '--duration');
  if (duration !== undefined && duration <= 0) throw new UsageError('--duration: must be above zero');
  const start = Date.parse(flags.start);
  if (!Number.isFinite(start)) throw new UsageError(`--start ${flags.start}: not a time; write ISO-8601 like 2026-01-01T00:00:00Z`);
  parseRateProfile(flags.rate, start);
  if (flags.faults) parseFaults(flags.faults);
  if (flags.out !== undefined && !/\.(jsonl|ndjson|json|db|sqlite3?)$/i.test(flags.out)) {
    throw new UsageError(`--out ${flags.out}: end the name in .jsonl (JSON Lines) or .db / .sqlite (SQLite recording)`);
  }
  return {
    domain: domain as DomainName,
    seed,
    ...(count !== undefined ? { count } : {}),
    ...(duration !== undefined ? { duration } : {}),
    start,
    rate: flags.rate,
    entities: integer(flags.entities, '--entities', 10, 10_000_000),
    skew: decimal(flags.skew, '--skew'),
    userSkew: decimal(flags.userSkew, '--user-skew'),
    ...(flags.faults ? { faults: flags.faults } : {}),
    ...(flags.cases !== undefined ? { cases: integer(flags.cases, '--cases', 0, 1_000_000) } : {}),
  };
}

function integer(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(`${flag} ${text}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function decimal(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d*\.?\d+$/.test(text.trim()) || value > 10) throw new UsageError(`${flag} ${text}: expected a number from 0 to 10, e.g. 1.1`);
  return value;
}

function recordingMeta(request: SynthRequest): Record<string, string> {
  return {
    source: `sw synth ${request.domain}`,
    // The run's first event time, not the wall clock: identical runs give identical recordings.
    created: new Date(request.start).toISOString(),
    request: JSON.stringify(request),
  };
}
