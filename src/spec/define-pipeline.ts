/**
 * The typed builder for TypeScript pipeline modules (`*.pipeline.ts`). A module's default export
 * has the YAML file's shape; a step may also be a process step (a ProcessFunction factory), and
 * a pattern may be a `Pattern` builder. Both compile to the same operator graph as YAML.
 *
 *   import { definePipeline } from 'sw';
 *   export default definePipeline({
 *     name: 'fraud',
 *     time: { field: 'timestamp', outOfOrderness: '30s' },
 *     steps: { score: { keyBy: 'user_id', process: () => new FraudScorer() } },
 *   });
 */
import type { ProcessFunction } from '../engine/process.js';
import type { PatternSpec } from '../engine/spec.js';

type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

export interface PipelineDefinition {
  name: string;
  description?: string;
  time: { field: string; outOfOrderness?: Duration; idleTimeout?: Duration };
  steps: Record<string, StepDefinition>;
}

interface StepCommon {
  description?: string;
  where?: string;
  keyBy?: string | string[];
}

export interface WindowStepDefinition extends StepCommon {
  window:
    | { type: 'tumbling'; size: Duration; offset?: Duration }
    | { type: 'sliding'; size: Duration; slide: Duration; offset?: Duration }
    | { type: 'session'; gap: Duration };
  allowedLateness?: Duration;
  lateOutput?: boolean;
  aggregate: Record<string, string>;
  select?: Record<string, string>;
  having?: string;
}

export interface StageDefinition {
  name: string;
  contiguity?: 'next' | 'followedBy' | 'followedByAny' | 'notNext' | 'notFollowedBy';
  where?: string | string[];
  or?: string | string[];
  times?: number | [number, number];
  oneOrMore?: boolean;
  timesOrMore?: number;
  optional?: boolean;
  greedy?: boolean;
  consecutive?: boolean;
  allowCombinations?: boolean;
  until?: string;
}

export interface PatternStepDefinition extends StepCommon {
  pattern: { within?: Duration; skip?: string; stages: StageDefinition[] } | { toSpec(): PatternSpec };
  emitTimeouts?: boolean;
  lateOutput?: boolean;
  select?: Record<string, string>;
}

export interface ProcessStepDefinition extends StepCommon {
  /** Called once per run; the returned function sees every record of the step, keyed. */
  process: () => ProcessFunction;
}

export type StepDefinition = WindowStepDefinition | PatternStepDefinition | ProcessStepDefinition;

/** Identity at run time; gives a pipeline module its types. */
export function definePipeline(definition: PipelineDefinition): PipelineDefinition {
  return definition;
}
