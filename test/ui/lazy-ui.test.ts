/**
 * "The UI is imported only when it is used": the modules a headless `sw replay` loads, seen by
 * a module resolve hook, include neither ink nor react nor src/ui. A control run proves the hook
 * sees them when the view's renderer is loaded. And a live run loads ink and react in the view's
 * worker thread only: the replay's thread (thread 0; each thread registers the hook of its own
 * and names itself) loads the runner's modules, none of ink's, React's or the components.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../cli/run-sw.js';
import { liveReplayScript } from './live-replay-script.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-lazy-ui-'));
writeFileSync(
  join(dir, 'hook.mjs'),
  `import { appendFileSync } from 'node:fs';
let log;
let thread;
export function initialize(data) { log = data.log; thread = data.thread; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (/\\/node_modules\\/(ink|react|react-reconciler|yoga-layout)\\/|\\/dist\\/src\\/ui\\//.test(resolved.url)) appendFileSync(log, thread + ' ' + resolved.url + '\\n');
  return resolved;
}
`,
);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { register } from 'node:module';
import { threadId } from 'node:worker_threads';
register(new URL('./hook.mjs', import.meta.url), { data: { log: process.env.SW_MODULE_LOG, thread: threadId } });
`,
);

/** UI modules resolved while running node with `args`, each with the thread that loaded it (`0 file:///…`). */
function uiModules(name: string, args: string[]): string[] {
  const log = join(dir, `${name}.log`);
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SW_MODULE_LOG: log },
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

const replay = ['bin/sw', 'replay', 'test/fixtures/live.jsonl', '--pipeline', 'test/fixtures/live.pipeline.yaml', '--out', join(dir, 'out.jsonl')];

const CASES: Array<[string, string[]]> = [
  ['--no-ui', [...replay, '--no-ui']],
  ['a pipe (no terminal)', replay],
];

for (const [title, args] of CASES) {
  test(`a headless replay (${title}) loads no ink, react or src/ui`, () => {
    assert.deepEqual(uiModules(title.replace(/\W+/g, '-'), args), []);
  });
}

test('control: loading the view\'s renderer is seen by the hook', () => {
  const modules = uiModules('control', ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/ui/view-renderer.js')).href)})`]);
  assert.ok(modules.some((url) => url.includes('/node_modules/ink/')), modules.join('\n'));
  assert.ok(modules.some((url) => url.includes('/dist/src/ui/')));
});

/** Ink, React, Yoga, and the view's components (the modules that import them). */
const INK_OR_REACT = /\/node_modules\/(ink|react|react-reconciler|yoga-layout)\/|\/dist\/src\/ui\/(live-app|view-renderer|header|window-panel|feed-panel|quality-panel|step-tabs|frame-overlay)\.js$/;

test('a live replay loads ink and react in the view\'s worker only, none of them in the replay\'s thread', () => {
  const script = liveReplayScript("if (frames === 0) throw new Error('the view drew no frame');");
  // A file, not -e: the worker inherits node's flags, and --input-type would not let it load its module.
  writeFileSync(join(dir, 'live.mjs'), script);
  const modules = uiModules('live', [join(dir, 'live.mjs')]).map((line) => line.split(' '));
  const main = modules.filter(([thread]) => thread === '0').map(([, module]) => module!);
  const worker = modules.filter(([thread]) => thread !== '0').map(([, module]) => module!);
  assert.ok(main.some((module) => module.endsWith('/dist/src/ui/run-live-view.js')), main.join('\n'));
  assert.deepEqual(main.filter((module) => INK_OR_REACT.test(module)), []);
  assert.ok(worker.some((module) => module.includes('/node_modules/ink/')), worker.join('\n'));
  assert.ok(worker.some((module) => module.endsWith('/dist/src/ui/live-app.js')), worker.join('\n'));
});
