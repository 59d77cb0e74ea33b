/**
 * The live view's bytes to the terminal from its worker thread (view-worker.ts), and the gate
 * that makes the terminal's restore final. The worker writes frames to fd 1 itself while the
 * replay's thread may restore the terminal at any moment (a signal, the process's exit): without
 * the gate a frame the worker was writing meanwhile could land after the restore and hide the
 * cursor again. The gate is one Int32 in a SharedArrayBuffer both threads see: the worker passes
 * it for each write, the restore closes it (waiting for a write under way to end, CLOSE_WAIT_MS at
 * most) before it writes, and once it is closed the worker starts no write. A write stuck longer
 * than that (a terminal paused with ctrl-s) may still land after the restore.
 */
import { writeSync } from 'node:fs';

const OPEN = 0;
const WRITING = 1;
const CLOSED = 2;

/** How long closing waits for a write under way (a terminal that takes no bytes): then it closes anyway. */
const CLOSE_WAIT_MS = 250;

export class OutputGate {
  private readonly cell: Int32Array;

  /** A new gate, or (in the other thread) the one whose buffer was handed over. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.cell = new Int32Array(buffer);
  }

  get closed(): boolean {
    return Atomics.load(this.cell, 0) === CLOSED;
  }

  /** Runs `write` unless the gate is closed (then false); a close waits until it has run. */
  pass(write: () => void): boolean {
    if (Atomics.compareExchange(this.cell, 0, OPEN, WRITING) !== OPEN) return false;
    try {
      write();
    } finally {
      // Not a plain store: a close that gave up waiting has set CLOSED, and it stays.
      Atomics.compareExchange(this.cell, 0, WRITING, OPEN);
      Atomics.notify(this.cell, 0);
    }
    return true;
  }

  /**
   * Closes the gate for good: no write passes after this returns. Waits for a write under way
   * (CLOSE_WAIT_MS at most: a terminal that takes no bytes must not hold up a dying process).
   */
  close(waitMs = CLOSE_WAIT_MS): void {
    const until = performance.now() + waitMs;
    for (;;) {
      const was = Atomics.compareExchange(this.cell, 0, OPEN, CLOSED);
      if (was !== WRITING) return;
      const left = until - performance.now();
      if (left <= 0) {
        Atomics.store(this.cell, 0, CLOSED);
        return;
      }
      Atomics.wait(this.cell, 0, WRITING, left);
    }
  }
}

/** What Atomics.wait sleeps on between retries: one for the thread, not one per retry. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** The longest sleep between retries, and how long a terminal may refuse bytes before the write fails. */
const EAGAIN_MAX_SLEEP_MS = 50;
export const EAGAIN_GIVE_UP_MS = 5_000;

/**
 * Writes all of `data` to `fd`, waiting out a terminal that is not ready (EAGAIN: a non-blocking
 * tty whose buffer is full), sleeping 1 ms, then twice as long each retry up to 50 ms; after
 * `giveUpMs` without a byte taken, fails with the likely cause and the way round.
 */
export function writeAll(fd: number, data: string | Uint8Array, giveUpMs = EAGAIN_GIVE_UP_MS): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let sleepMs = 1;
  let stalledSince: number | null = null;
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(fd, bytes, at);
      sleepMs = 1;
      stalledSince = null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      const now = performance.now();
      stalledSince ??= now;
      if (now - stalledSince >= giveUpMs) {
        throw new Error(`the terminal (fd ${fd}) took no output for ${giveUpMs / 1000} s (EAGAIN); is it suspended (ctrl-s)? Run with --no-ui to replay without the live view`);
      }
      Atomics.wait(sleeper, 0, 0, sleepMs);
      sleepMs = Math.min(sleepMs * 2, EAGAIN_MAX_SLEEP_MS);
    }
  }
}
