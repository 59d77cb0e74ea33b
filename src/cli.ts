import { Command, CommanderError } from 'commander';
import { UsageError, SpecError, InputError, exitCodeOf } from './errors.js';
import { registerDesign } from './commands/design.js';
import { registerReplay } from './commands/replay.js';
import { registerTest } from './commands/test.js';
import { registerSynth } from './commands/synth.js';
import { registerQuality } from './commands/quality.js';
import { registerPattern } from './commands/pattern.js';
import { registerScenarios } from './commands/scenarios.js';

/** Builds the `sw` program; each command lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('sw')
    .description('The stream workbench: replay streams through an event-time engine with Flink semantics')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage and examples)')
    .addHelpText(
      'after',
      `
Examples:
  $ sw replay scenarios/binge.jsonl --speed 100x
  $ sw replay scenarios/binge.jsonl --speed max --out results.jsonl`,
    );
  program.exitOverride();
  registerReplay(program);
  registerTest(program);
  registerSynth(program);
  registerDesign(program);
  registerQuality(program);
  registerPattern(program);
  registerScenarios(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
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
