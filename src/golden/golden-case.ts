/**
 * Golden cases: a folder with an input recording, a pipeline and the expected output records.
 * `sw test` replays the input headless and compares, record by record, with expected.jsonl.
 *
 * Instead of input and pipeline files, a folder may hold a `case.yaml` naming them (paths
 * relative to the folder) and optionally an event-time slice of the input, so a case can test
 * a big checked-in recording without copying it:
 *   input: ../../media.jsonl
 *   pipeline: ../../media.pipeline.ts
 *   from: 2026-01-01T07:10:00Z     # optional: records before are skipped (as replay --from)
 *   to: 2026-01-01T07:40:00Z       # optional: records from here on are not read (as replay --to)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseEventTime } from '../engine/duration.js';
import type { OutputRecord } from '../engine/operator.js';
import { SpecError } from '../errors.js';
import { loadCompiledPipeline } from '../spec/compile.js';
import type { CompileOptions } from '../engine/compile-pipeline.js';
import { Replay, type ReplaySummary } from '../replay/replay.js';

const INPUTS = ['input.jsonl', 'input.jsonl.gz', 'input.db', 'input.sqlite'];
const PIPELINES = ['pipeline.yaml', 'pipeline.yml', 'pipeline.json', 'pipeline.ts', 'pipeline.js'];
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);

export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly input: string;
  readonly pipeline: string;
  readonly expected: string;
  /** Event-time slice of the input (epoch ms), from case.yaml. */
  readonly from?: number;
  readonly to?: number;
}

const CASE_FILE = 'case.yaml';

function caseFromFile(dir: string, root: string): GoldenCase {
  const file = join(dir, CASE_FILE);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SpecError(`${file}: not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const fields = (doc ?? {}) as Record<string, unknown>;
  const path = (key: string): string => {
    const value = fields[key];
    if (typeof value !== 'string' || value === '') throw new SpecError(`${file}: ${key}: give the ${key} file's path, relative to the case folder`);
    const full = resolve(dir, value);
    if (!existsSync(full)) throw new SpecError(`${file}: ${key}: ${value} does not exist (relative to ${dir})`);
    return full;
  };
  const time = (key: string): number | undefined => {
    const value = fields[key];
    if (value === undefined) return undefined;
    const parsed = value instanceof Date ? value.getTime() : parseEventTime(value as string | number);
    if (Number.isNaN(parsed)) throw new SpecError(`${file}: ${key}: ${String(value)} is not a time; use ISO-8601 (2026-01-01T10:00:00Z) or epoch ms`);
    return parsed;
  };
  const unknown = Object.keys(fields).filter((k) => !['input', 'pipeline', 'from', 'to', 'description'].includes(k));
  if (unknown.length > 0) throw new SpecError(`${file}: ${unknown[0]}: unknown key; allowed: input, pipeline, from, to, description`);
  const from = time('from');
  const to = time('to');
  return {
    name: relative(root, dir) || dir,
    dir,
    input: path('input'),
    pipeline: path('pipeline'),
    expected: join(dir, 'expected.jsonl'),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

function caseIn(dir: string, root: string): GoldenCase | null {
  if (existsSync(join(dir, CASE_FILE))) return caseFromFile(dir, root);
  const input = INPUTS.find((f) => existsSync(join(dir, f)));
  const pipeline = PIPELINES.find((f) => existsSync(join(dir, f)));
  if (!input || !pipeline) return null;
  return {
    name: relative(root, dir) || dir,
    dir,
    input: join(dir, input),
    pipeline: join(dir, pipeline),
    expected: join(dir, 'expected.jsonl'),
  };
}

/** Every case folder at or below `root`, sorted by name. */
export function findCases(root: string): GoldenCase[] {
  const found: GoldenCase[] = [];
  const visit = (dir: string) => {
    const here = caseIn(dir, root);
    if (here) {
      found.push(here);
      return;
    }
    for (const entry of readdirSync(dir).sort()) {
      if (SKIP_DIRS.has(entry) || entry.startsWith('.')) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) visit(path);
    }
  };
  visit(root);
  return found;
}

export interface CaseRun {
  readonly actual: string[];
  readonly summary: ReplaySummary;
}

/** Replays a case headless, collecting output records as JSON lines; `options` pick the state backend. */
export async function runCase(c: GoldenCase, options: CompileOptions = {}): Promise<CaseRun> {
  const compiled = await loadCompiledPipeline(c.pipeline, options);
  const replay = new Replay({
    recording: c.input,
    compiled,
    speed: Infinity,
    deadLetterPath: null,
    ...(c.from === undefined ? {} : { from: c.from }),
    ...(c.to === undefined ? {} : { to: c.to }),
  });
  const actual: string[] = [];
  replay.onOutput((record: OutputRecord) => actual.push(JSON.stringify(record)));
  const summary = await replay.run();
  return { actual, summary };
}

export function readExpected(c: GoldenCase): string[] | null {
  if (!existsSync(c.expected)) return null;
  return readFileSync(c.expected, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}
