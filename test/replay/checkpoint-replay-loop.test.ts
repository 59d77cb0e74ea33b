/**
 * A checkpoint does not deoptimize the replay's loop (readLines, made by Replay.lineReader): the loop only compares
 * the record count and the largest event time with the checkpointer's boundaries, and returns to
 * run(), which asks the checkpointer and takes the checkpoint. With the checkpointer's code in the
 * loop, compiled by TurboFan before the first checkpoint and never run there, the first checkpoint
 * threw the loop's optimized code away ("Insufficient type feedback"), and the loop ran unoptimized
 * until V8 compiled it again. A smaller interrupt budget has V8 compile the loop early, before the
 * first checkpoint, as it does in a long replay; compiling on the replay's thread (not concurrently)
 * makes when it does so the same from run to run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../cli/run-sw.js';

test('checkpoints of a replay do not deoptimize its loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-checkpoint-loop-'));
  try {
    const lines = Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ userId: `u${(i * 7919) % 5000}`, contentId: `c${(i * 31) % 300}`, timestamp: 1_767_225_600_000 + i * 25 }));
    writeFileSync(join(dir, 'events.jsonl'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'count.pipeline.yaml'), 'name: count\ntime: { field: timestamp, outOfOrderness: 5s }\nsteps:\n  views:\n    keyBy: contentId\n    window: { type: tumbling, size: 1m }\n    aggregate: { events: count() }\n');
    const checkpointed = spawnSync(
      process.execPath,
      ['--trace-deopt', '--interrupt-budget=8192', '--no-concurrent-recompilation', '--no-concurrent-osr', join(ROOT, 'bin', 'sw'), 'replay', join(dir, 'events.jsonl'), '--pipeline', join(dir, 'count.pipeline.yaml'), '--speed', 'max', '--no-ui', '--out', join(dir, 'out.jsonl'), '--checkpoint-every', '5000'],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    assert.equal(checkpointed.status, 0, checkpointed.stderr);
    // The trace sees deoptimizations: some other function's, in the same run (control).
    assert.match(checkpointed.stdout, /deoptimizing .*<JSFunction /);
    const loop = checkpointed.stdout.split('\n').filter((line) => /deoptimizing .*<JSFunction readLines /.test(line));
    assert.deepEqual(loop, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
