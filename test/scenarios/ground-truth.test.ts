/**
 * Every built-in scenario finds every case `sw synth` injected into its recording (100% recall),
 * and the number of other results (false positives) is pinned: a change that adds noise, or
 * removes it, fails here and must update the table deliberately. How a result is matched to a
 * case (kind, key, overlapping time spans) is in src/scenarios/ground-truth.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS } from '../../src/scenarios/catalogue.js';
import { checkScenario } from '../../src/scenarios/check-scenario.js';

/** scenario → "step:kinds" → [cases, other results]. */
const PINNED: Record<string, Record<string, [number, number]>> = {
  // binge.jsonl carries faults (disorder, late): out-of-order watches join into binges of their own.
  binge: { 'binge:binge': [2, 13] },
  media: {
    'binge:binge': [3, 0],
    'traffic_anomaly:traffic_spike': [2, 0],
    'churn_risk:churn_exit': [3, 0],
    'premium_conversion:premium_conversion': [3, 0],
    'viral_content:viral_share': [3, 0],
    'taste_change:taste_change': [3, 0],
  },
  ecommerce: {
    'order_anomalies:high_value_order+order_burst': [6, 0],
    'funnel_login_view_purchase:funnel': [3, 0],
    'funnel_sequence:funnel': [3, 0],
    // Background buyers purchase 15-30 min after logging in: the 30-minute OR pattern sees them.
    'funnel_or:funnel': [3, 113],
    'funnel_not_logout:funnel': [3, 0],
    'funnel_clicks:funnel': [3, 0],
    'funnel_greedy:funnel': [3, 0],
  },
  financial: {
    'fraud:velocity_burst': [3, 0],
    // z-scores against short histories (the document's check has no minimum history size).
    'fraud:amount_outlier': [1, 7],
    'fraud:night_transaction': [1, 0],
    'fraud_alerts:velocity_burst+amount_outlier': [4, 3],
  },
  security: {
    'rapid_logins:rapid_logins': [3, 0],
    'impossible_travel:impossible_travel': [3, 0],
    'large_then_small:large_then_small': [3, 0],
    'session_analysis:bot_session': [3, 0],
  },
};

for (const scenario of SCENARIOS) {
  test(`ground truth: ${scenario.name} finds every injected case; other results pinned`, async () => {
    const check = await checkScenario(scenario);
    const seen: Record<string, [number, number]> = {};
    for (const p of check.probes) {
      const id = `${p.step}:${p.kinds.join('+')}`;
      assert.ok(p.cases > 0, `${id}: the recording has no injected case to find`);
      assert.deepEqual(
        p.missed.map((m) => `${m.kind} ${m.key}`),
        [],
        `${id}: missed cases (found ${p.found}/${p.cases})`,
      );
      seen[id] = [p.cases, p.falsePositives];
    }
    assert.deepEqual(seen, PINNED[scenario.name]);
  });
}
