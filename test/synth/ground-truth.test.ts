import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayRequest, runSynth } from './run-synth.js';
import { ecommercePatterns, financialPatterns, mediaPatterns, parseRecords, type Found } from './reference-patterns.js';
import { MediaGenerator } from '../../src/synth/media.js';
import { EcommerceGenerator } from '../../src/synth/ecommerce.js';
import { FinancialGenerator } from '../../src/synth/financial.js';
import type { DomainSettings } from '../../src/synth/domain.js';

const settings: DomainSettings = { seed: 1, entities: 100, skew: 1.1, userSkew: 0.6, start: 0, end: 1 };
const FAULT_KINDS = new Set(['late', 'disorder', 'duplicate', 'missing', 'malformed', 'traffic_spike']);

const cases = [
  { domain: 'media', detect: mediaPatterns, kinds: new MediaGenerator(settings).cases.map((c) => c.kind), keyOf: (r: any, kind: string) => (kind === 'viral_share' ? r.contentId : r.userId) },
  { domain: 'ecommerce', detect: ecommercePatterns, kinds: new EcommerceGenerator(settings).cases.map((c) => c.kind), keyOf: (r: any) => r.user_id },
  { domain: 'financial', detect: financialPatterns, kinds: new FinancialGenerator(settings).cases.map((c) => c.kind), keyOf: (r: any) => r.user_id },
] as const;

for (const { domain, detect, kinds, keyOf } of cases) {
  test(`${domain}: every injected case is where the truth says, and brute-force detectors find it`, async () => {
    const { lines, summary } = await runSynth(dayRequest(domain));
    const found = detect(parseRecords(lines));
    const truth = summary.truth.filter((t) => !FAULT_KINDS.has(t.kind));
    for (const kind of kinds) assert.ok(truth.some((t) => t.kind === kind), `${domain}: no ${kind} case in a day (skipped: ${JSON.stringify(summary.skipped)})`);
    for (const t of truth) {
      const record = JSON.parse(lines[t.line - 1]!);
      assert.equal(record.timestamp, t.time, `${t.kind} line ${t.line}: time`);
      assert.equal(keyOf(record, t.kind), t.key, `${t.kind} line ${t.line}: key`);
      for (const line of t.lines as number[]) assert.ok(JSON.parse(lines[line - 1]!).timestamp >= (t.start as number), `${t.kind}: line ${line} is in the case`);
      assert.ok(
        found.some((f) => f.kind === t.kind && f.key === t.key && f.time === t.time),
        `${domain}: ${t.kind} for ${t.key} at line ${t.line} is not found by the brute-force detector`,
      );
    }
  });

  test(`${domain}: background behaviour never matches a case pattern by accident (precision 100%)`, async () => {
    const { lines, summary } = await runSynth(dayRequest(domain));
    const truth = summary.truth.filter((t) => !FAULT_KINDS.has(t.kind));
    const explained = (f: Found) =>
      truth.some(
        (t) =>
          t.key === f.key &&
          (t.kind === f.kind || ((t.alsoQualifies as string[] | undefined) ?? []).includes(f.kind)) &&
          // Overlapping the case: with Flink's default noSkip a binge's last watches also start
          // matches that end on later background watches (relaxed contiguity inside times(3)).
          f.start <= (t.end as number) &&
          f.time >= (t.start as number),
      );
    const stray = detect(parseRecords(lines)).filter((f) => !explained(f));
    assert.deepEqual(stray.slice(0, 5), [], `${domain}: ${stray.length} matches outside injected cases`);
  });
}
