import { Command, CommanderError } from 'commander';
import { UsageError, SpecError, InputError, exitCodeOf } from './errors.js';

type Register = (program: Command) => void;

/**
 * Each command lives in its own file under commands/ and is loaded only when it runs: a headless
 * replay should not pay for faker's locales or ink (0.3 s of CPU at start-up otherwise).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  replay: async () => (await import('./commands/replay.js')).registerReplay,
  test: async () => (await import('./commands/test.js')).registerTest,
  pattern: async () => (await import('./commands/pattern.js')).registerPattern,
  scenarios: async () => (await import('./commands/scenarios.js')).registerScenarios,
  synth: async () => (await import('./commands/synth.js')).registerSynth,
  quality: async () => (await import('./commands/quality.js')).registerQuality,
  design: async () => (await import('./commands/design.js')).registerDesign,
  export: async () => (await import('./commands/export.js')).registerExport,
  record: async () => (await import('./commands/record.js')).registerRecord,
  savepoint: async () => (await import('./commands/savepoint.js')).registerSavepoint,
};

/** Builds the `sw` program with the command named in argv, or every command for help. */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('sw')
    .description('The stream workbench: replay streams through an event-time engine with Flink semantics')
    .version('0.1.0')
    .addHelpText(
      'after',
      `
Examples:
  $ sw replay scenarios/binge.jsonl --speed 100x
  $ sw replay scenarios/binge.jsonl --speed max --out results.jsonl
  $ sw test test/golden
  $ sw synth media --seed 1 --duration 1d --out day.jsonl
  $ sw quality check day.jsonl --fail-on HIGH
  $ sw design --velocity high --exactly-once
  $ sw export flink-sql scenarios/binge.pipeline.yaml --out binge.sql`,
    );
  program.exitOverride();
  const named = argv[2];
  const wanted = named !== undefined && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  for (const name of wanted) (await COMMANDS[name]!())(program);
  quietUsageErrors(program);
  return program;
}

/**
 * Commander prints a usage mistake as two lines ("error: ..." and a help hint); the contract
 * wants one line naming the place and the fix, so commander stays silent and main() prints it.
 */
function quietUsageErrors(command: Command): void {
  command.configureOutput({ outputError: () => {} }).showHelpAfterError(false);
  for (const sub of command.commands) quietUsageErrors(sub);
}

/** "sw replay x --bogus" → "replay": the command path the arguments name, for the help hint. */
function commandPath(program: Command, argv: readonly string[]): string {
  const names: string[] = [];
  let current = program;
  for (const arg of argv.slice(2)) {
    const sub = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub === undefined) break;
    names.push(sub.name());
    current = sub;
  }
  return names.join(' ');
}

/** One line: `sw: replay: unknown option '--bogus'; see sw replay --help`. */
export function usageLine(program: Command, argv: readonly string[], message: string): string {
  const path = commandPath(program, argv);
  const what = message.replace(/^error: /i, '').trim();
  return `sw: ${path === '' ? '' : `${path}: `}${what}; see sw ${path === '' ? '' : `${path} `}--help\n`;
}

export async function main(argv: string[]): Promise<void> {
  // `sw ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; a usage mistake is "invalid command-line input" (2).
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      // 'commander.help': a command group without its subcommand; its help went to stderr already.
      if (error.exitCode !== 0 && error.code !== 'commander.help') process.stderr.write(usageLine(program, argv, error.message));
      return;
    }
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sw: ${code === 3 && !(error instanceof InputError) ? `internal error: ${error instanceof Error ? error.stack : message}` : message}\n`);
    process.exitCode = code;
  }
}

export { UsageError, SpecError, InputError };
