/**
 * CPU time: the process's (every thread), and the calling thread's own, for what one thread's work
 * costs beside another's: the live view's frames (the replay's thread and the view's worker), a
 * checkpoint's (the replay and writer threads). The process's counts every thread: on two loaded
 * cores the other's work would land in the figure.
 */
import { openSync, readSync } from 'node:fs';

/** This thread's /proc/thread-self/schedstat, opened once (a module instance per thread); -1: not there. */
let schedstat: number | null = null;
const buffer = Buffer.alloc(64);

/**
 * CPU milliseconds of the calling thread so far: Linux's per-thread scheduler statistics
 * (nanoseconds on the CPU, read at offset 0 of a file kept open: a few µs); elsewhere the process's
 * CPU time.
 */
export function threadCpuMs(): number {
  if (schedstat === null) {
    try {
      schedstat = openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      schedstat = -1;
    }
  }
  if (schedstat >= 0) {
    const length = readSync(schedstat, buffer, 0, buffer.length, 0);
    const text = buffer.toString('latin1', 0, length);
    return Number(text.slice(0, text.indexOf(' '))) / 1e6;
  }
  return processCpuMs();
}

/** CPU milliseconds of the process so far (user and system, all threads). */
export function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
