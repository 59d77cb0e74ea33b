// PLACEHOLDER until the cep branch merges (replaced by the CEP helper's file).
import type { Fields } from '../operator.js';
import type { PatternSpec } from '../spec.js';
export type StageEvents = (stage: string) => readonly Record<string, unknown>[];
export interface PatternStep {
  readonly name: string;
  readonly pattern: PatternSpec;
  readonly emitTimeouts: boolean;
  readonly lateOutput: boolean;
  readonly filter: ((fields: Fields) => boolean) | null;
  readonly key: (fields: Fields) => unknown;
  readonly conditions: ReadonlyMap<string, { readonly where: ((event: Record<string, unknown>, stages: StageEvents) => boolean) | null; readonly until: ((event: Record<string, unknown>, stages: StageEvents) => boolean) | null }>;
  readonly select: readonly { readonly name: string; readonly evaluate: (scope: (name: string) => unknown) => unknown }[];
}
