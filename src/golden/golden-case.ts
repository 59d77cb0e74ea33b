/**
 * Golden cases: a folder with an input recording, a pipeline and the expected output records.
 * `sw test` replays the input headless and compares, record by record, with expected.jsonl.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { OutputRecord } from '../engine/operator.js';
import { loadCompiledPipeline } from '../spec/compile.js';
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
}

function caseIn(dir: string, root: string): GoldenCase | null {
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

/** Replays a case headless, collecting output records as JSON lines. */
export async function runCase(c: GoldenCase): Promise<CaseRun> {
  const compiled = await loadCompiledPipeline(c.pipeline);
  const replay = new Replay({ recording: c.input, compiled, speed: Infinity, deadLetterPath: null });
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
