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

/** One subject of alternating rounds: a name and one measurement of it. */
export interface Contender<T extends Timing> {
  readonly name: string;
  measure(): Promise<T> | T;
}

/** Every measurement of one subject over the rounds, and its best by CPU and by wall clock. */
export interface Rounds<T extends Timing> {
  readonly samples: readonly T[];
  /** Least CPU time (else least wall time when CPU is not measured). */
  readonly bestCpu: T;
  readonly bestWall: T;
}

/**
 * Measures the subjects `rounds` times, interleaved: each round runs every subject once, and the
 * first subject moves by one each round (A B C, B C A, C A B), so no subject always runs just
 * after the same neighbour or always first (cold page cache, JIT of shared code). A burst of load
 * from other processes then lands on one sample of each subject rather than on every sample of
 * one: on the shared 2-core machine the same sw run took 3.9 to 6.0 CPU-s in separate runs, and
 * ratios taken from runs minutes apart were off by as much as that.
 */
export async function alternate<T extends Timing>(rounds: number, contenders: readonly Contender<T>[]): Promise<Map<string, Rounds<T>>> {
  const samples = new Map<string, T[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(round + i) % contenders.length]!;
      samples.get(contender.name)!.push(await contender.measure());
    }
  }
  const cpu = (t: Timing) => t.cpuSeconds ?? t.seconds;
  const result = new Map<string, Rounds<T>>();
  for (const [name, list] of samples) {
    result.set(name, {
      samples: list,
      bestCpu: list.reduce((best, t) => (cpu(t) < cpu(best) ? t : best)),
      bestWall: list.reduce((best, t) => (t.seconds < best.seconds ? t : best)),
    });
  }
  return result;
}
