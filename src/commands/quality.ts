import { fstatSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { InputError } from '../errors.js';
import { eventTimeMs } from '../quality/event-time.js';

// The quality modules (yaml, cli-table3, safe-regex2) load only when a quality command runs,
// so they add nothing to the start-up of every other `sw` command.
const DEFAULT_MAX_ENUM = 20; // profile.ts DEFAULT_MAX_ENUM, repeated to keep that module lazy

/**
 * `sw quality check` and `sw quality profile` (cli-contract.md). Exit codes of `check`:
 * 0 all pass, 1 warnings only, 2 failures at or above --fail-on, 3 an error — so a bad flag here
 * is 3, not commander's usual 2, which would read as "checks failed".
 */
export function registerQuality(program: Command): void {
  const quality = program
    .command('quality')
    .description('Data-quality checks over a recorded or piped stream (schema, completeness, freshness, ranges, patterns, duplicates, references, anomalies)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sw quality profile scenarios/media.jsonl > media.rules.yaml\n  $ sw quality check scenarios/media.jsonl --rules media.rules.yaml --fail-on HIGH',
    );

  const check = quality
    .command('check')
    .description('Run a rule set over a stream in one pass and report per rule, with a quality score')
    .argument('<recording>', 'a .jsonl or .jsonl.gz recording, or - for standard input')
    .option('--rules <rules.yaml>', "the rules file; without it a built-in set (media, ecommerce, financial or generic) is chosen from the records' fields")
    .addOption(new Option('--fail-on <severity>', 'lowest severity whose failure exits 2; failures below it only warn (exit 1)').default('HIGH'))
    .option('--json', 'print the report as JSON')
    .option('--markdown', 'print the report as Markdown')
    .option('--quarantine <file>', 'write failing records (with line, rule ids and messages) and malformed lines as JSON Lines')
    .option('--now [time]', "judge freshness against the wall clock or the given time (epoch ms or ISO-8601) instead of the stream's own event-time clock (the default for a file)")
    .option('--event-clock', "judge freshness against the stream's own event-time clock even on piped standard input (a recording: zcat rec.gz | sw quality check - --event-clock)")
    .addOption(new Option('--examples <n>', 'first failing records listed per rule').default('5'))
    .addHelpText(
      'after',
      `
Exit codes: 0 all rules pass, 1 warnings only (rules failing below --fail-on, malformed lines),
2 a rule at or above --fail-on failed, 3 an error (bad rules file, unreadable input, bad flag).

Examples:
  $ sw quality check scenarios/media.jsonl
  $ sw quality check orders.jsonl.gz --rules rules/orders.yaml --fail-on CRITICAL
  $ sw quality check tx.jsonl --rules rules.yaml --json > report.json
  $ sw quality check tx.jsonl --quarantine bad.jsonl --markdown >> "$GITHUB_STEP_SUMMARY"
  $ tail -f live.jsonl | sw quality check - --rules rules.yaml   # live: freshness against now
  $ zcat old.jsonl.gz | sw quality check - --event-clock`,
    )
    .action(async (recording: string, options: CheckFlags) => {
      const { runQualityCheck } = await import('../quality/check-run.js');
      const { parseSeverity } = await import('../quality/monitor.js');
      const { renderJson, renderMarkdown, renderTerminal, verdictOf } = await import('../quality/report-render.js');
      const failOn = parseSeverity(options.failOn);
      if (failOn === undefined) throw new InputError(`--fail-on ${options.failOn}: expected LOW, MEDIUM, HIGH or CRITICAL`);
      if (options.json && options.markdown) throw new InputError('--json and --markdown: choose one output format');
      if (options.eventClock && options.now !== undefined) throw new InputError('--now and --event-clock: choose one clock for freshness');
      // Standard input from a pipe or a terminal is live input: freshness is age against now
      // (issue 8). A file redirected into stdin (< rec.jsonl) is a recording: its own event-time clock.
      const live = recording === '-' && !options.eventClock && options.now === undefined && !stdinIsFile();
      const now = options.now !== undefined ? clockOf(options.now) : live ? Date.now : undefined;
      const examples = Number(options.examples);
      if (!Number.isInteger(examples) || examples < 0) throw new InputError(`--examples ${options.examples}: expected a whole number, e.g. --examples 10`);
      const run = await runQualityCheck({
        input: recording,
        ...(options.rules !== undefined ? { rules: options.rules } : {}),
        ...(options.quarantine !== undefined ? { quarantine: options.quarantine } : {}),
        ...(now !== undefined ? { now } : {}),
        examples,
      });
      const color = process.stdout.isTTY === true && !process.env['NO_COLOR'];
      const text = options.json ? renderJson(run, failOn) : options.markdown ? renderMarkdown(run, failOn) : renderTerminal(run, failOn, color);
      process.stdout.write(text);
      if (run.rulesSource.startsWith('default:')) {
        process.stderr.write(`sw quality: no --rules given; used the built-in ${run.rulesSource.slice('default:'.length)} rule set\n`);
      }
      if (live) process.stderr.write('sw quality: standard input is live input; freshness is measured against the wall clock (--event-clock for a piped recording)\n');
      process.exitCode = verdictOf(run, failOn).code;
    });

  const profile = quality
    .command('profile')
    .description('Profile a stream in one pass and print a starter rules file (fields, types, null ratios, ranges, enums, key candidates)')
    .argument('<recording>', 'a .jsonl or .jsonl.gz recording, or - for standard input')
    .option('--out <rules.yaml>', 'write the rules file here instead of standard output')
    .addOption(new Option('--max-enum <n>', 'string fields with at most this many distinct values become allowed_values').default(String(DEFAULT_MAX_ENUM)))
    .addHelpText(
      'after',
      `
Examples:
  $ sw quality profile scenarios/media.jsonl > media.rules.yaml
  $ sw quality profile tx.jsonl.gz --out rules.yaml && sw quality check tx.jsonl.gz --rules rules.yaml`,
    )
    .action(async (recording: string, options: { out?: string; maxEnum: string }) => {
      const { Profiler, starterRules } = await import('../quality/profile.js');
      const { scanRecords } = await import('../quality/record-stream.js');
      const maxEnum = Number(options.maxEnum);
      if (!Number.isInteger(maxEnum) || maxEnum < 1) throw new InputError(`--max-enum ${options.maxEnum}: expected a whole number of at least 1`);
      const profiler = new Profiler(maxEnum);
      await scanRecords(recording, {
        record: (record) => profiler.observe(record),
        malformed: () => profiler.observeMalformed(),
      });
      const result = profiler.profile();
      if (result.records === 0) throw new InputError(`${recording}: no JSON records to profile; check the file`);
      const yaml = starterRules(result, recording === '-' ? 'standard input' : recording, maxEnum);
      if (options.out === undefined) {
        process.stdout.write(yaml);
        return;
      }
      try {
        writeFileSync(options.out, yaml);
      } catch (error) {
        throw new InputError(`${options.out}: cannot write the rules file (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the folder`);
      }
      process.stderr.write(`sw quality: wrote ${options.out} (${result.records} records profiled)\n`);
    });

  for (const command of [quality, check, profile]) exitThree(command);
}

interface CheckFlags {
  rules?: string;
  failOn: string;
  json?: boolean;
  markdown?: boolean;
  quarantine?: string;
  now?: string | boolean;
  eventClock?: boolean;
  examples: string;
}

function stdinIsFile(): boolean {
  try {
    return fstatSync(0).isFile();
  } catch {
    return false;
  }
}

function clockOf(now: string | boolean): () => number {
  if (now === true) return Date.now;
  const fixed = /^\d+$/.test(String(now)) ? Number(now) : eventTimeMs(now);
  if (Number.isNaN(fixed)) throw new InputError(`--now ${String(now)}: expected epoch ms or an ISO-8601 time, or --now alone for the wall clock`);
  return () => fixed;
}

/** Command-line mistakes under `sw quality` exit 3 with one line, since 2 means "checks failed". */
function exitThree(command: Command): void {
  command.configureOutput({ outputError: () => {} }).showHelpAfterError(false);
  command.exitOverride((error: CommanderError) => {
    if (error.exitCode === 0) throw error;
    const name = command.name() === 'quality' ? 'quality' : `quality ${command.name()}`;
    throw new InputError(`${name}: ${error.message.replace(/^error: /, '')}; see sw ${name} --help`);
  });
}
