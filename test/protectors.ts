/**
 * V8's protectors, seen from a test: a protector is a global promise the optimizer relies on (no
 * ArrayBuffer was ever detached, ...); once broken it stays broken for the process, and code that
 * relied on it is deoptimized. `node --trace-protector-invalidation` says when one breaks.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli/run-sw.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-protectors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The protectors V8 invalidated while node ran `script` (a module file, run from the project's root; worker threads inherit node's flags). */
export function invalidatedProtectors(name: string, script: string): string[] {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, script);
  const result = spawnSync(process.execPath, ['--trace-protector-invalidation', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return [...`${result.stdout}\n${result.stderr}`.matchAll(/Invalidating protector cell (\w+)/g)].map((m) => m[1]!);
}
