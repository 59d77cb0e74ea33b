import { compilePipeline, PipelineCompileError, type CompiledPipeline } from '../engine/compile-pipeline.js';
import type { PipelineSpec } from '../engine/spec.js';
import { SpecError } from '../errors.js';
import { loadPipeline } from './load.js';

/** Loads a pipeline file and compiles it; every spec problem is a SpecError (exit 1). */
export async function loadCompiledPipeline(path: string): Promise<CompiledPipeline> {
  return compileSpec(await loadPipeline(path));
}

export function compileSpec(spec: PipelineSpec): CompiledPipeline {
  try {
    return compilePipeline(spec);
  } catch (error) {
    if (error instanceof PipelineCompileError) throw new SpecError(error.message);
    throw error;
  }
}
