import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedCount, parseRateProfile } from '../../src/synth/rate-profile.js';
import { UsageError } from '../../src/errors.js';
import { runSynth } from './run-synth.js';

const START = Date.UTC(2026, 0, 1, 0);
const H = 3_600_000;

test('rate profiles give the documented events per second', () => {
  const cases: Array<[string, number, number]> = [
    ['constant:200/s', START, 200],
    ['constant:3000/m', START + 5 * H, 50],
    ['constant:36000/h', START, 10],
    ['diurnal:20-400/s', START + 20 * H, 400],
    ['diurnal:20-400/s', START + 8 * H, 20],
    ['diurnal:20-400/s@14h', START + 14 * H, 400],
    ['spike:200/s,x10,2m/1h', START + 30 * 60_000, 2000],
    ['spike:200/s,x10,2m/1h', START + 33 * 60_000, 200],
    ['spike:200/s,x10,2m/1h', START + 90 * 60_000 + 1000, 2000],
  ];
  for (const [text, at, perSecond] of cases) {
    assert.ok(Math.abs(parseRateProfile(text, START).rateAt(at) * 1000 - perSecond) < 1e-6, `${text} at +${(at - START) / H}h`);
  }
  assert.deepEqual(parseRateProfile('spike:200/s,x10,2m/1h', START).spikes(START, START + 2 * H), [
    { start: START + 30 * 60_000, end: START + 32 * 60_000 },
    { start: START + 90 * 60_000, end: START + 92 * 60_000 },
  ]);
  assert.ok(Math.abs(expectedCount(parseRateProfile('diurnal:20-400/s', START), START, START + 24 * H) - 210 * 86_400) < 86_400);
});

test('bad rate profiles are usage errors', () => {
  for (const bad of ['fast', 'constant', 'constant:0/s', 'constant:200', 'diurnal:400-20/s', 'diurnal:20-400/s@25h', 'spike:200/s,x10', 'spike:200/s,x10,2h/1h']) {
    assert.throws(() => parseRateProfile(bad, START), UsageError, bad);
  }
});

test('a spike profile writes a traffic_spike truth line at the first record of each spike, and the spike is 10x denser', async () => {
  const { lines, summary } = await runSynth({ domain: 'ecommerce', seed: 9, duration: 2 * H, start: START + 6 * H, rate: 'spike:20/s,x10,2m/1h', entities: 300, skew: 1.1, userSkew: 0.6, cases: 0 });
  const spikes = summary.truth.filter((t) => t.kind === 'traffic_spike');
  assert.equal(spikes.length, 2);
  const times = lines.map((l) => JSON.parse(l).timestamp as number);
  for (const spike of spikes) {
    assert.ok(times[spike.line - 1]! >= spike.time && times[spike.line - 2]! < spike.time, `line ${spike.line}`);
    const inSpike = times.filter((t) => t >= spike.time && t < (spike.end as number)).length;
    const before = times.filter((t) => t >= spike.time - 4 * 60_000 && t < spike.time - 2 * 60_000).length;
    assert.ok(inSpike > 6 * before, `${inSpike} events in the spike, ${before} in 2 min before`);
  }
});
