/** Drives the financial process functions through a real ProcessOperator, keyed by user_id. */
import type { OutputRecord, ProcessResult } from '../../../src/engine/operator.js';
import type { ProcessFunction } from '../../../src/engine/process.js';
import { ProcessOperator } from '../../../src/engine/process/process-operator.js';

export const T0 = Date.UTC(2026, 10, 23, 10); // Monday 10:00 UTC
export const MIN = 60_000;

export interface Tx {
  id: string;
  user?: string;
  type?: string;
  amount?: number;
  at: number;
  lat?: number;
  lon?: number;
}

export type Step = Tx | { watermark: number };

export function transaction(t: Tx): Record<string, unknown> {
  return {
    transaction_id: t.id,
    user_id: t.user ?? 'u1',
    account_id: 'acc',
    transaction_type: t.type ?? 'payment',
    amount: t.amount ?? 100,
    currency: 'KRW',
    timestamp: t.at,
    merchant_id: null,
    location: { latitude: t.lat ?? 37.5665, longitude: t.lon ?? 126.978 },
    metadata: {},
  };
}

export function operatorFor(create: () => ProcessFunction): ProcessOperator {
  return new ProcessOperator({ name: 'fraud', filter: null, key: (f) => f.user_id, create });
}

/** Feeds steps to an operator; returns what it emitted. */
export function feed(operator: ProcessOperator, steps: readonly Step[]): ProcessResult[] {
  const results: ProcessResult[] = [];
  const out = { emit: (r: OutputRecord) => results.push(r as ProcessResult) };
  steps.forEach((step, i) => {
    if ('watermark' in step) return operator.advanceWatermark(step.watermark, out);
    const fields = transaction(step);
    operator.process(fields, step.at, { line: i + 1, original: () => fields }, out);
  });
  return results;
}

export function replay(create: () => ProcessFunction, steps: readonly Step[]): { results: ProcessResult[]; operator: ProcessOperator } {
  const operator = operatorFor(create);
  return { results: feed(operator, steps), operator };
}
