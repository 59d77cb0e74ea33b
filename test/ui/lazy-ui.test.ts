/**
 * "The UI is imported only when it is used": the modules a headless `sw replay` loads, seen by
 * a module resolve hook, include neither ink nor react nor src/ui. A control run proves the hook
 * sees them when the live view's module is loaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../cli/run-sw.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-lazy-ui-'));
writeFileSync(
  join(dir, 'hook.mjs'),
  `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (/\\/node_modules\\/(ink|react|react-reconciler|yoga-layout)\\/|\\/dist\\/src\\/ui\\//.test(resolved.url)) appendFileSync(log, resolved.url + '\\n');
  return resolved;
}
`,
);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { register } from 'node:module';
register(new URL('./hook.mjs', import.meta.url), { data: { log: process.env.SW_MODULE_LOG } });
`,
);

/** UI modules resolved while running node with `args`. */
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

test('control: loading the live view is seen by the hook', () => {
  const modules = uiModules('control', ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/ui/run-live-view.js')).href)})`]);
  assert.ok(modules.some((url) => url.includes('/node_modules/ink/')), modules.join('\n'));
  assert.ok(modules.some((url) => url.includes('/dist/src/ui/')));
});
