import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { synthesize, type SynthRequest } from '../../src/synth/synthesize.js';
import { MemoryOutput } from './run-synth.js';

const base: Omit<SynthRequest, 'domain'> = {
  seed: 42,
  count: 20_000,
  start: Date.UTC(2026, 0, 1, 6),
  rate: 'spike:50/s,x5,1m/10m',
  entities: 200,
  skew: 1.1,
  userSkew: 0.6,
  faults: 'late:0.01@30s-5m,disorder:0.05@0-3s,dup:0.005,missing:0.002,malformed:0.001',
  cases: 3,
};

async function digest(request: SynthRequest): Promise<{ output: string; truth: string }> {
  const out = new MemoryOutput();
  const summary = await synthesize(request, out);
  const hash = (text: string) => createHash('sha256').update(text).digest('hex');
  return { output: hash(out.lines.join('\n')), truth: hash(summary.truth.map((t) => JSON.stringify(t)).join('\n')) };
}

for (const domain of ['media', 'ecommerce', 'financial'] as const) {
  test(`${domain}: the same seed and options give byte-identical output and truth`, async () => {
    const first = await digest({ ...base, domain });
    const second = await digest({ ...base, domain });
    assert.deepEqual(second, first);
  });

  test(`${domain}: another seed gives another stream`, async () => {
    const first = await digest({ ...base, domain });
    const other = await digest({ ...base, domain, seed: 43 });
    assert.notEqual(other.output, first.output);
  });
}

test('epoch times are written exactly as String(time) would', async () => {
  const { epochText } = await import('../../src/synth/domain.js');
  for (const time of [0, 7, 999_999, 1_000_000, 1_000_001, 1_767_225_600_000, 1_767_225_600_016, 1_767_226_000_999, 9_999_999_999_999, -5, 1.5]) {
    assert.equal(epochText(time), String(time), String(time));
  }
});
