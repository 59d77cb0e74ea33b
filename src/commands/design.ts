import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { buildDesign } from '../design/design-report.js';
import { flagLayer, loadConfigLayer, resolveRequest, type DesignFlags } from '../design/design-request.js';
import { measureRecording } from '../design/measure-recording.js';
import { renderMarkdown } from '../design/render-markdown.js';
import { renderTerminal, terminalChalk } from '../design/render-terminal.js';
import { reportSections } from '../design/report-sections.js';
import type { KeyField } from '../design/recording-profile.js';
import type { PipelineSpec } from '../engine/spec.js';
import { loadPipeline } from '../spec/load.js';
import { VELOCITIES, LATENCIES } from '../design/tiers.js';

interface DesignCommandFlags extends DesignFlags {
  readonly json?: boolean;
  readonly markdown?: boolean;
}

export function registerDesign(program: Command): void {
  program
    .command('design')
    .showHelpAfterError(false)
    .description("Size a streaming architecture: the document's tier, complexity and timeline, then Kafka and Flink numbers with their formulas")
    .option('--velocity <tier>', `throughput tier: ${VELOCITIES.join('|')}`)
    .option('--events-per-sec <n>', 'mean events per second (picks the tier)')
    .option('--event-bytes <size>', 'mean event size: 1024, 512B, 2KB (default 1024, or measured by --from)')
    .option('--peak-factor <x>', 'peak rate over mean rate (default 2, or measured by --from)')
    .option('--retention <duration>', 'Kafka retention: 7d, 24h (default 7d)')
    .option('--latency <budget>', `latency requirement: ${LATENCIES.join('|')} (default 1s)`)
    .option('--exactly-once', 'exactly-once delivery (Kafka transactions, checkpoint-aligned commits)')
    .option('--multi-region', 'deploy across regions')
    .option('--compliance <list>', 'compliance regimes, comma-separated: GDPR,SOX')
    .option('--replication <n>', 'Kafka replication factor (default 3)')
    .option('--consumers <n>', 'consumer parallelism (default: the Flink parallelism)')
    .option('--from <recording>', 'measure rate, peak, event size, keys and event-time disorder from a recording: .jsonl, .jsonl.gz, .db (- for stdin)')
    .option('--key <field>', 'key field to measure in --from (default: a guessed entity id such as userId)')
    .option('--time-field <field>', 'event-time field in --from: epoch ms or ISO-8601 (default timestamp)')
    .option('--pipeline <spec>', 'pipeline spec whose windows and patterns give the state size')
    .option('--config <file>', 'YAML file with any of these settings (camelCase) and an assumptions: mapping; flags override it')
    .option('--assume <name=value...>', 'override a sizing assumption, e.g. --assume producerMBpsPerPartition=20 (see docs/design.md)')
    .option('--json', 'print the design as one JSON object')
    .option('--markdown', 'print the design as Markdown')
    .addHelpText(
      'after',
      `
Examples:
  $ sw design --velocity high --exactly-once --multi-region --compliance GDPR,SOX --latency 10ms
  $ sw design --events-per-sec 25000 --event-bytes 700 --retention 3d --json
  $ sw design --from scenarios/binge.jsonl --pipeline scenarios/binge.pipeline.yaml
  $ sw design --config design.yaml --assume slotEventsPerSec=25000 --markdown`,
    )
    .action(async (flags: DesignCommandFlags) => {
      if (flags.json && flags.markdown) throw new UsageError('--json and --markdown both given; choose one output format');
      const config = flags.config ? await loadConfigLayer(flags.config) : {};
      const request = resolveRequest(config, flagLayer(flags), flags.config);
      const pipeline = request.pipeline ? await loadPipeline(request.pipeline) : undefined;
      const profile = request.from
        ? await measureRecording(request.from, { timeField: request.timeField, keys: keysToMeasure(request.key, pipeline), guessKey: true })
        : undefined;
      const report = buildDesign({ request, profile, pipeline });
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (flags.markdown) process.stdout.write(renderMarkdown(reportSections(report)));
      else process.stdout.write(renderTerminal(reportSections(report), terminalChalk(), process.stdout.columns ?? 120));
    });
}

/** --key first, then each keyed step's field key (once each), so state size uses measured cardinality. */
function keysToMeasure(key: string | undefined, pipeline: PipelineSpec | undefined): KeyField[] {
  const keys: KeyField[] = [];
  const add = (paths: readonly string[]) => {
    const name = paths.join(',');
    if (!keys.some((k) => k.name === name)) keys.push({ name, paths: [...paths] });
  };
  if (key) add(key.split(',').map((part) => part.trim()));
  for (const step of pipeline?.steps ?? []) if (step.keyBy.kind === 'fields') add(step.keyBy.paths);
  return keys;
}
