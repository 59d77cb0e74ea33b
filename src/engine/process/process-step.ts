/** A compiled process step: what the process operator runs (built by compile-pipeline.ts). */
import type { Fields } from '../operator.js';
import type { ProcessFunction } from '../process.js';

export interface ProcessStep {
  readonly name: string;
  /** The step's `where`; a throw is an expression error and the record is not processed. */
  readonly filter: ((fields: Fields) => boolean) | null;
  /** The output key; a throw (or undefined) is an expression error and the record is not processed. */
  readonly key: (fields: Fields) => unknown;
  /** One instance per operator (Flink: per parallel instance). */
  readonly create: () => ProcessFunction;
}
