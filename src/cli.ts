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
    .showHelpAfterError('(run with --help for usage and examples)')
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
  return program;
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
      return;
    }
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sw: ${code === 3 && !(error instanceof InputError) ? `internal error: ${error instanceof Error ? error.stack : message}` : message}\n`);
    process.exitCode = code;
  }
}

export { UsageError, SpecError, InputError };
