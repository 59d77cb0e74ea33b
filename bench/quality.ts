/**
 * `sw quality check` throughput with the built-in rules over generated recordings
 * (target: ≥ 300K records/s, issue 8). Run: `npx tsc -p . && node dist/bench/quality.js [records]`.
 * Side by side in one run: the bare scan (read + JSON.parse, the floor any checker pays) and the
 * full check, so the checks' own cost is visible.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQualityCheck } from '../src/quality/check-run.js';
import { scanRecords } from '../src/quality/record-stream.js';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const T0 = Date.UTC(2026, 0, 1);
const EVENT_TYPES = ['content.watched', 'content.watched', 'content.watched', 'content.liked', 'content.shared', 'user.login', 'user.logout'];
const DEVICES = ['mobile', 'web', 'tv', 'tablet'];
const TX_TYPES = ['deposit', 'withdrawal', 'transfer', 'payment', 'investment'];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function media(i: number, rand: () => number): string {
  const eventType = EVENT_TYPES[Math.floor(rand() * EVENT_TYPES.length)]!;
  const user = Math.floor(rand() * 10_000);
  return JSON.stringify({
    userId: `user_${user}`,
    eventType,
    contentId: eventType.startsWith('content.') ? `content_${Math.floor(rand() * 5000)}` : null,
    timestamp: T0 + i * 10 - Math.floor(rand() * 3000),
    sessionId: `session_${user}_${Math.floor(i / 50_000)}`,
    device: DEVICES[user % 4],
  });
}

function financial(i: number, rand: () => number): string {
  return JSON.stringify({
    transaction_id: `tx_${i}`,
    user_id: `user_${Math.floor(rand() * 10_000)}`,
    account_id: `acc_${Math.floor(rand() * 20_000)}`,
    transaction_type: TX_TYPES[Math.floor(rand() * 5)],
    // Log-normal around 50 (money is skewed; the built-in anomaly rule takes z on ln(1 + amount)).
    amount: Math.round(Math.exp(Math.log(50) + 0.5 * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())) * 100) / 100,
    currency: 'USD',
    timestamp: T0 + i * 10 - Math.floor(rand() * 3000),
    merchant_id: `merchant_${Math.floor(rand() * 500)}`,
    location: { latitude: 37 + rand(), longitude: 127 + rand() },
    metadata: { channel: 'app' },
  });
}

function generate(path: string, make: (i: number, rand: () => number) => string): number {
  const rand = random(42);
  const chunk: string[] = [];
  let bytes = 0;
  writeFileSync(path, '');
  for (let i = 0; i < COUNT; i++) {
    chunk.push(make(i, rand));
    if (chunk.length === 50_000 || i === COUNT - 1) {
      const text = `${chunk.join('\n')}\n`;
      bytes += text.length;
      writeFileSync(path, text, { flag: 'a' });
      chunk.length = 0;
    }
  }
  return bytes;
}

/**
 * Wall seconds and CPU seconds (user + system) of a run. On a shared, loaded machine the wall
 * time counts other processes' turns on the CPU; the CPU time is this run's own work, so both
 * are printed.
 */
async function time(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await fn();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (cpu.user + cpu.system) / 1e6 };
}

const dir = mkdtempSync(join(tmpdir(), 'sw-quality-bench-'));
try {
  for (const [domain, make] of [['media', media], ['financial', financial]] as const) {
    const path = join(dir, `${domain}.jsonl`);
    const bytes = generate(path, make);
    let records = 0;
    const scan = await time(() => scanRecords(path, { record: () => void records++, malformed: () => {} }));
    let ruleSet = '';
    let rules = 0;
    let failed = 0;
    const check = await time(async () => {
      const run = await runQualityCheck({ input: path });
      ruleSet = run.rulesSource;
      rules = run.report.rules.length;
      failed = run.report.checks.failed;
    });
    const rate = (t: { wall: number; cpu: number }) => `${Math.round(COUNT / t.wall / 1000)}K records/s wall, ${Math.round(COUNT / t.cpu / 1000)}K per CPU-second`;
    console.log(
      `${domain.padEnd(9)} ${COUNT} records (${(bytes / 1e6).toFixed(0)} MB), load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs\n` +
        `  scan only (read + JSON.parse): ${rate(scan)}\n` +
        `  check (${ruleSet}, ${rules} rules, ${failed} failed checks): ${rate(check)}; ` +
        `${COUNT / check.wall >= 300_000 ? 'meets' : 'below'} the 300K records/s target (wall)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
