/**
 * What the checkpoint and savepoint tests share: a deterministic activity recording and a CLI run
 * killed with SIGKILL at a point of its output.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../cli/run-sw.js';

/** `count` events one second apart from 2026-01-01, up to 8 s out of order, a bad line every 5000 (at 2500, 7500, ...). */
export function activityLines(count: number, seed: number): string[] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 5000 === 2500) {
      lines.push('{"broken": ');
      continue;
    }
    const ts = 1_767_225_600_000 + i * 1000 - Math.floor(random() * 8000);
    lines.push(JSON.stringify({ ts, page: `p${Math.floor(random() * 20)}`, user: `u${Math.floor(random() * 300)}`, v: Math.floor(random() * 1000) }));
  }
  return lines;
}

/** Starts the CLI and SIGKILLs it once its output file holds `killAtBytes`; resolves with the signal, or how it exited. */
export function runAndKill(args: readonly string[], out: string, killAtBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'sw'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Polling the output's size kills at a point in the output, whatever the machine's load.
    const poll = setInterval(() => {
      if (existsSync(out) && statSync(out).size >= killAtBytes) child.kill('SIGKILL');
    }, 5);
    child.on('exit', (_code, signal) => {
      clearInterval(poll);
      resolve(signal ?? `exited: ${stderr}`);
    });
  });
}
