/**
 * Synthesizer throughput: events per second written as JSONL to a temporary file, per domain,
 * plus the same run into a discarding output (generation cost alone). Run: `node dist/bench/synth.js [events]`.
 * CPU seconds are reported beside wall seconds because shared machines make wall time noisy.
 * Target (issue 4): ≥ 500K events/s written.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize, DOMAINS, type SynthOutput, type SynthRequest } from '../src/synth/synthesize.js';
import { JsonlOutput } from '../src/synth/output.js';

const events = Number(process.argv[2] ?? 2_000_000);
const dir = mkdtempSync(join(tmpdir(), 'sw-bench-synth-'));

class DiscardOutput implements SynthOutput {
  readonly wantsFlush = false;
  lines = 0;
  write(): void {
    this.lines++;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

async function measure(request: SynthRequest, output: SynthOutput): Promise<{ wall: number; cpu: number }> {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await synthesize(request, output);
  await output.close();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - wall) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

const rows: string[] = [];
for (const domain of DOMAINS) {
  const request: SynthRequest = { domain, seed: 1, count: events, start: Date.UTC(2026, 0, 1), rate: 'constant:200/s', entities: 2000, skew: 1.1, userSkew: 0.6 };
  const path = join(dir, `${domain}.jsonl`);
  const file = await measure(request, await JsonlOutput.open(path));
  const bytes = statSync(path).size;
  const bare = await measure(request, new DiscardOutput());
  const rate = (n: number, s: number) => `${Math.round(n / s / 1000)}K/s`;
  rows.push(
    `${domain.padEnd(10)} jsonl ${rate(events, file.wall).padStart(8)} wall ${rate(events, file.cpu).padStart(8)} cpu ` +
      `(${(bytes / events).toFixed(0)} B/event)   generate only ${rate(events, bare.wall).padStart(8)} wall ${rate(events, bare.cpu).padStart(8)} cpu`,
  );
  rmSync(path);
}
rmSync(dir, { recursive: true, force: true });
console.log(`sw synth, ${events.toLocaleString('en')} events per run (target ≥ 500K/s written)`);
for (const row of rows) console.log(row);
