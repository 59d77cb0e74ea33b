/** Issue 3: the pattern operator (binge, its operator shell alone, and followedByAny over 2M generated events); see bench/cep.ts. */
import { runCepBench } from '../cep.js';
import { throughputRow, type BenchRow } from '../suite.js';

export const name = 'cep';

export async function run(): Promise<BenchRow[]> {
  return runCepBench().map((r) =>
    throughputRow(name, r.subject, r.events, { seconds: r.seconds }, {
      maxRssBytes: r.maxRssBytes,
      note: `${Math.round(r.eventsPerCpuSec).toLocaleString('en')} events per CPU-second; ${r.matches.toLocaleString('en')} matches; peak heap ${Math.round(r.peakHeapBytes / 1048576)} MB${r.subject.startsWith('binge') ? '; target ≥ 1M events/s' : r.subject.startsWith('shell') ? '; target ≥ 3M events/CPU-s' : ''}`,
    }),
  );
}
