/**
 * Start-up pays only for what a run uses (issue 2, "Speed"): a headless replay of a window step
 * without expressions must not load the CEL parser, CEP, process functions or SQLite. A module
 * hook (run with --import) appends the URL of every module the ES loader loads to a file; modules
 * loaded lazily through src/lazy-module.ts (require of ESM) do not pass the hook, static imports do,
 * which is the regression this pins: one static import of these from the replay path.
 * bin/sw runs the bundle (scripts/bundle.mjs): the bundle's metafile says which of our modules and
 * which packages each file it loaded holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { FIXTURES, ROOT } from './run-sw.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-cli-startup-'));

const HOOK = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.SW_TEST_LOADED, url + '\\n');
  return next(url, context);
}`;

/** The file: URLs the ES loader loaded while `sw ...args` ran. */
function modulesLoadedBy(args: readonly string[], root = ROOT): string[] {
  const hook = join(tmp, 'hook.mjs');
  const register = join(tmp, 'register.mjs');
  const loaded = join(tmp, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(hook, HOOK);
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  writeFileSync(loaded, '');
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, join(root, 'bin', 'sw'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SW_TEST_LOADED: loaded },
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return readFileSync(loaded, 'utf8').split('\n').filter(Boolean);
}

/** The modules in what `sw ...args` loaded: files outside the bundle as they are, bundle files as the modules they hold. */
function sourcesLoadedBy(args: readonly string[]): string[] {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'src', 'bundle', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return modulesLoadedBy(args).flatMap((url) => {
    const output = meta.outputs[relative(ROOT, fileURLToPath(url))];
    return output === undefined ? [url] : Object.keys(output.inputs);
  });
}

test('a window replay without expressions loads neither the CEL parser, CEP, process state nor SQLite', () => {
  const pipeline = join(tmp, 'count.pipeline.yaml');
  writeFileSync(pipeline, ['name: count', 'time: { field: ts, outOfOrderness: 15s }', 'steps:', '  perPage:', '    keyBy: page', '    window: { type: tumbling, size: 1m }', '    aggregate: { clicks: count() }', ''].join('\n'));
  const loaded = sourcesLoadedBy(['replay', join(FIXTURES, 'clicks.jsonl'), '--pipeline', pipeline, '--speed', 'max', '--out', join(tmp, 'out.jsonl')]);
  // The hook saw the run's own modules: the check below is not vacuous.
  assert.ok(loaded.some((url) => url.endsWith('/engine/window/window-operator.js')), loaded.join('\n'));
  // yaml is in the vendor script (scripts/bundle.mjs, 5.), which the ES loader does not load: its module re-exporting it is.
  assert.ok(loaded.includes('vendor:yaml'), loaded.join('\n'));
  const unwanted = loaded.filter((url) => /(^|\/)node_modules\/(@marcbachmann\/cel-js|safe-regex2|better-sqlite3|kafkajs|ink|react)\/|\/engine\/(expression\/(?!errors\.js)|cep\/|process\/)/.test(url));
  assert.deepEqual(unwanted, []);
});

test('bin/sw runs dist/src as tsc wrote it when the bundle is older (`npx tsc` alone), else the bundle', () => {
  // A copy of the built CLI whose files' times can be set without touching the build under test.
  const root = join(tmp, 'copy');
  mkdirSync(join(root, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'src'), join(root, 'dist', 'src'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  const entry = (url: string) => /\/dist\/src\/(bundle\/cli\.mjs|cli\.js)$/.exec(url)?.[1];
  const entriesLoaded = () => modulesLoadedBy(['--version'], root).map(entry).filter(Boolean);
  const bundle = join(root, 'dist', 'src', 'bundle', 'cli.mjs');
  const compiled = join(root, 'dist', 'src', 'cli.js');
  utimesSync(bundle, 1_000, 1_000);
  utimesSync(compiled, 2_000, 2_000);
  assert.deepEqual(entriesLoaded(), ['cli.js']);
  utimesSync(bundle, 3_000, 3_000);
  assert.deepEqual(entriesLoaded(), ['bundle/cli.mjs']);
});

test("the bundle's vendor script has a code cache this Node accepts", () => {
  // scripts/bundle.mjs made it in a warm-up replay; V8 rejects a cache of another version or other flags.
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'src', 'bundle', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const vendor = Object.keys(meta.outputs).filter((file) => /\/vendor-[0-9a-f]+\.cjs$/.test(file));
  assert.equal(vendor.length, 1, Object.keys(meta.outputs).join('\n'));
  assert.ok(Object.keys(meta.outputs[vendor[0]!]!.inputs).some((input) => input.includes('node_modules/yaml/')));
  const file = join(ROOT, vendor[0]!);
  const cachedData = readFileSync(file.replace(/\.cjs$/, '.cache'));
  // The same wrapper the bundle's loader compiles it in: the cache holds that source's functions.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, { filename: file, cachedData });
  assert.equal(script.cachedDataRejected, false);
});

test('a checkpointed replay loads better-sqlite3 from the bundle and its addon by path, not the package and its `bindings` search', () => {
  // require() does not pass the ES loader's hook: the CommonJS files a run loaded are the keys of require.cache at exit.
  const preload = join(tmp, 'required.cjs');
  const required = join(tmp, 'required.txt');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(required)}, Object.keys(require.cache).join('\\n')));\n`);
  const pipeline = join(tmp, 'count.pipeline.yaml');
  writeFileSync(pipeline, ['name: count', 'time: { field: ts, outOfOrderness: 15s }', 'steps:', '  perPage:', '    keyBy: page', '    window: { type: tumbling, size: 1m }', '    aggregate: { clicks: count() }', ''].join('\n'));
  const args = ['replay', join(FIXTURES, 'clicks.jsonl'), '--pipeline', pipeline, '--speed', 'max', '--out', join(tmp, 'checkpointed.jsonl'), '--checkpoint-every', '5'];
  const result = spawnSync(process.execPath, ['--require', preload, join(ROOT, 'bin', 'sw'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  const files = readFileSync(required, 'utf8').split('\n');
  // The store was opened: the addon is loaded (by path).
  assert.ok(files.some((file) => file.endsWith('/better-sqlite3/build/Release/better_sqlite3.node')), files.join('\n'));
  assert.deepEqual(files.filter((file) => /\/node_modules\/(better-sqlite3\/lib|bindings|file-uri-to-path)\//.test(file)), []);
});

test("a checkpointed window replay, whose rows stay small (no writer thread), does not load node:worker_threads", () => {
  // Node's own modules do not pass the ES loader's hook: process.moduleLoadList at exit names them.
  const preload = join(tmp, 'builtins.cjs');
  const builtins = join(tmp, 'builtins.txt');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(builtins)}, process.moduleLoadList.join('\\n')));\n`);
  const pipeline = join(tmp, 'count.pipeline.yaml');
  writeFileSync(pipeline, ['name: count', 'time: { field: ts, outOfOrderness: 15s }', 'steps:', '  perPage:', '    keyBy: page', '    window: { type: tumbling, size: 1m }', '    aggregate: { clicks: count() }', ''].join('\n'));
  const out = join(tmp, 'no-writer-thread.jsonl');
  const args = ['replay', join(FIXTURES, 'clicks.jsonl'), '--pipeline', pipeline, '--speed', 'max', '--out', out, '--checkpoint-every', '5', '--stats-json', `${out}.stats.json`];
  const result = spawnSync(process.execPath, ['--require', preload, join(ROOT, 'bin', 'sw'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  // Checkpoints were taken, by this thread alone.
  const { checkpoints } = JSON.parse(readFileSync(`${out}.stats.json`, 'utf8')) as { checkpoints: { taken: number; writerThreadMs: number } };
  assert.ok(checkpoints.taken > 0);
  assert.equal(checkpoints.writerThreadMs, 0);
  const modules = readFileSync(builtins, 'utf8').split('\n');
  // The list is the run's: the store's addon was loaded through process.dlopen, and zlib (the rows' CRC-32).
  assert.ok(modules.includes('NativeModule zlib'), modules.join('\n'));
  assert.deepEqual(modules.filter((name) => name === 'NativeModule worker_threads' || name === 'NativeModule internal/worker'), []);
});

test("an addon not where npm builds it: better-sqlite3 is loaded from node_modules and finds it itself; none at all is named as such", () => {
  // A copy of the built CLI beside a node_modules whose better-sqlite3 has its addon in build/Debug
  // (a debug build; one of the places the package's own search, the `bindings` package, looks).
  const root = join(tmp, 'debug-addon');
  mkdirSync(join(root, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'src'), join(root, 'dist', 'src'), { recursive: true, preserveTimestamps: true });
  cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  const modules = join(root, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) if (name !== 'better-sqlite3') symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  const sqlite = join(modules, 'better-sqlite3');
  cpSync(join(ROOT, 'node_modules', 'better-sqlite3', 'package.json'), join(sqlite, 'package.json'));
  cpSync(join(ROOT, 'node_modules', 'better-sqlite3', 'lib'), join(sqlite, 'lib'), { recursive: true });
  mkdirSync(join(sqlite, 'build', 'Debug'), { recursive: true });
  const addon = join(sqlite, 'build', 'Debug', 'better_sqlite3.node');
  cpSync(join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), addon);
  const pipeline = join(tmp, 'debug-addon.pipeline.yaml');
  writeFileSync(pipeline, ['name: count', 'time: { field: ts, outOfOrderness: 15s }', 'steps:', '  perPage:', '    keyBy: page', '    window: { type: tumbling, size: 1m }', '    aggregate: { clicks: count() }', ''].join('\n'));
  const replay = (store: string) =>
    spawnSync(process.execPath, [join(root, 'bin', 'sw'), 'replay', join(FIXTURES, 'clicks.jsonl'), '--pipeline', pipeline, '--speed', 'max', '--out', join(tmp, `${store}.jsonl`), '--checkpoint-every', '5', '--checkpoint-db', join(tmp, `${store}.db`)], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
  const found = replay('debug-addon');
  assert.equal(found.status, 0, found.stderr);
  assert.deepEqual(readFileSync(join(tmp, 'debug-addon.jsonl'), 'utf8'), runReplayOutput(pipeline));
  // No addon anywhere: the package's own message, which lists the paths it tried.
  rmSync(addon);
  const missing = replay('no-addon');
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /Could not locate the bindings file/, missing.stderr);
});

/** The same replay's output by the CLI under test (no checkpoints). */
function runReplayOutput(pipeline: string): string {
  const out = join(tmp, 'debug-addon-reference.jsonl');
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'sw'), 'replay', join(FIXTURES, 'clicks.jsonl'), '--pipeline', pipeline, '--speed', 'max', '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return readFileSync(out, 'utf8');
}
