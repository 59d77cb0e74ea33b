import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { loadCompiledPipeline } from '../spec/compile.js';
import { pipelineBeside } from '../spec/load.js';
import { parseSpeed } from '../replay/pacer.js';
import { Replay, type ReplaySummary } from '../replay/replay.js';
import { PASSWORD_ENV } from '../replay/kafka-client.js';
import { attachKafkaSink, closeKafkaSink, openOutputSink, planKafkaSink, type SinkFlags } from '../replay/replay-sinks.js';
import { parseTimeFlag } from '../replay/time-flag.js';
import { deadLetterPathFor, formatSummary } from '../replay/summary.js';
import { summaryTable } from '../replay/summary-table.js';
import { attachQuality, type ReplayQuality } from '../replay/replay-quality.js';
import { startCheckpointedRun } from '../replay/checkpointing.js';
import { LineWriter } from '../replay/record-sink.js';

export interface ReplayFlags extends SinkFlags {
  pipeline?: string;
  speed: string;
  out?: string;
  from?: string;
  to?: string;
  ui: boolean;
  deadLetter?: string;
  statsJson?: string;
  json?: boolean;
  quality?: string;
  checkpointEvery?: string;
  checkpointDb?: string;
  resume?: boolean;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('Replay a recording through a pipeline in accelerated event time')
    .argument('<recording>', 'a .jsonl, .jsonl.gz or SQLite (.db/.sqlite) recording, or - for stdin')
    .option('-p, --pipeline <spec>', 'pipeline spec (YAML, JSON or .pipeline.ts); default: <name>.pipeline.yaml beside the recording')
    .option('-s, --speed <speed>', 'event-time speed: 100x plays gaps 100 times faster; max as fast as possible', 'max')
    .option('-o, --out <results.jsonl|results.db>', 'write output records here: JSON Lines, or a SQLite table for .db/.sqlite (default: stdout; none with --sink kafka)')
    .option('--from <time>', 'skip records before this event time (ISO-8601 or epoch ms)')
    .option('--to <time>', 'stop at records from this event time on (exclusive)')
    .option('--no-ui', 'never open the live view (it opens when stdin and stdout are a terminal)')
    .option('--dead-letter <file>', 'where unreadable records go (default: <out>.dead-letter.jsonl, or <recording>.dead-letter.jsonl in the current folder)')
    .option('--stats-json <file>', 'write the run summary (records, seconds, events/s, peak RSS, per step) as JSON')
    .option('--json', 'print the run summary on stderr as one JSON line instead of text')
    .option('--quality <rules.yaml>', 'run these data-quality rules (as sw quality check) on every record; a quality panel in the live view')
    .option('--sink <kafka>', 'also send the replayed input records, paced, to a Kafka topic')
    .option('--brokers <list>', 'with --sink kafka: bootstrap brokers, host:port[,host:port]')
    .option('--topic <t>', 'with --sink kafka: the topic to produce to')
    .option('--retime <now>', 'with --sink kafka: stamp records with the wall clock at release instead of their event time')
    .option('--key-field <path>', 'with --sink kafka: message key from this field (default: the SQLite recording\'s key column)')
    .option('--headers <all|none|list>', 'with --sink kafka: which recorded headers to copy (default all)')
    .option('--ssl', 'with --sink kafka: connect with TLS')
    .option('--ca <file>', 'with --sink kafka: PEM file of the brokers\' CA (implies --ssl)')
    .option('--sasl <mechanism>', 'with --sink kafka: plain, scram-sha-256 or scram-sha-512')
    .option('--username <name>', 'with --sink kafka: SASL user name')
    .option('--password <secret>', `with --sink kafka: SASL password (default: the ${PASSWORD_ENV} environment variable)`)
    .option('--checkpoint-every <n|duration>', 'take a checkpoint every n records (100000) or every span of event time (10m); needs --out')
    .option('--checkpoint-db <file>', 'where checkpoints go (default: <out>.checkpoints.db)')
    .option('--resume', 'continue from the last valid checkpoint after a crash; the output is cut back to it, nothing lost or repeated')
    .addHelpText(
      'after',
      `
Output records are JSON Lines, as pipeline-spec.md fixes them:
  {"step":"trending","kind":"window","key":"c17","start":...,"end":...,"firing":"onTime","fields":{...}}

Examples:
  $ sw replay scenarios/binge.jsonl --speed max --out results.jsonl
  $ sw replay scenarios/binge.jsonl --speed 100x
  $ sw replay events.jsonl.gz --pipeline trending.pipeline.yaml --from 2026-01-01T10:00:00Z --to 2026-01-01T11:00:00Z
  $ cat events.jsonl | sw replay - --pipeline trending.pipeline.yaml > results.jsonl
  $ sw replay events.db --speed 1000x --out results.db
  $ sw replay events.db --speed 10x --sink kafka --brokers localhost:9092 --topic events-replay --retime now

  $ sw replay events.jsonl --out results.jsonl --checkpoint-every 100000
  $ sw replay events.jsonl --out results.jsonl --checkpoint-every 100000 --resume   # after a crash`,
    )
    .action(runReplay);
}

/** The whole `sw replay` run: replay (live or headless), then the summary. `sw scenarios run` uses it too. */
export async function runReplay(recording: string, flags: ReplayFlags): Promise<void> {
  const { summary, live } = await replayCommand(recording, flags);
  if (flags.statsJson) writeFileSync(flags.statsJson, JSON.stringify(summary, null, 2) + '\n');
  if (flags.json) process.stderr.write(JSON.stringify(summary) + '\n');
  else if (live) process.stdout.write(summaryTable(summary));
  else process.stderr.write(formatSummary(summary));
}

function withQuality(summary: ReplaySummary, quality: ReplayQuality | null): ReplaySummary {
  return quality ? { ...summary, quality: quality.headline() } : summary;
}

/**
 * The live view needs a terminal both ways (keys in, frames out) and a recording that is not
 * stdin, and never opens under CI (CI=true), where a pseudo-terminal may exist but nobody watches.
 */
function wantsLiveView(recording: string, flags: ReplayFlags): boolean {
  const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false' && process.env.CI !== '0';
  return flags.ui && !ci && recording !== '-' && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY) && !flags.json;
}

async function replayCommand(recording: string, flags: ReplayFlags): Promise<{ summary: ReplaySummary; live: boolean }> {
  const speed = parseSpeed(flags.speed);
  if (speed === null) throw new UsageError(`--speed ${flags.speed}: not a speed; use max, 100x, 1x or 0.5x`);
  const from = flags.from === undefined ? undefined : parseTimeFlag('--from', flags.from);
  const to = flags.to === undefined ? undefined : parseTimeFlag('--to', flags.to);
  if (from !== undefined && to !== undefined && to <= from) throw new UsageError(`--to ${flags.to} is not after --from ${flags.from}`);
  const kafkaPlan = planKafkaSink(flags);
  const pipelinePath = flags.pipeline ?? pipelineBeside(recording);
  const compiled = await loadCompiledPipeline(pipelinePath);
  const live = wantsLiveView(recording, flags);
  // Under the live view the terminal is the view's, and with --sink kafka the input records are
  // the product: output records go to --out only.
  const out = flags.out ?? (live || kafkaPlan ? null : '-');
  const deadLetterPath = flags.deadLetter ?? deadLetterPathFor(recording, flags.out);
  const checkpointed =
    flags.checkpointEvery !== undefined || flags.resume
      ? await startCheckpointedRun(
          { recording, compiled, pipelinePath, out: flags.out, deadLetterPath, every: flags.checkpointEvery, db: flags.checkpointDb, resume: flags.resume === true, warn: (line) => process.stderr.write(line + '\n') },
          (path, append) => LineWriter.open(path, { truncate: !append }),
        )
      : null;
  const replay = new Replay({
    recording,
    compiled,
    speed,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    deadLetterPath,
    ...(checkpointed?.source === undefined ? {} : { source: checkpointed.source }),
    ...(checkpointed?.resumeFrom === undefined ? {} : { resumeFrom: checkpointed.resumeFrom }),
  });
  const kafkaSink = kafkaPlan ? await attachKafkaSink(replay, kafkaPlan) : null;
  const quality = flags.quality ? await attachQuality(replay, flags.quality) : null;
  checkpointed?.attach(replay);
  // A checkpointed run writes JSON Lines through the checkpoint's positioned writer.
  const checkpointOutput = checkpointed?.output ?? null;
  if (checkpointOutput) replay.onOutput((record) => checkpointOutput.write(JSON.stringify(record)));
  const writer = checkpointOutput || out === null ? null : openOutputSink(out, { recording, pipeline: pipelinePath });
  if (writer) replay.onOutput(writer.write);
  const interrupt = () => replay.stop();
  process.once('SIGINT', interrupt);
  try {
    if (live) {
      // React's production build: its development build checks and logs on every render, and
      // rendering must stay a small share of a --speed max replay.
      process.env.NODE_ENV ??= 'production';
      const { runLiveView } = await import('../ui/run-live-view.js');
      const summary = await runLiveView(replay, recording, pipelinePath, compiled.spec.steps, {}, quality ?? undefined);
      return { summary: withQuality(summary, quality), live };
    }
    return { summary: withQuality(await replay.run(), quality), live };
  } finally {
    process.off('SIGINT', interrupt);
    writer?.close();
    checkpointOutput?.close();
    if (kafkaSink && kafkaPlan) await closeKafkaSink(kafkaSink, kafkaPlan);
    checkpointed?.store.close();
  }
}

