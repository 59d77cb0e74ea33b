import type { Command } from 'commander';
import { explainPattern } from '../engine/cep/explain.js';
import { PatternOperator } from '../engine/cep/pattern-operator.js';
import { formatTrace, keyMatches, PatternTrace } from '../engine/cep/pattern-trace.js';
import type { PatternStepSpec, PipelineSpec } from '../engine/spec.js';
import { SpecError } from '../errors.js';
import { Replay } from '../replay/replay.js';
import { compileSpec } from '../spec/compile.js';
import { loadPipeline } from '../spec/load.js';

/** The named pattern step of a pipeline, or a SpecError listing the pattern steps there are. */
function patternStep(spec: PipelineSpec, path: string, name: string): PatternStepSpec {
  const step = spec.steps.find((s) => s.name === name);
  const patterns = spec.steps.filter((s) => s.kind === 'pattern').map((s) => s.name);
  if (step === undefined || step.kind !== 'pattern')
    throw new SpecError(`${path}: steps.${name} is ${step === undefined ? 'not defined' : `a ${step.kind} step`}; pattern steps: ${patterns.join(', ') || 'none'}`);
  return step;
}

export function registerPattern(program: Command): void {
  const pattern = program
    .command('pattern')
    .description('See how a pattern step matches: its compiled NFA, and a trace of one key')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sw pattern explain scenarios/binge.pipeline.yaml --step binge\n  $ sw pattern trace scenarios/binge.jsonl --pipeline scenarios/binge.pipeline.yaml --step binge --key u3',
    );

  pattern
    .command('explain')
    .description('Print the compiled NFA of a pattern step: its states and TAKE / IGNORE / PROCEED edges')
    .argument('<spec>', 'pipeline spec (YAML, JSON or .pipeline.ts)')
    .requiredOption('--step <name>', 'the pattern step')
    .option('--json', 'print the pattern spec and the explanation as JSON')
    .addHelpText(
      'after',
      `
TAKE stores the event in the stage, IGNORE skips it and stays, PROCEED moves on without consuming it.
Examples:
  $ sw pattern explain scenarios/binge.pipeline.yaml --step binge
  $ sw pattern explain orders.pipeline.yaml --step unpaid --json`,
    )
    .action(async (path: string, flags: { step: string; json?: boolean }) => {
      const spec = await loadPipeline(path);
      const step = patternStep(spec, path, flags.step);
      let text: string;
      try {
        text = explainPattern(step.pattern);
      } catch (error) {
        throw new SpecError(`${path}: steps.${step.name}.${(error as Error).message}`);
      }
      process.stdout.write(flags.json ? JSON.stringify({ step: step.name, pattern: step.pattern, explain: text.split('\n') }) + '\n' : text + '\n');
    });

  pattern
    .command('trace')
    .description('Replay a recording through one pattern step and show, event by event, why a key did or did not match')
    .argument('<recording>', 'a .jsonl, .jsonl.gz or SQLite recording')
    .requiredOption('-p, --pipeline <spec>', 'pipeline spec')
    .requiredOption('--step <name>', 'the pattern step')
    .requiredOption('--key <k>', 'the key to follow (its text, or JSON for composite keys: ["u1","tv"])')
    .option('--json', 'one JSON line per trace entry')
    .addHelpText(
      'after',
      `
For each record of the key: the stage conditions that passed or failed, partial matches created,
dropped (contiguity broken), stopped (a notNext / notFollowedBy event), pruned (skip strategy),
timed out (within) or completed, and the partial matches still alive.
Examples:
  $ sw pattern trace scenarios/binge.jsonl --pipeline scenarios/binge.pipeline.yaml --step binge --key u3
  $ sw pattern trace orders.jsonl -p orders.pipeline.yaml --step unpaid --key '["u1","web"]' --json`,
    )
    .action(async (recording: string, flags: { pipeline: string; step: string; key: string; json?: boolean }) => {
      const spec = await loadPipeline(flags.pipeline);
      const step = patternStep(spec, flags.pipeline, flags.step);
      const compiled = compileSpec({ ...spec, steps: [step] });
      const operator = compiled.operators[0];
      if (!(operator instanceof PatternOperator)) throw new SpecError(`${flags.pipeline}: steps.${flags.step} did not compile to a pattern operator`);
      const trace = new PatternTrace(flags.key);
      operator.observe(trace);
      const matches: unknown[] = [];
      const replay = new Replay({ recording, compiled, speed: Infinity, deadLetterPath: null });
      replay.onOutput((record) => {
        if ((record.kind === 'match' || record.kind === 'timeout') && keyMatches(record.key, flags.key)) matches.push(record);
      });
      await replay.run();
      const entries = trace.meaningful;
      if (flags.json) {
        for (const entry of entries) process.stdout.write(JSON.stringify(entry) + '\n');
        return;
      }
      if (entries.length === 0) {
        process.stdout.write(`no records of key ${flags.key} reached steps.${flags.step} (check --key, the step's where and keyBy)\n`);
        return;
      }
      process.stdout.write(formatTrace(entries) + '\n');
      process.stdout.write(`${matches.length} match / timeout record(s) for key ${flags.key}\n`);
    });
}
