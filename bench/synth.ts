/**
 * Synthesizer throughput: events per second written, per domain, as JSONL and as a SQLite
 * recording, plus the same run into a discarding output (generation cost alone).
 * Run: `node dist/bench/synth.js [events]`. Each figure is events per CPU second (the process's
 * user + system time, what a shared machine cannot inflate the way it inflates wall time), the
 * best of `rounds` runs taken in alternation so load swings hit every row alike; wall figures
 * beside them. Target (issue 4): ≥ 500K events/s written.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize, DOMAINS, type SynthOutput, type SynthRequest } from '../src/synth/synthesize.js';
import { JsonlOutput, SqliteOutput } from '../src/synth/output.js';

const events = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'sw-bench-synth-'));

class DiscardOutput implements SynthOutput {
  readonly wantsFlush = false;
  write(): void {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

const FORMATS = {
  jsonl: async (domain: string) => JsonlOutput.open(join(dir, `${domain}.jsonl`)),
  sqlite: async (domain: string) => new SqliteOutput(join(dir, `${domain}.db`), { source: `bench ${domain}` }),
  'generate only': async () => new DiscardOutput(),
} as const;

async function measure(request: SynthRequest, output: SynthOutput): Promise<{ wall: number; cpu: number }> {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await synthesize(request, output);
  await output.close();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - wall) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

const best = new Map<string, { wall: number; cpu: number; bytes: number }>();
const loadBefore = loadavg()[0]!;
for (let round = 0; round < rounds; round++) {
  for (const domain of DOMAINS) {
    const request: SynthRequest = { domain, seed: 1, count: events, start: Date.UTC(2026, 0, 1), rate: 'constant:200/s', entities: 2000, skew: 1.1, userSkew: 0.6 };
    for (const [format, open] of Object.entries(FORMATS)) {
      const taken = await measure(request, await open(domain));
      const path = join(dir, `${domain}.${format === 'sqlite' ? 'db' : 'jsonl'}`);
      const bytes = format === 'generate only' ? 0 : statSync(path).size;
      const id = `${domain}|${format}`;
      const seen = best.get(id);
      if (!seen || taken.cpu < seen.cpu) best.set(id, { ...taken, bytes });
    }
  }
}
rmSync(dir, { recursive: true, force: true });
const rate = (n: number, s: number) => `${Math.round(n / s / 1000)}K/s`;
console.log(`sw synth, ${events.toLocaleString('en')} events per run, best of ${rounds} (target ≥ 500K/s written); load ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${process.env.NPROC ?? '2'} cores`);
for (const [id, { wall, cpu, bytes }] of best) {
  const [domain, format] = id.split('|');
  console.log(`${domain!.padEnd(10)} ${format!.padEnd(14)} ${rate(events, cpu).padStart(8)} per CPU-s ${rate(events, wall).padStart(8)} wall${bytes ? `  (${(bytes / events).toFixed(0)} B/event)` : ''}`);
}
