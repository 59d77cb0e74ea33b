/**
 * A module script (for a child node) that runs a live replay of the test fixture
 * (test/fixtures/live.jsonl and its pipeline) at --speed max on an off-screen terminal, from the
 * built dist/, then runs `check`: a statement with `frames` (the frames drawn) and `summary` (the
 * run's) in scope. Tests that watch what a live replay does to the process (the modules its threads
 * load, V8's protectors) run it with their own node flags.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../cli/run-sw.js';

const url = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, path)).href);

export function liveReplayScript(check: string): string {
  return `
    const { loadCompiledPipeline } = await import(${url('dist/src/spec/compile.js')});
    const { Replay } = await import(${url('dist/src/replay/replay.js')});
    const { runLiveView } = await import(${url('dist/src/ui/run-live-view.js')});
    const { keyboard, offscreenTerminal } = await import(${url('dist/bench/offscreen-terminal.js')});
    const compiled = await loadCompiledPipeline('test/fixtures/live.pipeline.yaml');
    const replay = new Replay({ recording: 'test/fixtures/live.jsonl', compiled, speed: Infinity, deadLetterPath: null });
    let frames = 0;
    const summary = await runLiveView(replay, 'test/fixtures/live.jsonl', 'test/fixtures/live.pipeline.yaml', compiled.spec.steps, { stdout: offscreenTerminal(), stdin: keyboard(), onCost: (cost) => (frames = cost.frames) });
    ${check}
  `;
}
