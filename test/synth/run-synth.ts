import { synthesize, type SynthOutput, type SynthRequest, type SynthSummary } from '../../src/synth/synthesize.js';

/** Collects the synthesized lines in memory (tests only; the CLI streams). */
export class MemoryOutput implements SynthOutput {
  readonly lines: string[] = [];
  readonly times: number[] = [];
  readonly wantsFlush = false;
  write(text: string, time: number): void {
    this.lines.push(text);
    this.times.push(time);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export interface SynthRun {
  readonly lines: string[];
  /** Event time of each line (also of malformed ones). */
  readonly times: number[];
  readonly summary: SynthSummary;
}

const cache = new Map<string, Promise<SynthRun>>();

/** Runs the synthesizer once per distinct request (test files share runs). */
export function runSynth(request: SynthRequest): Promise<SynthRun> {
  const id = JSON.stringify(request);
  let run = cache.get(id);
  if (!run) {
    run = (async () => {
      const output = new MemoryOutput();
      const summary = await synthesize(request, output);
      return { lines: output.lines, times: output.times, summary };
    })();
    cache.set(id, run);
  }
  return run;
}

/** A day at a low rate: every case kind fits (the night, the 3 h taste change) in a fast test. */
export function dayRequest(domain: SynthRequest['domain'], extra: Partial<SynthRequest> = {}): SynthRequest {
  return { domain, seed: 11, duration: 86_400_000, start: Date.UTC(2026, 0, 1, 6), rate: 'constant:1/s', entities: 200, skew: 1.1, userSkew: 0.6, cases: 6, ...extra };
}
