/**
 * Reads a pipeline file: YAML or JSON (with line numbers in errors), or a TypeScript / JavaScript
 * module whose default export is built with `definePipeline` (the escape hatch for process
 * functions and custom logic; loaded through tsx, so no build step is needed).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { PipelineSpec } from '../engine/spec.js';
import { InputError, SpecError, UsageError } from '../errors.js';
import { validatePipeline, type SpecPath } from './validate.js';

const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export async function loadPipeline(path: string): Promise<PipelineSpec> {
  if (MODULE_EXTENSIONS.some((ext) => path.endsWith(ext))) return loadModule(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read the pipeline (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the path`);
  }
  return parsePipelineText(text, path);
}

/** Parses YAML or JSON pipeline text; `file` names it in errors. */
export function parsePipelineText(text: string, file: string): PipelineSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new SpecError(`${file}${line ? `:${line}` : ''}: not valid YAML/JSON: ${syntax.message.split('\n')[0]}`);
  }
  const locate = (path: SpecPath): number | undefined => {
    // The deepest node that exists along the path gives the line.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return validatePipeline(doc.toJS({ maxAliasCount: 100 }), file, locate);
}

async function loadModule(path: string): Promise<PipelineSpec> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new InputError(`${path}: cannot read the pipeline (ENOENT); check the path`);
  let module: { default?: unknown };
  try {
    if (absolute.endsWith('.ts') || absolute.endsWith('.mts')) {
      const { tsImport } = await import('tsx/esm/api');
      module = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as { default?: unknown };
    } else {
      module = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new SpecError(`${path}: the pipeline module failed to load: ${message}`);
  }
  // A .ts file outside an ESM package ("type": "module") is compiled as CommonJS, and ESM's view of
  // a CommonJS module wraps module.exports in `default` once more: unwrap that one level.
  const inner = module.default as { default?: unknown; __esModule?: unknown } | undefined;
  if (inner !== null && typeof inner === 'object' && inner.__esModule === true && 'default' in inner) module = inner;
  if (module.default === undefined) {
    throw new SpecError(`${path}: the module has no default export; end it with \`export default definePipeline({...})\``);
  }
  return validatePipeline(module.default, path);
}

const RECORDING_EXTENSIONS = ['.jsonl.gz', '.jsonl', '.ndjson', '.json', '.db', '.sqlite'];
const PIPELINE_EXTENSIONS = ['.pipeline.yaml', '.pipeline.yml', '.pipeline.json', '.pipeline.ts', '.pipeline.js'];

/** The pipeline beside a recording: `<name>.jsonl` → `<name>.pipeline.yaml` (or .yml/.json/.ts/.js). */
export function pipelineBeside(recording: string): string {
  if (recording === '-') throw new UsageError('reading standard input needs --pipeline <spec>');
  const name = basename(recording);
  const ext = RECORDING_EXTENSIONS.find((e) => name.endsWith(e));
  const stem = ext ? name.slice(0, -ext.length) : name.replace(/\.[^.]*$/, '');
  const candidates = PIPELINE_EXTENSIONS.map((e) => join(dirname(recording), stem + e));
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new UsageError(`${recording}: no pipeline beside it (looked for ${basename(candidates[0]!)}); pass --pipeline <spec>`);
  }
  return found;
}
