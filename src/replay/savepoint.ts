/**
 * Savepoints (Flink's, in sw's terms): a named, self-contained snapshot of a replay that the user
 * asks for and nothing ever prunes. Where a checkpoint is a replay's own crash insurance (same
 * pipeline, same output file, the last three kept), a savepoint is a file to keep and resume from
 * later, possibly into a changed pipeline: state is keyed by step name (Flink's operator uid) and
 * each step's state shape is kept so that a resume can tell a compatible change from one that
 * would misread the state (step-shape.ts).
 *
 * A savepoint file `<dir>/<name>.savepoint.json` is two lines: a header
 * `{"format":"sw-savepoint","version":1,"checksum":<sha256 of line 2>}` and the body (snapshot
 * JSON). It is written to a temporary file and renamed, so it is whole or absent.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { PipelineSnapshot } from '../engine/pipeline.js';
import { fromSnapshotJson, toSnapshotJson } from '../engine/snapshot/snapshot-json.js';
import { mapStepState, type StateMapping, type StepShape } from '../engine/snapshot/step-shape.js';
import { InputError, UsageError } from '../errors.js';
import { CheckpointStore, type Checkpoint } from './checkpoint-store.js';
import type { DueAt, ReplayCheckpointer, ReplayPosition } from './replay.js';
import { isSqlitePath } from './sqlite-recording.js';
import { parseTimeFlag } from './time-flag.js';

export const SAVEPOINT_FORMAT = 'sw-savepoint';
export const SAVEPOINT_SUFFIX = '.savepoint.json';
export const DEFAULT_SAVEPOINT_DIR = 'savepoints';

export interface Savepoint {
  readonly format: typeof SAVEPOINT_FORMAT;
  readonly version: 1;
  readonly name: string;
  readonly createdAt: string;
  /** How it was made: `stopped replay` or `checkpoint 7 of results.jsonl.checkpoints.db`. */
  readonly origin: string;
  /** Absolute paths: a savepoint is resumed from anywhere. */
  readonly recording: string;
  readonly pipeline: string;
  readonly pipelineHash: string;
  /** Each step's state shape, in the pipeline's order: what a changed pipeline is checked against. */
  readonly steps: readonly StepShape[];
  readonly source: Checkpoint['source'];
  readonly engine: PipelineSnapshot;
  readonly replay: Checkpoint['replay'];
  /** The output written up to the savepoint: its record count, and its file and length when known. */
  readonly output: { readonly records: number; readonly path: string | null; readonly bytes: number | null };
  readonly deadLetters: { readonly count: number };
}

/** What the pipeline knows about itself for a savepoint (checkpoints carry it too). */
export interface SavepointOrigin {
  readonly recording: string;
  readonly pipeline: string;
  readonly steps: readonly StepShape[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function savepointPath(dir: string, name: string): string {
  return join(dir, name + SAVEPOINT_SUFFIX);
}

export function checkSavepointName(name: string, flag = '--name'): string {
  if (!NAME.test(name)) throw new UsageError(`${flag} ${name}: a savepoint name is letters, digits, '.', '_' and '-'; e.g. ${flag} before-v2`);
  return name;
}

/** Writes a savepoint file whole (temporary file, then rename); refuses to overwrite one. */
export function writeSavepoint(dir: string, savepoint: Savepoint): string {
  const path = savepointPath(dir, savepoint.name);
  if (existsSync(path)) throw new UsageError(`${path} exists: savepoints are never overwritten; choose another --name or delete it`);
  mkdirSync(dir, { recursive: true });
  const body = toSnapshotJson(savepoint);
  const header = JSON.stringify({ format: SAVEPOINT_FORMAT, version: 1, checksum: sha256Of(body) });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${header}\n${body}\n`);
  renameSync(temporary, path);
  return path;
}

/** Reads and checks a savepoint file; a torn, edited or foreign file is an InputError naming it. */
export function readSavepoint(path: string): Savepoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read the savepoint (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path, or list them with sw savepoint list`);
  }
  const newline = text.indexOf('\n');
  let header: { format?: unknown; version?: unknown; checksum?: unknown };
  try {
    header = JSON.parse(newline < 0 ? text : text.slice(0, newline)) as typeof header;
  } catch {
    throw new InputError(`${path}: not a savepoint (line 1 is not a JSON header); pass a file made by sw savepoint create`);
  }
  if (header?.format !== SAVEPOINT_FORMAT) throw new InputError(`${path}: not a savepoint (format ${JSON.stringify(header?.format)}); pass a file made by sw savepoint create`);
  if (header.version !== 1) throw new InputError(`${path}: savepoint version ${JSON.stringify(header.version)} is not supported (this sw reads version 1); use the sw that wrote it`);
  const body = text.slice(newline + 1).replace(/\n$/, '');
  if (sha256Of(body) !== header.checksum) throw new InputError(`${path}: the savepoint is corrupted or partly written (checksum mismatch); use another savepoint`);
  return fromSnapshotJson<Savepoint>(body);
}

/** A savepoint from the newest valid checkpoint of a checkpoint store. */
export function savepointFromCheckpoints(db: string, name: string | undefined, warn: (line: string) => void): Savepoint {
  if (name !== undefined) checkSavepointName(name);
  if (!existsSync(db)) throw new InputError(`${db}: no such checkpoint store; pass the --checkpoint-db of a run (default <out>.checkpoints.db)`);
  const store = CheckpointStore.open(db);
  try {
    const { latest, rejected } = store.latestValid();
    for (const bad of rejected) warn(`${db}: checkpoint ${bad.id} skipped: ${bad.reason}; using the one before`);
    if (latest === null) throw new InputError(`${db}: holds no valid checkpoint; run the replay with --checkpoint-every first`);
    const cp = latest.checkpoint;
    if (cp.origin === undefined) throw new InputError(`${db}: checkpoint ${latest.id} predates savepoints (no pipeline path or step shapes); take a new one with this sw`);
    return {
      format: SAVEPOINT_FORMAT,
      version: 1,
      name: checkSavepointName(name ?? `${basename(cp.origin.recording).replace(/\..*$/, '')}-${cp.engine.records}`),
      createdAt: new Date().toISOString(),
      origin: `checkpoint ${latest.id} of ${resolve(db)}`,
      recording: cp.origin.recording,
      pipeline: cp.origin.pipeline,
      pipelineHash: cp.pipelineHash,
      steps: cp.origin.steps,
      source: cp.source,
      engine: cp.engine,
      replay: cp.replay,
      output: { records: cp.output.records, path: cp.origin.output ?? null, bytes: cp.output.bytes },
      deadLetters: { count: cp.deadLetters.count },
    };
  } finally {
    store.close();
  }
}

export interface SavepointListing {
  readonly path: string;
  readonly name: string;
  readonly createdAt: string;
  readonly recording: string;
  readonly records: number;
  readonly watermark: number;
  readonly steps: number;
  readonly bytes: number;
  /** Null for a good savepoint; the reason a file cannot be used otherwise. */
  readonly problem: string | null;
}

/** Savepoints in a folder, oldest first; unreadable ones are listed with their problem. */
export function listSavepoints(dir: string): SavepointListing[] {
  if (!existsSync(dir)) return [];
  const listings: SavepointListing[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(SAVEPOINT_SUFFIX))) {
    const path = join(dir, file);
    const bytes = statSync(path).size;
    try {
      const sp = readSavepoint(path);
      listings.push({ path, name: sp.name, createdAt: sp.createdAt, recording: sp.recording, records: sp.engine.records, watermark: sp.engine.watermarks.current, steps: sp.steps.length, bytes, problem: null });
    } catch (error) {
      const name = file.slice(0, -SAVEPOINT_SUFFIX.length);
      listings.push({ path, name, createdAt: '', recording: '', records: 0, watermark: -Infinity, steps: 0, bytes, problem: (error as Error).message.replace(`${path}: `, '') });
    }
  }
  return listings.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
}

export interface StepStateSummary {
  readonly step: string;
  readonly kind: string;
  readonly keyBy: string;
  readonly keys: number;
  /** Windows or panes; partial matches and buffered records; keyed state values and timers. */
  readonly entries: number;
  readonly detail: string;
  /** The step's state as snapshot JSON. */
  readonly bytes: number;
}

/** Per step: how many keys and state entries the savepoint holds for it, and their size. */
export function stepStateSummaries(sp: Savepoint): StepStateSummary[] {
  const shapes = new Map(sp.steps.map((s) => [s.step, s]));
  return sp.engine.operators.map(({ step, state }) => {
    const shape = shapes.get(step);
    const counted = countState(state);
    return { step, kind: shape?.kind ?? '?', keyBy: shape?.keyBy ?? '?', ...counted, bytes: Buffer.byteLength(toSnapshotJson(state)) };
  });
}

function countState(state: unknown): { keys: number; entries: number; detail: string } {
  const s = state as { format?: string; keys?: unknown[] };
  switch (s.format) {
    case 'sw-window': {
      const keys = s.keys as { windows?: unknown[]; panes?: unknown[] }[];
      const windows = keys.reduce((n, k) => n + (k.windows?.length ?? 0), 0);
      const panes = keys.reduce((n, k) => n + (k.panes?.length ?? 0), 0);
      return { keys: keys.length, entries: windows + panes, detail: panes > 0 ? `${panes} panes` : `${windows} open windows` };
    }
    case 'sw-pattern': {
      // A key's partial matches in the NFA's form, or in the linear matcher's (linear-snapshot-copy.ts).
      const keys = s.keys as {
        records: unknown[];
        nfa?: { partialMatches: { start: number }[]; completedMatches: unknown[]; events: unknown[] };
        linear?: { runs: unknown[]; waiting: unknown[]; events: unknown[] };
      }[];
      let runs = 0;
      let buffered = 0;
      let events = 0;
      let linear = 0;
      for (const k of keys) {
        if (k.linear !== undefined) {
          runs += k.linear.runs.length + k.linear.waiting.length;
          events += k.linear.events.length;
          linear++;
        } else if (k.nfa !== undefined) {
          runs += k.nfa.partialMatches.filter((m) => m.start !== -1).length + k.nfa.completedMatches.length;
          events += k.nfa.events.length;
        }
        buffered += k.records.length;
      }
      const form = linear === 0 ? '' : linear === keys.length ? ' (linear form)' : ` (${linear} keys in the linear form)`;
      return { keys: keys.length, entries: runs + buffered, detail: `${runs} partial matches over ${events} events${form}, ${buffered} records waiting for the watermark` };
    }
    case 'sw-process': {
      const p = state as { state: { keys: { states: Record<string, unknown> }[] }; timers: unknown };
      const values = p.state.keys.reduce((n, k) => n + Object.keys(k.states).length, 0);
      const timers = countTimers(p.timers);
      return { keys: p.state.keys.length, entries: values + timers, detail: `${values} state values, ${timers} timers` };
    }
    default:
      return { keys: 0, entries: 0, detail: `unknown state format ${JSON.stringify(s.format)}` };
  }
}

function countTimers(timers: unknown): number {
  const t = timers as { timers?: unknown[] } | unknown[] | null;
  if (Array.isArray(t)) return t.length;
  return Array.isArray(t?.timers) ? t.timers.length : 0;
}

/**
 * Checks a savepoint against the pipeline and recording it is to resume into. Refusals (exit 2)
 * name the savepoint, the step and the change; compatible changes are reported on `warn`.
 */
export function checkSavepointFits(path: string, sp: Savepoint, recording: string, now: readonly StepShape[], allowNonRestored: boolean, warn: (line: string) => void): StateMapping {
  if (resolve(recording) !== sp.recording) throw new UsageError(`${path}: the savepoint is of ${sp.recording}, not ${resolve(recording)}; replay that recording`);
  const mapping = mapStepState(sp.steps, now);
  const bad = mapping.incompatible[0];
  if (bad !== undefined) {
    throw new UsageError(`${path}: step ${bad.step} cannot take its saved state: ${bad.reason}; rename the step to start it empty, or keep its old definition`);
  }
  if (mapping.removed.length > 0 && !allowNonRestored) {
    throw new UsageError(`${path}: step ${mapping.removed.join(', ')} has saved state but is not in the pipeline; pass --allow-non-restored-state to drop it, or keep the step`);
  }
  for (const step of mapping.removed) warn(`${path}: step ${step}'s saved state is dropped (--allow-non-restored-state)`);
  for (const step of mapping.added) warn(`${path}: step ${step} is new: it starts empty`);
  return mapping;
}

/** `--from-savepoint <file>`: the savepoint, checked against this run's recording and pipeline. */
export function savepointToStartFrom(path: string, recording: string, now: readonly StepShape[], allowNonRestored: boolean, warn: (line: string) => void): Savepoint {
  if (recording === '-') throw new UsageError('--from-savepoint needs a recording file: stdin cannot be read again from a position');
  const sp = readSavepoint(path);
  checkSavepointFits(path, sp, recording, now, allowNonRestored, warn);
  warn(`${path}: starting from savepoint ${sp.name} after record ${sp.engine.records} (line ${sp.source.nextLine - 1}); output from there on`);
  return sp;
}

/** The savepoint of a replay stopped at `position` (stop-with-savepoint). */
export function savepointAt(
  position: ReplayPosition,
  run: { readonly name: string; readonly recording: string; readonly pipeline: string; readonly pipelineHash: string; readonly steps: readonly StepShape[]; readonly out: string | null; readonly deadLetters: number },
): Savepoint {
  return {
    format: SAVEPOINT_FORMAT,
    version: 1,
    name: run.name,
    createdAt: new Date().toISOString(),
    origin: 'stopped replay (--savepoint-at)',
    recording: resolve(run.recording),
    pipeline: resolve(run.pipeline),
    pipelineHash: run.pipelineHash,
    steps: run.steps,
    source: { byteOffset: position.byteOffset, nextLine: position.line + 1, lastSeq: isSqlitePath(run.recording) ? position.line : null },
    engine: position.engine,
    replay: { skipped: position.skipped, outputs: position.outputs, minTime: position.minTime },
    output: { records: position.outputs, path: run.out === null || run.out === '-' ? null : resolve(run.out), bytes: null },
    deadLetters: { count: run.deadLetters },
  };
}

/** `--savepoint-at 100000` (records) or `--savepoint-at 2026-01-01T12:00:00Z` (event time). */
export type SavepointAt = { readonly kind: 'records'; readonly at: number } | { readonly kind: 'eventTime'; readonly at: number };

export function parseSavepointAt(text: string): SavepointAt {
  if (/^\d+$/.test(text)) {
    const at = Number(text);
    if (at >= 1) return { kind: 'records', at };
    throw new UsageError(`--savepoint-at ${text}: the record count must be 1 or more`);
  }
  return { kind: 'eventTime', at: parseTimeFlag('--savepoint-at', text) };
}

/**
 * Flink's stop-with-savepoint: once the replay has processed `at` records, or its largest event
 * time reached `at`, the savepoint is written and the replay stops without the final watermark,
 * so a resumed run continues as if never stopped.
 */
export class SavepointTrigger implements ReplayCheckpointer {
  private done = false;
  written: string | null = null;

  constructor(
    private readonly at: SavepointAt,
    private readonly make: (position: ReplayPosition) => Savepoint,
    private readonly dir: string,
    private readonly stop: () => void,
  ) {}

  dueAt(): DueAt {
    if (this.done) return { records: NaN, time: NaN };
    return this.at.kind === 'records' ? { records: this.at.at, time: NaN } : { records: NaN, time: this.at.at };
  }

  due(records: number, maxEventTime: number): boolean {
    if (this.done) return false;
    return this.at.kind === 'records' ? records >= this.at.at : maxEventTime >= this.at.at;
  }

  take(position: () => ReplayPosition): void {
    this.done = true;
    this.written = writeSavepoint(this.dir, this.make(position()));
    this.stop();
  }
}

/** The savepoint header's checksum of its body (SHA-256, hex): savepoint files keep form 1. */
function sha256Of(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}
