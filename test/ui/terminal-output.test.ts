/**
 * The view's bytes to the terminal (terminal-output.ts): the gate that makes the terminal's restore
 * final (no frame from the worker lands after it), and writes to a terminal that is not ready
 * (EAGAIN): retried until it takes them, given up with a one-line error when it never does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { OutputGate, writeAll } from '../../src/ui/terminal-output.js';

const MODULE = new URL('../../src/ui/terminal-output.js', import.meta.url).href;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A worker thread running `body` with `OutputGate` and `writeAll` imported and `data` its workerData. */
function workerRunning(body: string, data: unknown): Worker {
  return new Worker(`import(${JSON.stringify(MODULE)}).then(({ OutputGate, writeAll }) => { const data = require('node:worker_threads').workerData; ${body} });`, { eval: true, workerData: data });
}

/** Runs `body` with a temporary folder, removed after. */
async function inTempDir(body: (dir: string) => unknown): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-terminal-output-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the gate: writes pass while it is open; once closed, none does', () => {
  const gate = new OutputGate();
  const written: string[] = [];
  assert.equal(gate.pass(() => written.push('frame 1')), true);
  gate.close();
  assert.equal(gate.closed, true);
  assert.equal(gate.pass(() => written.push('frame 2')), false);
  assert.deepEqual(written, ['frame 1']);
  // A second close (the exit hook after a signal's) is harmless.
  gate.close();
  assert.equal(gate.closed, true);
});

test('the restore is final: a worker writing frames as fast as it can writes none after the gate closes and the restore is written', () =>
  inTempDir(async (dir) => {
  const path = join(dir, 'terminal');
  const fd = openSync(path, 'a');
  const gate = new OutputGate();
  const worker = workerRunning(
    `const gate = new OutputGate(data.gate); for (let n = 0; ; n++) { gate.pass(() => writeAll(data.fd, 'frame ' + n + '\\n')); if (n === 0) require('node:worker_threads').parentPort.postMessage('writing'); }`,
    { fd, gate: gate.buffer },
  );
  try {
    await new Promise((resolve) => worker.once('message', resolve));
    await sleep(50);
    gate.close();
    writeSync(fd, 'RESTORE\n');
    // Time for frames that would come after the restore.
    await sleep(200);
  } finally {
    await worker.terminate();
    closeSync(fd);
  }
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
  assert.ok(lines.length > 2, `frames were written (${lines.length} lines)`);
  assert.equal(lines.at(-1), 'RESTORE');
  assert.ok(lines.slice(0, -1).every((line) => /^frame \d+$/.test(line)), 'no frame was cut by the restore');
  }));

test('the gate: a close waits for a write under way, and one that takes too long is closed on anyway and stays closed', async () => {
  const gate = new OutputGate();
  const held = new Int32Array(new SharedArrayBuffer(4));
  // The worker's write holds the gate until told to let go.
  const worker = workerRunning(
    `const gate = new OutputGate(data.gate); const held = new Int32Array(data.held); gate.pass(() => { Atomics.store(held, 0, 1); Atomics.notify(held, 0); Atomics.wait(held, 0, 1); }); require('node:worker_threads').parentPort.postMessage(gate.pass(() => undefined));`,
    { gate: gate.buffer, held: held.buffer },
  );
  try {
    while (Atomics.load(held, 0) !== 1) await sleep(5);
    const started = performance.now();
    gate.close(100);
    assert.ok(performance.now() - started >= 90, 'the close waited for the write');
    assert.equal(gate.closed, true);
    const passedAfter = new Promise((resolve) => worker.once('message', resolve));
    Atomics.store(held, 0, 2);
    Atomics.notify(held, 0);
    // The write that outlived the wait ends; the gate does not reopen, the next write does not pass.
    assert.equal(await passedAfter, false);
    assert.equal(gate.closed, true);
  } finally {
    await worker.terminate();
  }
});

/** A FIFO both of whose ends are non-blocking, as a terminal's fd in non-blocking mode: a full buffer is EAGAIN. */
function fifo(dir: string): { reader: number; writer: number; close(): void } {
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return { reader, writer, close: () => [reader, writer].forEach((fd) => closeSync(fd)) };
}

test('a terminal that takes no bytes (EAGAIN) is waited out, then the write fails with one line naming the fd, the cause and --no-ui', () =>
  inTempDir((dir) => {
  const pipe = fifo(dir);
  try {
    assert.throws(
      () => writeAll(pipe.writer, 'x'.repeat(1 << 20), 200),
      (error: Error) => /^the terminal \(fd \d+\) took no output for 0\.2 s \(EAGAIN\); is it suspended \(ctrl-s\)\? Run with --no-ui to replay without the live view$/.test(error.message),
    );
  } finally {
    pipe.close();
  }
  }));

test('a terminal that is slow to take bytes (EAGAIN, then room again) gets all of them, in order', () =>
  inTempDir(async (dir) => {
  const pipe = fifo(dir);
  // 1 MB through a 64 KB pipe: the writer meets EAGAIN again and again while this thread reads, slowly.
  const text = Array.from({ length: 40_000 }, (_, n) => `line ${n}\n`).join('');
  const worker = workerRunning(`writeAll(data.fd, data.text); require('node:worker_threads').parentPort.postMessage('done');`, { fd: pipe.writer, text });
  let done = false;
  worker.once('message', () => (done = true));
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(16_384);
  try {
    for (;;) {
      try {
        const n = readSync(pipe.reader, buffer, 0, buffer.length, null);
        chunks.push(Buffer.from(buffer.subarray(0, n)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        if (done) break;
        await sleep(10);
      }
    }
  } finally {
    await worker.terminate();
    pipe.close();
  }
  assert.equal(done, true);
  assert.equal(Buffer.concat(chunks).toString('utf8'), text);
  }));
