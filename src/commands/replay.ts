import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { StateStorageError } from '../engine/state/state-backend.js';
import { loadCompiledPipeline } from '../spec/compile.js';
import { pipelineBeside } from '../spec/load.js';
import { parseSpeed } from '../replay/pacer.js';
import { Replay, type ReplaySummary } from '../replay/replay.js';
import { PASSWORD_ENV } from '../replay/kafka-client.js';
import { attachKafkaSink, closeKafkaSink, openOutputSink, planKafkaSink, type SinkFlags } from '../replay/replay-sinks.js';
import { parseTimeFlag } from '../replay/time-flag.js';
import { deadLetterPathFor, formatSummary } from '../replay/summary.js';
import type { ReplayQuality } from '../replay/replay-quality.js';
import type { SavepointTrigger } from '../replay/savepoint.js';
import { stepShapes } from '../engine/snapshot/step-shape.js';
import { basename } from 'node:path';
import { LineWriter } from '../replay/record-sink.js';
import { OutputJson } from '../replay/output-json.js';
import { addStateOptions, openRunState, type RunState, type StateFlags } from '../state/state-flags.js';

// Quality rules, checkpoints and the live summary table load only when a flag asks for them:
// a plain replay's start-up is part of every run's CPU time (~0.07 s less of ~0.45 s).

export interface ReplayFlags extends SinkFlags, StateFlags {
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
  qualityReport?: string;
  checkpointEvery?: string;
  checkpointDb?: string;
  resume?: boolean;
  fromSavepoint?: string;
  allowNonRestoredState?: boolean;
  savepointAt?: string;
  savepointDir?: string;
  savepointName?: string;
}

export function registerReplay(program: Command): void {
  const command = program
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
    .option('--quality <rules.yaml>', 'run these data-quality rules (as sw quality check) on every line read; a quality panel in the live view')
    .option('--quality-report <file>', 'with --quality: write the quality report as JSON, as sw quality check --json gives it for the same file')
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
    .option('--savepoint-at <n|time>', 'stop with a savepoint after n records, or once event time reaches an ISO-8601 time (Flink\'s stop-with-savepoint)')
    .option('--savepoint-dir <dir>', 'with --savepoint-at: where the savepoint goes (default savepoints/)')
    .option('--savepoint-name <name>', 'with --savepoint-at: the savepoint\'s name (default <recording>-<records>)')
    .option('--from-savepoint <file>', 'start from a savepoint, into this pipeline or a changed one (state matched by step name); output from the savepoint on')
    .option('--allow-non-restored-state', 'with --from-savepoint: drop the saved state of steps the pipeline no longer has');
  addStateOptions(command)
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
  $ sw replay events.jsonl --quality rules.yaml --quality-report quality.json --out results.jsonl
  $ sw replay events.db --speed 10x --sink kafka --brokers localhost:9092 --topic events-replay --retime now

  $ sw replay events.jsonl --out results.jsonl --checkpoint-every 100000
  $ sw replay events.jsonl --out results.jsonl --checkpoint-every 100000 --resume   # after a crash

  $ sw replay events.jsonl --out part1.jsonl --savepoint-at 500000 --savepoint-name before-v2
  $ sw replay events.jsonl --pipeline v2.pipeline.yaml --from-savepoint savepoints/before-v2.savepoint.json --out part2.jsonl

  $ sw replay financial.jsonl --pipeline financial.pipeline.ts --state-backend sqlite          # state larger than memory
  $ sw replay financial.jsonl --pipeline financial.pipeline.ts --state-backend sqlite --state-db state.db --state-cache 50000`,
    )
    .action(runReplay);
}

/** The whole `sw replay` run: replay (live or headless), then the summary. `sw scenarios run` uses it too. */
export async function runReplay(recording: string, flags: ReplayFlags): Promise<void> {
  const { summary, live } = await replayCommand(recording, flags);
  if (flags.statsJson) writeFileSync(flags.statsJson, JSON.stringify(summary, null, 2) + '\n');
  if (flags.json) process.stderr.write(JSON.stringify(summary) + '\n');
  else if (live) process.stdout.write((await import('../ui/summary-table.js')).summaryTable(summary, process.stdout.columns || 80));
  else process.stderr.write(formatSummary(summary));
}

/** `--quality-report`: the report as `sw quality check --json` renders it (failures from HIGH up make its verdict FAIL). */
async function writeQualityReport(quality: ReplayQuality | null, recording: string, path: string | undefined): Promise<void> {
  if (quality === null || path === undefined) return;
  const { renderJson } = await import('../quality/report-render.js');
  writeFileSync(path, renderJson(quality.run(recording), 'HIGH'));
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
  const state = openRunState(flags);
  const live = wantsLiveView(recording, flags);
  // The view's worker starts while the pipeline compiles and the replay is set up, not after: it
  // loads ink and react (bundled: ~0.25 CPU-s) on the other core meanwhile, and the view is up
  // when the first record is read.
  const liveView: LiveView | null = live ? import('../ui/run-live-view.js').then((view) => ({ runLiveView: view.runLiveView, worker: view.startViewWorker() })) : null;
  // Not awaited before its turn: a failure surfaces there (or not at all if the run fails first).
  liveView?.catch(() => undefined);
  try {
    return await replayWithState(recording, flags, state, liveView);
  } catch (error) {
    // The state file failed (disk full, removed): one line and exit 3, as for unreadable input.
    if (error instanceof StateStorageError) throw new InputError(error.message);
    throw error;
  } finally {
    // A run that failed before its view opened (a usage error after compiling, a bad savepoint)
    // stops the worker's warm-up; after a view has run, its worker has ended and this does nothing.
    void liveView?.then(({ worker }) => worker.worker.terminate(), () => undefined);
    // After the run's own finally (outputs closed): the state file is written back and closed last.
    state.close();
  }
}

type LiveView = Promise<{ runLiveView: typeof import('../ui/run-live-view.js').runLiveView; worker: import('../ui/run-live-view.js').ViewWorker }>;

async function replayWithState(recording: string, flags: ReplayFlags, state: RunState, liveView: LiveView | null): Promise<{ summary: ReplaySummary; live: boolean }> {
  const speed = parseSpeed(flags.speed);
  if (speed === null) throw new UsageError(`--speed ${flags.speed}: not a speed; use max, 100x, 1x or 0.5x`);
  const from = flags.from === undefined ? undefined : parseTimeFlag('--from', flags.from);
  const to = flags.to === undefined ? undefined : parseTimeFlag('--to', flags.to);
  if (from !== undefined && to !== undefined && to <= from) throw new UsageError(`--to ${flags.to} is not after --from ${flags.from}`);
  if (flags.qualityReport !== undefined && flags.quality === undefined) throw new UsageError('--quality-report goes with --quality <rules.yaml>; add it or drop the flag');
  const kafkaPlan = planKafkaSink(flags);
  const pipelinePath = flags.pipeline ?? pipelineBeside(recording);
  const live = liveView !== null;
  const compiled = await loadCompiledPipeline(pipelinePath, { stateBackend: state.stateBackend, keySpill: state.keySpill });
  const warn = (line: string) => process.stderr.write(line + '\n');
  if (flags.allowNonRestoredState && flags.fromSavepoint === undefined) throw new UsageError('--allow-non-restored-state goes with --from-savepoint <file>; add it or drop the flag');
  // Checkpoints and savepoints (better-sqlite3, hashing) load only when a flag asks for them: a
  // plain replay's start-up is part of every run's CPU time.
  const savepoints =
    flags.savepointAt !== undefined || flags.fromSavepoint !== undefined || flags.savepointName !== undefined || flags.savepointDir !== undefined
      ? await import('../replay/savepoint.js')
      : null;
  const checkpointing = savepoints !== null || flags.checkpointEvery !== undefined || flags.resume ? await import('../replay/checkpointing.js') : null;
  const stopAt = flags.savepointAt === undefined ? null : savepoints!.parseSavepointAt(flags.savepointAt);
  if (stopAt === null && (flags.savepointDir !== undefined || flags.savepointName !== undefined)) throw new UsageError('--savepoint-dir and --savepoint-name go with --savepoint-at <n|time>; add it or drop them');
  if (flags.savepointName !== undefined) savepoints!.checkSavepointName(flags.savepointName, '--savepoint-name');
  const savepoint = flags.fromSavepoint === undefined ? undefined : savepoints!.savepointToStartFrom(flags.fromSavepoint, recording, stepShapes(compiled.spec), flags.allowNonRestoredState === true, warn);
  // Under the live view the terminal is the view's, and with --sink kafka the input records are
  // the product: output records go to --out only.
  const out = flags.out ?? (live || kafkaPlan ? null : '-');
  const deadLetterPath = flags.deadLetter ?? deadLetterPathFor(recording, flags.out);
  const checkpointed =
    flags.checkpointEvery !== undefined || flags.resume
      ? await checkpointing!.startCheckpointedRun(
          { recording, compiled, pipelinePath, out: flags.out, deadLetterPath, every: flags.checkpointEvery, db: flags.checkpointDb, resume: flags.resume === true, ...(savepoint === undefined ? {} : { savepoint }), warn },
          (path, append) => LineWriter.open(path, { truncate: !append }),
        )
      : null;
  const start = checkpointed ?? (savepoint === undefined ? null : { ...(await checkpointing!.startAtSavepoint(recording, savepoint)), resumeByStep: true });
  const replay = new Replay({
    recording,
    compiled,
    speed,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    deadLetterPath,
    ...(start?.source === undefined ? {} : { source: start.source }),
    ...(start?.resumeFrom === undefined ? {} : { resumeFrom: start.resumeFrom, resumeByStep: start.resumeByStep }),
  });
  if (checkpointed === null && savepoint !== undefined) replay.deadLetters.count = savepoint.deadLetters.count;
  const kafkaSink = kafkaPlan ? await attachKafkaSink(replay, kafkaPlan) : null;
  const quality = flags.quality ? await (await import('../replay/replay-quality.js')).attachQuality(replay, flags.quality) : null;
  const checkpointer = checkpointed?.attach(replay) ?? null;
  // The checkpoints' own CPU time beside the run's (the checkpoint bench reads it).
  const withCheckpoints = (summary: ReplaySummary): ReplaySummary => (checkpointer === null ? summary : { ...summary, checkpoints: checkpointer.settledCost() });
  const trigger =
    stopAt === null
      ? null
      : new savepoints!.SavepointTrigger(
          stopAt,
          (position) =>
            savepoints!.savepointAt(position, {
              name: flags.savepointName ?? `${basename(recording).replace(/\..*$/, '')}-${position.engine.records}`,
              recording,
              pipeline: pipelinePath,
              pipelineHash: checkpointing!.pipelineHash(compiled),
              steps: stepShapes(compiled.spec),
              out: flags.out ?? null,
              deadLetters: replay.deadLetters.count,
            }),
          flags.savepointDir ?? savepoints!.DEFAULT_SAVEPOINT_DIR,
          () => replay.stop(),
        );
  if (trigger !== null) replay.checkpointWith(trigger);
  // A checkpointed run writes JSON Lines through the checkpoint's positioned writer.
  const checkpointOutput = checkpointed?.output ?? null;
  if (checkpointOutput) {
    const json = new OutputJson();
    replay.onOutput((record) => checkpointOutput.write(json.text(record)));
  }
  const writer = checkpointOutput || out === null ? null : openOutputSink(out, { recording, pipeline: pipelinePath });
  if (writer) replay.onOutput(writer.write);
  const interrupt = () => replay.stop();
  process.once('SIGINT', interrupt);
  try {
    if (liveView) {
      const { runLiveView, worker } = await liveView;
      const summary = await runLiveView(replay, recording, pipelinePath, compiled.spec.steps, { worker }, quality ?? undefined);
      reportSavepoint(trigger, flags.savepointAt, warn);
      await writeQualityReport(quality, recording, flags.qualityReport);
      return { summary: withCheckpoints(withQuality(summary, quality)), live };
    }
    const summary = await replay.run();
    reportSavepoint(trigger, flags.savepointAt, warn);
    await writeQualityReport(quality, recording, flags.qualityReport);
    return { summary: withCheckpoints(withQuality(summary, quality)), live };
  } finally {
    process.off('SIGINT', interrupt);
    writer?.close();
    checkpointOutput?.close();
    if (kafkaSink && kafkaPlan) await closeKafkaSink(kafkaSink, kafkaPlan);
    checkpointed?.store.close();
  }
}


function reportSavepoint(trigger: SavepointTrigger | null, at: string | undefined, warn: (line: string) => void): void {
  if (trigger === null) return;
  if (trigger.written !== null) warn(`savepoint written: ${trigger.written}; resume with --from-savepoint ${trigger.written}`);
  else warn(`--savepoint-at ${at}: the replay ended before it; no savepoint written`);
}
