/**
 * `sw design --from`'s recording profiler (rate, per-second peak, sizes, key counts, disorder)
 * against the JSON.parse floor over the same 2M-event file: the profiler parses every line with
 * JSON.parse too, so the ratio is the cost of its bookkeeping.
 */
import { ensureActivityFile } from '../activity-file.js';
import { fastestOf, jsonParsePass, type PassResult } from '../file-passes.js';
import { measureRecording } from '../../src/design/measure-recording.js';
import { ratioRow, throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'design-profile';

const RUNS = 2;

async function profilePass(path: string): Promise<PassResult> {
  const started = performance.now();
  const profile = await measureRecording(path, { timeField: 'timestamp', keys: [{ name: 'userId', paths: ['userId'] }], guessKey: false });
  return { events: profile.records, seconds: (performance.now() - started) / 1000, checksum: profile.keys[0]?.distinct ?? 0 };
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const floorRow = throughputRow(name, 'JSON.parse floor', ...timing(await fastestOf(RUNS, () => jsonParsePass(file.path))));
  const profiled = await fastestOf(RUNS, () => profilePass(file.path));
  const profileRow = throughputRow(name, 'profiler (userId key)', ...timing(profiled), { note: `${profiled.checksum.toLocaleString('en')} distinct userId` });
  return [floorRow, profileRow, ratioRow(name, profileRow, floorRow)];
}

function timing(result: PassResult): [number, number] {
  return [result.events, result.seconds];
}
