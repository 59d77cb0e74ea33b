/**
 * Wall-clock and CPU time of a measurement. Wall time is what a user waits; CPU time is what the
 * work costs, and stays comparable when other processes share the machine (on a 2-core machine
 * at load 15, wall-clock figures of the same pass differed by 50% between runs, CPU figures by a
 * few percent).
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Timing {
  readonly seconds: number;
  /** User + system CPU seconds; undefined where it cannot be measured. */
  readonly cpuSeconds?: number;
}

/** Starts timing work done in this process (all its threads, so DuckDB's worker counts too). */
export function startTiming(): () => Timing {
  const started = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

/** Clock ticks a second for /proc times: USER_HZ, 100 on every Linux architecture node runs on. */
const USER_HZ = 100;

/**
 * CPU seconds used so far by this process's waited-for children (cutime + cstime from
 * /proc/self/stat), or undefined off Linux. The difference across a spawnSync is the child's CPU.
 */
export function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17.
    return (Number(fields[13]) + Number(fields[14])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Runs `measure` `times` times and keeps the run with the least CPU time (else wall time): the first run also pays for JIT warm-up. */
export async function fastestOf<T extends Timing>(times: number, measure: () => Promise<T> | T): Promise<T> {
  let best: T | null = null;
  const cost = (timing: Timing) => timing.cpuSeconds ?? timing.seconds;
  for (let i = 0; i < times; i++) {
    const result = await measure();
    if (best === null || cost(result) < cost(best)) best = result;
  }
  return best!;
}

/** A full GC without --expose-gc on the command line: the flag set at run time, gc() from a fresh context. */
export function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
