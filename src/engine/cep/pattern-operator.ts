// PLACEHOLDER until the cep branch merges.
import type { PatternStep } from './pattern-step.js';
export class PatternOperator {
  constructor(step: PatternStep) {
    throw new Error(`pattern step ${step.name}: not merged yet`);
  }
}
