import { compilePipeline, PipelineCompileError, type CompiledPipeline, type CompileOptions } from '../engine/compile-pipeline.js';
import type { PipelineSpec } from '../engine/spec.js';
import { SpecError } from '../errors.js';
import { loadPipeline } from './load.js';

/** Loads a pipeline file and compiles it; every spec problem is a SpecError (exit 1). */
export async function loadCompiledPipeline(path: string, options: CompileOptions = {}): Promise<CompiledPipeline> {
  return compileSpec(await loadPipeline(path), options);
}

export function compileSpec(spec: PipelineSpec, options: CompileOptions = {}): CompiledPipeline {
  try {
    return compilePipeline(spec, options);
  } catch (error) {
    if (error instanceof PipelineCompileError) throw new SpecError(error.message);
    throw error;
  }
}
