import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Command } from 'commander';
import chalk from 'chalk';
import { UsageError } from '../errors.js';
import { SCENARIOS, findScenario, scenarioPath, type Scenario } from '../scenarios/catalogue.js';
import { checkScenario } from '../scenarios/check-scenario.js';
import { runReplay } from './replay.js';
import { addStateOptions, type StateFlags } from '../state/state-flags.js';

export function registerScenarios(program: Command): void {
  const scenarios = program
    .command('scenarios')
    .description('The built-in scenarios: every pipeline of the source documents, with recordings and ground truth')
    .addHelpText(
      'after',
      `
Examples:
  $ sw scenarios list
  $ sw scenarios show media
  $ sw scenarios run ecommerce --out results.jsonl
  $ sw scenarios run security --check        # recall and false positives against the ground truth`,
    );

  scenarios
    .command('list')
    .description('Name, domain, steps and source document of each scenario')
    .option('--json', 'print the catalogue as JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json) {
        const rows = SCENARIOS.map((s) => ({ name: s.name, domain: s.domain, source: s.source, recording: s.recording, pipeline: s.pipeline, steps: s.steps.map((t) => t.name) }));
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const width = Math.max(...SCENARIOS.map((s) => s.name.length));
      const domainWidth = Math.max(...SCENARIOS.map((s) => s.domain.length));
      for (const s of SCENARIOS) {
        process.stdout.write(`${chalk.bold(s.name.padEnd(width))}  ${s.domain.padEnd(domainWidth)}  ${s.source}\n`);
        process.stdout.write(`${' '.repeat(width + domainWidth + 4)}${chalk.dim(`steps: ${s.steps.map((t) => t.name).join(', ')}`)}\n`);
      }
    });

  scenarios
    .command('show')
    .description('A scenario: its steps, its pipeline and how to run it')
    .argument('<name>', 'a scenario name (see sw scenarios list)')
    .action((name: string) => {
      const s = scenarioNamed(name);
      const out: string[] = [];
      out.push(`${chalk.bold(s.name)} (${s.domain}): ${s.source}`);
      out.push(`recording: ${s.recording}`, `pipeline:  ${s.pipeline}`, `made by:   ${s.synth}`, '', 'steps:');
      for (const step of s.steps) {
        const finds = (step.probes ?? []).map((p) => `${p.kinds.join(' + ')}${p.flagged ? ` (${p.flagged})` : ''}`);
        out.push(`  ${step.name.padEnd(28)} ${step.source}${finds.length > 0 ? chalk.dim(`; finds ${finds.join(', ')}`) : ''}`);
      }
      out.push('', 'run:', `  sw scenarios run ${s.name} --out results.jsonl`, `  sw replay ${s.recording} --pipeline ${s.pipeline} --speed max --out results.jsonl`);
      out.push('', chalk.dim(`── ${s.pipeline} ──`), readFileSync(scenarioPath(s.pipeline), 'utf8').trimEnd());
      process.stdout.write(out.join('\n') + '\n');
    });

  const run = scenarios
    .command('run')
    .description('Replay a scenario (live view on a terminal, headless otherwise), or check it against its ground truth')
    .argument('<name>', 'a scenario name (see sw scenarios list)')
    .option('-s, --speed <speed>', 'event-time speed: 100x plays gaps 100 times faster; max as fast as possible', 'max')
    .option('-o, --out <results.jsonl>', 'write output records here (default: stdout)')
    .option('--no-ui', 'never open the live view')
    .option('--json', 'print the run summary (or the --check scores) as JSON')
    .option('--check', 'score the steps against the recording\'s .truth.jsonl: recall and false positives');
  addStateOptions(run)
    .action(async (name: string, flags: { speed: string; out?: string; ui: boolean; json?: boolean; check?: boolean } & StateFlags) => {
      const s = scenarioNamed(name);
      if (flags.check) return printCheck(s, flags.json === true);
      await runReplay(relativeToHere(scenarioPath(s.recording)), {
        pipeline: relativeToHere(scenarioPath(s.pipeline)),
        speed: flags.speed,
        ui: flags.ui,
        ...(flags.out === undefined ? {} : { out: flags.out }),
        ...(flags.json ? { json: true } : {}),
        stateBackend: flags.stateBackend,
        stateDb: flags.stateDb,
        stateCache: flags.stateCache,
      });
    });
}

function scenarioNamed(name: string): Scenario {
  const s = findScenario(name);
  if (!s) throw new UsageError(`scenario "${name}" does not exist; choose one of ${SCENARIOS.map((x) => x.name).join(', ')} (sw scenarios list)`);
  return s;
}

/** Paths printed in summaries read better relative to where the user stands. */
function relativeToHere(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') && rel.split('/').filter((p) => p === '..').length > 2 ? path : rel;
}

async function printCheck(s: Scenario, json: boolean): Promise<void> {
  const check = await checkScenario(s);
  if (json) {
    process.stdout.write(JSON.stringify({ scenario: s.name, ...check, probes: check.probes.map(({ missed, ...p }) => ({ ...p, missed: missed.length })) }, null, 2) + '\n');
  } else {
    for (const p of check.probes) {
      const mark = p.found === p.cases ? chalk.green('✔') : chalk.red('✘');
      process.stdout.write(
        `${mark} ${p.step.padEnd(28)} ${p.kinds.join(' + ').padEnd(28)} found ${p.found}/${p.cases}, ${p.falsePositives} other results (of ${p.results}; ${p.flagged})\n`,
      );
      for (const m of p.missed) process.stdout.write(`    missed ${m.kind} ${m.key ?? '(no key)'} ${new Date(m.start).toISOString()}–${new Date(m.end).toISOString()}\n`);
    }
  }
  if (check.probes.some((p) => p.found < p.cases)) process.exitCode = 1;
}
