/**
 * The live view's cost (issue 5: under 10% of throughput at --speed max, drawing at least 4
 * frames a second, 10 when frames are cheap: run-live-view.ts frameDue). The same 5M-event
 * replay (.bench/activity-5m.jsonl, 640 MB: about 2.5 CPU-s a pass for tumbling-count and 12 for
 * user-minutes, so throughput is measured, not start-up), headless and under the live view
 * drawing to an off-screen 120×40 terminal. Every pass runs in a process of its own, as a user's
 * run does (bench/live-view-pass.ts): in one process the first pass paid the JIT warm-up and lost.
 *
 * Per pipeline, at least 5 rounds (MIN_ROUNDS) of three passes: headless, live, and a CONTROL
 * headless pass, the live pass between the two and the headless ones swapping places every round
 * (roundOrder). Per round: live / headless throughput over the run (events per CPU-s and per wall
 * second, from the replay's first record to its end), with the load average, the control's
 * headless / headless ratio, and the frames the live pass drew per second of its run. Then the
 * median and range (min-max) of both ratios over the rounds: the control's range is the noise a
 * single round's ratio carries on this machine, so a live median outside it is the view's cost,
 * not scatter. Both also per CPU second of the replay's own thread (without the view's worker and
 * V8's helper threads, whose share scatters most). Then the best of the rounds (least run CPU of each), the whole process's ratio
 * (node's start-up, importing the UI, opening and closing the view included), the view's fixed
 * costs on their own, and its own share of the run: the CPU from each frame's dispatch to the end
 * of its draw, plus collecting the outputs between frames.
 * Two pipelines: a table of a few hundred contents, and one of ~50K users (the reducer and the
 * top-N at their worst).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureActivityFile } from '../activity-file.js';
import type { LivePass } from '../live-view-pass.js';
import type { PhaseCost } from '../../src/ui/phase-cost.js';
import { startTiming } from '../timing.js';
import { ratioRow, throughputRow, type BenchOptions, type BenchRow } from '../suite.js';
import { formatSpread, ratioSpread } from '../ratio-spread.js';

export const name = 'live-view';

const PASS_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'live-view-pass.js');

/**
 * CPU ns the view spends per output record between frames (PendingOutputs.add: a copy into the
 * ring), measured alone on 1M window results over `keys` keys; least of 3. Timing each call
 * inside the replay would cost more than the call.
 */
async function addNanos(keys: number): Promise<number> {
  const { PendingOutputs } = await import('../../src/ui/pending-outputs.js');
  const records = Array.from({ length: 1_000_000 }, (_, i) => ({
    step: 's', kind: 'window' as const, key: `k${i % keys}`, start: Math.floor(i / keys) * 60_000, end: Math.floor(i / keys) * 60_000 + 60_000, firing: 'onTime' as const, fields: { events: i % 17 },
  }));
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const pending = new PendingOutputs([{ name: 's', kind: 'window', fields: ['events'] }]);
    const stop = startTiming();
    for (const record of records) pending.add(record);
    best = Math.min(best, stop().cpuSeconds! * 1e9 / records.length);
  }
  return best;
}

function pass(file: string, pipelinePath: string, live: boolean): LivePass {
  const child = spawnSync(process.execPath, [PASS_SCRIPT, file, pipelinePath, live ? 'live' : 'headless'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`live-view pass (${live ? 'live' : 'headless'}) exited ${child.status}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as LivePass;
}

/** The frames a live pass drew per second of its run: wall seconds (what a user sees) and CPU seconds. */
function framesPerSecond(pass: LivePass): string {
  const frames = pass.view!.frames;
  return `${(frames / (pass.run.wallMs / 1000)).toFixed(1)} frames/s (${frames} frames, ${pass.view!.inkFrames} rendered by ink; ${(frames / (pass.run.cpuMs / 1000)).toFixed(1)} per CPU-s)`;
}

const timing = (phase: PhaseCost) => ({ seconds: phase.wallMs / 1000, cpuSeconds: phase.cpuMs / 1000 });
const least = <T>(items: readonly T[], cost: (item: T) => number): T => items.reduce((a, b) => (cost(b) < cost(a) ? b : a));
const ms = (values: readonly number[]) => `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)} ms`;

/** At least this many rounds per pipeline, whatever `--runs` asks: one round's ratio scatters by as much as the bound. */
const MIN_ROUNDS = 5;

/** A round's three passes: headless, live and a control headless pass. */
interface Round {
  readonly load: number;
  readonly headlessFirst: boolean;
  readonly headless: LivePass;
  readonly live: LivePass;
  readonly control: LivePass;
}

/**
 * A round's passes in order: [headless, live, control] or, every other round, [control, live,
 * headless]. The live pass sits between the two headless ones; live / headless and control /
 * headless each alternate which of their two passes comes first, so a slow phase of the machine
 * spoils both comparisons alike, and the control's spread is the noise the live ratio carries.
 */
export function roundOrder(round: number): readonly ('headless' | 'live' | 'control')[] {
  return round % 2 === 0 ? ['headless', 'live', 'control'] : ['control', 'live', 'headless'];
}

function runRound(file: string, pipelinePath: string, round: number): Round {
  const load = loadavg()[0]!;
  const order = roundOrder(round);
  const passes = order.map((kind) => pass(file, pipelinePath, kind === 'live'));
  const of = (kind: 'headless' | 'live' | 'control') => passes[order.indexOf(kind)]!;
  return { load, headlessFirst: order[0] === 'headless', headless: of('headless'), live: of('live'), control: of('control') };
}

/** a / b as a throughput ratio over the run (events per wall second and per CPU second). */
const runRatio = (a: LivePass, b: LivePass): BenchRow => ratioRow(name, throughputRow(name, 'a', a.events, timing(a.run)), throughputRow(name, 'b', b.events, timing(b.run)));
/** a / b as a throughput ratio per CPU second of the replay's own thread. */
const threadRatio = (a: LivePass, b: LivePass): number => a.events / a.runThreadMs / (b.events / b.runThreadMs);

async function compare(file: string, root: string, pipeline: string, keys: number, rounds: number): Promise<BenchRow[]> {
  const path = join(root, 'bench', 'pipelines', `${pipeline}.pipeline.yaml`);
  const played: Round[] = [];
  const rows: BenchRow[] = [];
  const liveRatios: BenchRow[] = [];
  const controlRatios: BenchRow[] = [];
  for (let round = 0; round < rounds; round++) {
    const r = runRound(file, path, round);
    played.push(r);
    const live = runRatio(r.live, r.headless);
    const control = runRatio(r.control, r.headless);
    liveRatios.push(live);
    controlRatios.push(control);
    const row: BenchRow = {
      ...live,
      subject: `${pipeline} round ${round + 1} (${r.headlessFirst ? 'headless, live, control' : 'control, live, headless'}; load ${r.load.toFixed(1)}): live / headless`,
      note:
        `control headless / headless ${control.cpuRatio!.toFixed(2)}× CPU, ${control.ratio!.toFixed(2)}× wall; ` +
        `the replay's thread only: live ${threadRatio(r.live, r.headless).toFixed(2)}×, control ${threadRatio(r.control, r.headless).toFixed(2)}×; ${framesPerSecond(r.live)}; ` +
        `run CPU ${(r.headless.run.cpuMs / 1000).toFixed(2)} s headless, ${(r.live.run.cpuMs / 1000).toFixed(2)} s live, ${(r.control.run.cpuMs / 1000).toFixed(2)} s control; ` +
        `whole process ${(r.headless.process.cpuMs / r.live.process.cpuMs).toFixed(2)}× CPU`,
    };
    process.stderr.write(`bench: live-view ${row.subject}: ${row.cpuRatio!.toFixed(2)}× CPU, ${row.ratio!.toFixed(2)}× wall (${row.note})\n`);
    rows.push(row);
  }
  const loads = played.map((r) => r.load);
  const spreadRow = (subject: string, ratios: readonly BenchRow[], threadRatios: readonly number[]): BenchRow => {
    const cpu = ratioSpread(ratios.map((r) => r.cpuRatio!));
    const wall = ratioSpread(ratios.map((r) => r.ratio!));
    return {
      suite: name,
      subject: `${pipeline}: ${subject}, median of ${rounds} rounds (load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)})`,
      ratio: wall.median,
      cpuRatio: cpu.median,
      note: `CPU ${formatSpread(cpu)}, wall ${formatSpread(wall)}, the replay's thread's CPU ${formatSpread(ratioSpread(threadRatios))}: median (min-max)`,
    };
  };
  const headless = played.map((r) => r.headless);
  const live = played.map((r) => r.live);
  const h = least(headless, (p) => p.run.cpuMs);
  const l = least(live, (p) => p.run.cpuMs);
  const view = l.view!;
  const coalescing = ((await addNanos(keys)) * l.outputs) / 1e9;
  const share = (view.cpuMs / 1000 + coalescing) / (l.run.cpuMs / 1000);
  const headlessRow = throughputRow(name, `${pipeline}: replay headless (least run CPU of ${rounds})`, h.events, timing(h.run));
  const liveRow = throughputRow(name, `${pipeline}: replay under the live view (least run CPU of ${rounds})`, l.events, timing(l.run), {
    note:
      `${framesPerSecond(l)}, ${view.skipped} ticks skipped (nothing changed), ${(view.bytes / 1024).toFixed(0)} KB written; ` +
      `the view's own CPU ${(share * 100).toFixed(1)}% of the run (frames ${(view.cpuMs / 1000).toFixed(2)} s: ${(view.replayThreadMs / Math.max(1, view.frames)).toFixed(1)} ms a frame on the replay's thread, ${((view.cpuMs - view.replayThreadMs) / Math.max(1, view.frames)).toFixed(1)} in the worker; coalescing ${l.outputs.toLocaleString('en')} outputs ${coalescing.toFixed(2)} s)`,
  });
  const wholeHeadless = least(headless, (p) => p.process.cpuMs);
  const wholeLive = least(live, (p) => p.process.cpuMs);
  const whole = ratioRow(name, throughputRow(name, 'live', wholeLive.events, timing(wholeLive.process)), throughputRow(name, 'headless', wholeHeadless.events, timing(wholeHeadless.process)));
  const fixed: BenchRow = {
    suite: name,
    subject: `${pipeline}: the view's fixed costs (CPU, each live pass)`,
    note:
      `importing the UI ${ms(live.map((p) => p.importUi!.cpuMs))}, opening (mount, first frame) ${ms(live.map((p) => p.view!.open.cpuMs))}, ` +
      `closing (last frame, unmount) ${ms(live.map((p) => p.view!.close.cpuMs))}; ` +
      `to the first record (the process's start to the replay's, the view's worker started before the pipeline compiles): ` +
      `wall ${ms(live.map((p) => p.beforeRun.wallMs))} live, ${ms(headless.map((p) => p.beforeRun.wallMs))} headless; ` +
      `CPU ${ms(live.map((p) => p.beforeRun.cpuMs))} live, ${ms(headless.map((p) => p.beforeRun.cpuMs))} headless`,
  };
  return [
    ...rows,
    spreadRow('live / headless, throughput over the run', liveRatios, played.map((r) => threadRatio(r.live, r.headless))),
    spreadRow('CONTROL headless / headless, the same rounds (the noise floor)', controlRatios, played.map((r) => threadRatio(r.control, r.headless))),
    headlessRow,
    liveRow,
    { ...ratioRow(name, liveRow, headlessRow), subject: `${pipeline}: live / headless, least run CPU of each` },
    { ...whole, subject: `${pipeline}: live / headless, whole process (least CPU of ${rounds}: start-up, UI import, open and close included)` },
    fixed,
  ];
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '5m', 5_000_000);
  const rounds = Math.max(MIN_ROUNDS, options.runs);
  // Keys: ~300 content ids; ~50K users.
  return [
    ...(await compare(file.path, options.root, 'tumbling-count', 300, rounds)),
    ...(await compare(file.path, options.root, 'user-minutes', 50_000, rounds)),
  ];
}
