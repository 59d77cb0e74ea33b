/**
 * `sw design --from`'s recording profiler (rate, per-second peak, sizes, key counts, disorder)
 * against the JSON.parse floor over the same 2M-event file: the profiler parses every line with
 * JSON.parse too, so the ratio is the cost of its bookkeeping.
 */
import { ensureActivityFile } from '../activity-file.js';
import { jsonParsePass, type PassResult } from '../file-passes.js';
import { fastestOf, startTiming } from '../timing.js';
import { measureRecording } from '../../src/design/measure-recording.js';
import { ratioRow, throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'design-profile';

const RUNS = 2;

async function profilePass(path: string): Promise<PassResult> {
  const stop = startTiming();
  const profile = await measureRecording(path, { timeField: 'timestamp', keys: [{ name: 'userId', paths: ['userId'] }], guessKey: false });
  return { events: profile.records, checksum: profile.keys[0]?.distinct ?? 0, ...stop() };
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const floor = await fastestOf(RUNS, () => jsonParsePass(file.path));
  const floorRow = throughputRow(name, 'JSON.parse floor', floor.events, floor);
  const profiled = await fastestOf(RUNS, () => profilePass(file.path));
  const profileRow = throughputRow(name, 'profiler (userId key)', profiled.events, profiled, { note: `${profiled.checksum.toLocaleString('en')} distinct userId` });
  return [floorRow, profileRow, ratioRow(name, profileRow, floorRow)];
}
