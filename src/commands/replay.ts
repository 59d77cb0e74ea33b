import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseEventTime } from '../engine/duration.js';
import { UsageError } from '../errors.js';
import { loadCompiledPipeline } from '../spec/compile.js';
import { pipelineBeside } from '../spec/load.js';
import { parseSpeed } from '../replay/pacer.js';
import { Replay, type ReplaySummary } from '../replay/replay.js';
import { LineWriter } from '../replay/record-sink.js';
import { deadLetterPathFor, formatSummary } from '../replay/summary.js';
import { summaryTable } from '../replay/summary-table.js';
import { startCheckpointedRun } from '../replay/checkpointing.js';

interface ReplayFlags {
  pipeline?: string;
  speed: string;
  out?: string;
  from?: string;
  to?: string;
  ui: boolean;
  deadLetter?: string;
  statsJson?: string;
  json?: boolean;
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
    .option('-o, --out <results.jsonl>', 'write output records here (default: stdout)')
    .option('--from <time>', 'skip records before this event time (ISO-8601 or epoch ms)')
    .option('--to <time>', 'stop at records from this event time on (exclusive)')
    .option('--no-ui', 'never open the live view (it opens when stdin and stdout are a terminal)')
    .option('--dead-letter <file>', 'where unreadable records go (default: <out>.dead-letter.jsonl, or <recording>.dead-letter.jsonl in the current folder)')
    .option('--stats-json <file>', 'write the run summary (records, seconds, events/s, peak RSS, per step) as JSON')
    .option('--json', 'print the run summary on stderr as one JSON line instead of text')
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
  $ sw replay events.jsonl --out results.jsonl --checkpoint-every 100000
  $ sw replay events.jsonl --out results.jsonl --checkpoint-every 100000 --resume   # after a crash`,
    )
    .action(async (recording: string, flags: ReplayFlags) => {
      const { summary, live } = await replayCommand(recording, flags);
      if (flags.statsJson) writeFileSync(flags.statsJson, JSON.stringify(summary, null, 2) + '\n');
      if (flags.json) process.stderr.write(JSON.stringify(summary) + '\n');
      else if (live) process.stdout.write(summaryTable(summary));
      else process.stderr.write(formatSummary(summary));
    });
}

/** The live view needs a terminal both ways (keys in, frames out) and a recording that is not stdin. */
function wantsLiveView(recording: string, flags: ReplayFlags): boolean {
  return flags.ui && recording !== '-' && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY) && !flags.json;
}

async function replayCommand(recording: string, flags: ReplayFlags): Promise<{ summary: ReplaySummary; live: boolean }> {
  const speed = parseSpeed(flags.speed);
  if (speed === null) throw new UsageError(`--speed ${flags.speed}: not a speed; use max, 100x, 1x or 0.5x`);
  const from = flags.from === undefined ? undefined : parseTimeFlag('--from', flags.from);
  const to = flags.to === undefined ? undefined : parseTimeFlag('--to', flags.to);
  if (from !== undefined && to !== undefined && to <= from) throw new UsageError(`--to ${flags.to} is not after --from ${flags.from}`);
  const pipelinePath = flags.pipeline ?? pipelineBeside(recording);
  const compiled = await loadCompiledPipeline(pipelinePath);
  const live = wantsLiveView(recording, flags);
  // Under the live view the terminal is the view's: records go to --out only.
  const out = flags.out ?? (live ? null : '-');
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
  checkpointed?.attach(replay);
  const writer = checkpointed?.output ?? (out === null ? null : LineWriter.open(out));
  if (writer) replay.onOutput((record) => writer.write(JSON.stringify(record)));
  const interrupt = () => replay.stop();
  process.once('SIGINT', interrupt);
  try {
    if (live) {
      const { runLiveView } = await import('../ui/run-live-view.js');
      return { summary: await runLiveView(replay, recording, pipelinePath, compiled.spec.steps), live };
    }
    return { summary: await replay.run(), live };
  } finally {
    process.off('SIGINT', interrupt);
    writer?.close();
    checkpointed?.store.close();
  }
}

function parseTimeFlag(flag: string, text: string): number {
  const time = parseEventTime(/^-?\d+$/.test(text) ? Number(text) : text);
  if (Number.isNaN(time)) throw new UsageError(`${flag} ${text}: not a time; use ISO-8601 (2026-01-01T10:00:00Z) or epoch ms`);
  return time;
}
