import type { Command } from 'commander';
import {
  DEFAULT_SAVEPOINT_DIR,
  listSavepoints,
  readSavepoint,
  savepointFromCheckpoints,
  stepStateSummaries,
  writeSavepoint,
  type Savepoint,
  type SavepointListing,
} from '../replay/savepoint.js';

export function registerSavepoint(program: Command): void {
  const savepoint = program
    .command('savepoint')
    .description('Named, self-contained snapshots of a replay to keep and resume from, also into a changed pipeline')
    .addHelpText(
      'after',
      `
A savepoint is made from a run's newest valid checkpoint (sw savepoint create), or by stopping a
replay with one (sw replay ... --savepoint-at <n|time>). Resume it with sw replay --from-savepoint.

Examples:
  $ sw savepoint create results.jsonl.checkpoints.db --name before-v2
  $ sw replay events.jsonl --out part1.jsonl --savepoint-at 500000 --savepoint-name before-v2
  $ sw savepoint list
  $ sw savepoint inspect savepoints/before-v2.savepoint.json
  $ sw replay events.jsonl --pipeline v2.pipeline.yaml --from-savepoint savepoints/before-v2.savepoint.json --out part2.jsonl`,
    );

  savepoint
    .command('create')
    .description('Make a savepoint of the newest valid checkpoint in a checkpoint store')
    .argument('<checkpoint-db>', 'a checkpoint store: a replay\'s --checkpoint-db (default <out>.checkpoints.db)')
    .option('--name <name>', 'the savepoint\'s name (default <recording>-<records>)')
    .option('--dir <dir>', 'where savepoints go', DEFAULT_SAVEPOINT_DIR)
    .option('--json', 'print the savepoint\'s path and position as JSON')
    .addHelpText(
      'after',
      `
The savepoint holds the recording's position, the watermark and every step's state, keyed by step
name; it is never pruned or overwritten.

Examples:
  $ sw replay events.jsonl --out results.jsonl --checkpoint-every 100000
  $ sw savepoint create results.jsonl.checkpoints.db --name nightly
  $ sw savepoint create runs/a.db --dir /backups/savepoints --json`,
    )
    .action((db: string, flags: { name?: string; dir: string; json?: boolean }) => {
      const sp = savepointFromCheckpoints(db, flags.name, (line) => process.stderr.write(line + '\n'));
      const path = writeSavepoint(flags.dir, sp);
      if (flags.json) process.stdout.write(JSON.stringify({ path, name: sp.name, records: sp.engine.records, line: sp.source.nextLine - 1, watermark: sp.engine.watermarks.current }) + '\n');
      else process.stdout.write(`savepoint ${sp.name} written: ${path} (after record ${sp.engine.records}, line ${sp.source.nextLine - 1})\n`);
    });

  savepoint
    .command('list')
    .description('List the savepoints in a folder, oldest first')
    .option('--dir <dir>', 'the savepoint folder', DEFAULT_SAVEPOINT_DIR)
    .option('--json', 'one JSON array of the savepoints')
    .addHelpText(
      'after',
      `
Examples:
  $ sw savepoint list
  $ sw savepoint list --dir /backups/savepoints --json`,
    )
    .action((flags: { dir: string; json?: boolean }) => {
      const listings = listSavepoints(flags.dir);
      if (flags.json) process.stdout.write(JSON.stringify(listings.map((l) => ({ ...l, watermark: Number.isFinite(l.watermark) ? l.watermark : null }))) + '\n');
      else process.stdout.write(listingTable(flags.dir, listings));
    });

  savepoint
    .command('inspect')
    .description('Show what a savepoint holds: recording, pipeline, position, watermark and each step\'s state')
    .argument('<savepoint>', 'a savepoint file (<dir>/<name>.savepoint.json)')
    .option('--json', 'the same as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ sw savepoint inspect savepoints/nightly.savepoint.json
  $ sw savepoint inspect savepoints/nightly.savepoint.json --json | jq '.steps[] | {step, keys}'`,
    )
    .action((path: string, flags: { json?: boolean }) => {
      const sp = readSavepoint(path);
      process.stdout.write(flags.json ? JSON.stringify(inspection(sp)) + '\n' : inspectionText(path, sp));
    });
}

function time(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '(none yet)';
}

function table(rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

function listingTable(dir: string, listings: readonly SavepointListing[]): string {
  if (listings.length === 0) return `no savepoints in ${dir}/ (make one with sw savepoint create or sw replay --savepoint-at)\n`;
  const rows = listings.map((l) =>
    l.problem === null
      ? [l.name, l.createdAt.replace(/\.\d+Z$/, 'Z'), String(l.records), time(l.watermark), String(l.steps), String(l.bytes), l.recording]
      : [l.name, '-', '-', '-', '-', String(l.bytes), `unusable: ${l.problem}`],
  );
  return table([['name', 'created', 'records', 'watermark', 'steps', 'bytes', 'recording'], ...rows], new Set([2, 4, 5]));
}

function inspection(sp: Savepoint) {
  return {
    name: sp.name,
    createdAt: sp.createdAt,
    origin: sp.origin,
    recording: sp.recording,
    pipeline: sp.pipeline,
    pipelineHash: sp.pipelineHash,
    position: { records: sp.engine.records, line: sp.source.nextLine - 1, byteOffset: sp.source.byteOffset, lastSeq: sp.source.lastSeq },
    watermark: Number.isFinite(sp.engine.watermarks.current) ? sp.engine.watermarks.current : null,
    maxEventTime: Number.isFinite(sp.engine.watermarks.maxTime) ? sp.engine.watermarks.maxTime : null,
    output: sp.output,
    deadLetters: sp.deadLetters.count,
    steps: stepStateSummaries(sp).map((s) => ({ ...s, shape: sp.steps.find((shape) => shape.step === s.step) ?? null })),
  };
}

function inspectionText(path: string, sp: Savepoint): string {
  const i = inspection(sp);
  const lines = [
    `savepoint ${sp.name} (${path})`,
    `  created     ${sp.createdAt} from ${sp.origin}`,
    `  recording   ${sp.recording}`,
    `  pipeline    ${sp.pipeline} (hash ${sp.pipelineHash})`,
    `  position    after record ${i.position.records}, line ${i.position.line}, byte ${i.position.byteOffset}${i.position.lastSeq === null ? '' : `, seq ${i.position.lastSeq}`}`,
    `  watermark   ${time(sp.engine.watermarks.current)} (max event time ${time(sp.engine.watermarks.maxTime)})`,
    `  output      ${sp.output.records} records${sp.output.path === null ? '' : ` in ${sp.output.path}${sp.output.bytes === null ? '' : ` (first ${sp.output.bytes} bytes)`}`}, ${sp.deadLetters.count} dead letters`,
    '',
  ];
  const rows = i.steps.map((s) => [s.step, s.kind, s.keyBy, String(s.keys), String(s.entries), String(s.bytes), s.detail]);
  return lines.join('\n') + '\n' + table([['step', 'kind', 'keyBy', 'keys', 'entries', 'bytes', 'state'], ...rows], new Set([3, 4, 5]));
}
