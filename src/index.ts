/**
 * The `sw` package's entry for TypeScript pipeline modules:
 *   import { definePipeline } from 'sw';
 */
export { definePipeline } from './spec/define-pipeline.js';
export type { PipelineDefinition, StepDefinition, WindowStepDefinition, PatternStepDefinition, ProcessStepDefinition, StageDefinition } from './spec/define-pipeline.js';
export type * from './engine/process.js';
export type { Fields } from './engine/operator.js';
