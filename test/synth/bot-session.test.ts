import { test } from 'node:test';
import assert from 'node:assert/strict';
import { synthesize, type SynthOutput } from '../../src/synth/synthesize.js';

const HALF_HOUR = 30 * 60_000;

/** Collects records in memory. */
function memoryOutput(lines: string[]): SynthOutput {
  return { write: (text) => void lines.push(text), wantsFlush: false, flush: async () => {}, close: async () => {} };
}

const runs = [
  { seed: 1, entities: 300, rate: 'constant:1/s' },
  { seed: 9, entities: 80, rate: 'constant:3/s' },
];

for (const run of runs) {
  test(`financial bot sessions (seed ${run.seed}, ${run.entities} accounts): > 100 api calls and no page view in one 30-minute window`, async () => {
    const lines: string[] = [];
    const summary = await synthesize(
      { domain: 'financial', seed: run.seed, duration: 3 * 3600_000, start: Date.UTC(2026, 0, 1, 7), rate: run.rate, entities: run.entities, skew: 1.1, userSkew: 0.6, cases: 2 },
      memoryOutput(lines),
    );
    const bots = summary.truth.filter((t) => t.kind === 'bot_session');
    assert.equal(bots.length, 2);
    const records = lines.map((l) => JSON.parse(l) as { type: string; user_id: string; event_type?: string; timestamp: number });
    for (const bot of bots) {
      const start = bot.time - (bot.time % HALF_HOUR);
      const mine = records.filter((r) => r.type === 'session' && r.user_id === bot.key && r.timestamp >= start && r.timestamp < start + HALF_HOUR);
      const apiCalls = mine.filter((r) => r.event_type === 'api_call').length;
      assert.ok(apiCalls > 100, `${bot.key}: ${apiCalls} api calls`);
      assert.equal(mine.filter((r) => r.event_type === 'page_view').length, 0, `${bot.key} viewed pages in its window`);
    }
    // No background window looks like a bot (> 100 api calls and no page view).
    const perWindow = new Map<string, { api: number; pages: number }>();
    for (const r of records) {
      if (r.type !== 'session') continue;
      const k = `${r.user_id}@${r.timestamp - (r.timestamp % HALF_HOUR)}`;
      const w = perWindow.get(k) ?? { api: 0, pages: 0 };
      if (r.event_type === 'api_call') w.api++;
      if (r.event_type === 'page_view') w.pages++;
      perWindow.set(k, w);
    }
    const heavy = [...perWindow].filter(([, w]) => w.api > 100 && w.pages === 0).map(([k]) => k.split('@')[0]);
    assert.deepEqual(new Set(heavy), new Set(bots.map((b) => b.key)));
  });
}

test('financial background transactions stay out of the scorer’s late night (02:00-06:59 UTC)', async () => {
  const lines: string[] = [];
  const summary = await synthesize(
    { domain: 'financial', seed: 4, duration: 24 * 3600_000, start: Date.UTC(2026, 0, 1), rate: 'constant:0.5/s', entities: 200, skew: 1.1, userSkew: 0.6, cases: 2 },
    memoryOutput(lines),
  );
  const night = new Set(summary.truth.filter((t) => t.kind === 'night_transaction').map((t) => t.time));
  const offending = lines
    .map((l) => JSON.parse(l) as { type: string; timestamp: number })
    .filter((r) => r.type === 'transaction' && new Date(r.timestamp).getUTCHours() >= 2 && new Date(r.timestamp).getUTCHours() <= 6 && !night.has(r.timestamp));
  assert.equal(offending.length, 0);
});
