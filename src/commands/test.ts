import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import chalk from 'chalk';
import { SpecError, UsageError } from '../errors.js';
import { findCases, readExpected, runCase } from '../golden/golden-case.js';
import { diffRecords, formatDiff, isClean } from '../golden/golden-diff.js';
import { existsSync, statSync } from 'node:fs';
import { addStateOptions, openRunState, type StateFlags } from '../state/state-flags.js';

export function registerTest(program: Command): void {
  const command = program
    .command('test')
    .description('Golden tests: replay each case folder (input, pipeline, expected.jsonl) headless and compare')
    .argument('[dir]', 'a case folder, or a folder searched for case folders', '.')
    .option('--update', 'rewrite expected.jsonl from the actual output (deliberately), saying what changed')
    .option('--limit <n>', 'records shown per diff section', '10');
  addStateOptions(command)
    .addHelpText(
      'after',
      `
A case folder holds input.jsonl (or .jsonl.gz/.db), pipeline.yaml (or .yml/.json/.ts) and
expected.jsonl. The last line of output is "N passed, N failed"; the exit code is 1 on any failure.

Examples:
  $ sw test test/golden
  $ sw test pipelines/trending            # one case
  $ sw test test/golden --update          # accept the new output, printing what changed
  $ sw test test/golden --state-backend sqlite --state-cache 8   # the same cases with state spilled to SQLite`,
    )
    .action(async (dir: string, flags: { update?: boolean; limit: string } & StateFlags) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a folder; give a case folder or a folder of cases`);
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${flags.limit}: give a whole number ≥ 1`);
      const cases = findCases(dir);
      if (cases.length === 0) throw new UsageError(`${dir}: no case folders (each needs input.jsonl and pipeline.yaml, or a case.yaml naming them)`);
      let passed = 0;
      let failed = 0;
      for (const c of cases) {
        let actual: string[];
        try {
          // A state store per case: each starts empty, as a fresh run does.
          const state = openRunState(flags);
          try {
            actual = (await runCase(c, { stateBackend: state.stateBackend, keySpill: state.keySpill })).actual;
          } finally {
            state.close();
          }
        } catch (error) {
          if (error instanceof UsageError) throw error;
          failed++;
          const reason = error instanceof Error ? error.message : String(error);
          process.stdout.write(`${chalk.red('✘')} ${c.name}: ${error instanceof SpecError ? '' : 'error: '}${reason}\n`);
          continue;
        }
        const expected = readExpected(c);
        const diff = diffRecords(expected ?? [], actual);
        if (flags.update) {
          writeFileSync(c.expected, actual.map((l) => l + '\n').join(''));
          const what = expected === null
            ? `created with ${actual.length} records`
            : isClean(diff)
              ? 'unchanged'
              : `${diff.missing.length} removed, ${diff.unexpected.length} added, ${diff.changed.length} changed${diff.orderDiffersAt !== null ? ', reordered' : ''}`;
          process.stdout.write(`${chalk.cyan('↻')} ${c.name}: ${what}\n`);
          if (expected !== null && !isClean(diff)) for (const line of formatDiff(diff, limit)) process.stdout.write(`    ${line}\n`);
          passed++;
          continue;
        }
        if (expected === null) {
          failed++;
          process.stdout.write(`${chalk.red('✘')} ${c.name}: no expected.jsonl; run sw test ${c.dir} --update to create it\n`);
        } else if (isClean(diff)) {
          passed++;
          process.stdout.write(`${chalk.green('✔')} ${c.name} (${actual.length} records)\n`);
        } else {
          failed++;
          process.stdout.write(`${chalk.red('✘')} ${c.name}\n`);
          for (const line of formatDiff(diff, limit)) process.stdout.write(`    ${line}\n`);
        }
      }
      process.stdout.write(`${passed} passed, ${failed} failed\n`);
      if (failed > 0) process.exitCode = 1;
    });
}
