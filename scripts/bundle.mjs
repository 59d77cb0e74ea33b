// Bundles the compiled CLI (dist/src/cli.js, after tsc) into dist/src/bundle/ for bin/sw: a replay
// then loads ~25 files instead of ~135 (yaml alone is 74 CommonJS files), 0.05-0.07 CPU-s of a
// 0.3 s start-up (docs/speed.md, "Start-up"). Tests import dist/src/ unbundled; bin/sw runs this.
//
// What stays as it was:
// 1. Each command is a dynamic import(): with `splitting` it is its own chunk, loaded when it runs.
// 2. src/lazy-module.ts loads a module synchronously on first use (require of ES modules). Each
//    module named by a relative `lazyModule('./x.js', import.meta.url)` becomes an entry of its
//    own (lazy-<name>.mjs), and the call is rewritten to name that file: it loads on first use
//    and shares the chunks it has in common with the rest (one instance of every module).
// 3. Packages stay in node_modules except the few the replay path loads at start (BUNDLED: yaml,
//    commander, chalk) and the live view's (ink and react: ink alone is ~550 module files, 0.8 CPU-s
//    to import, 0.18 s bundled; they sit in the live view's chunk, loaded only when it is used).
//    The CEL parser is not among them, so it loads with its lazy entry only. react-devtools-core,
//    which ink imports only when DEV=true, is not installed and stays an import. better-sqlite3's
//    JavaScript is bundled into the lazy entry of src/sqlite-database.ts, which names its native
//    addon in node_modules (~7 ms less to load than the package's dozen CommonJS files).
// 4. The chunks sit at dist/src/bundle/, as deep as dist/src/<folder>/: the modules that find
//    files from their own import.meta.url (scenarios/catalogue.ts, quality/default-rules.ts)
//    reach the same folders from here.
// 5. The CommonJS packages of the replay path (yaml, commander: VENDOR) are one CommonJS script,
//    vendor-<hash>.cjs, that every chunk importing them shares (a virtual module per package
//    re-exports its names). It is compiled with a V8 code cache made here, after a 1-event replay
//    warmed it up (the functions that replay compiled are in it): ~15 ms less of compiling and
//    evaluating them at start-up. Node 20 has no compile cache for ES modules (module.enableCompileCache
//    is Node 22+), only vm.Script's cachedData. V8 checks a cache against its own version and flags
//    and rejects it otherwise (then the script is compiled as usual); the source is checked by its
//    length only, so the file names carry the script's hash: a cache goes with its script.
//    commander's `require('node:child_process')` (for executable subcommands, which sw has none of)
//    is a stub that loads it on first use: child_process and net are ~7 ms of start-up.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');
const SRC = join(ROOT, 'dist', 'src');
const OUT = join(SRC, 'bundle');
const BUNDLED = new Set(['yaml', 'commander', 'chalk', 'ink', 'react', 'better-sqlite3']);
const VENDOR = ['yaml', 'commander', 'chalk'];
// Chunk names carry a hash: clear the folder so no stale chunk from an earlier build stays beside them.
rmSync(OUT, { recursive: true, force: true });

// The vendor script (5.): a CommonJS module whose exports are { yaml, commander }.
const childProcessStub = {
  name: 'child-process-on-first-use',
  setup(context) {
    context.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (/\/commander\//.test(args.importer) ? { path: 'child_process', namespace: 'stub' } : undefined));
    context.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};
const vendorBuild = await build({
  absWorkingDir: ROOT,
  stdin: { contents: `module.exports = { ${VENDOR.map((name) => `${JSON.stringify(name)}: require(${JSON.stringify(name)})`).join(', ')} };`, resolveDir: ROOT, loader: 'js', sourcefile: 'vendor.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  write: false,
  outfile: join(OUT, 'vendor.cjs'),
  plugins: [childProcessStub],
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
const vendorText = vendorBuild.outputFiles[0].text;
const vendorName = `vendor-${createHash('sha256').update(vendorText).digest('hex').slice(0, 12)}`;
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, `${vendorName}.cjs`), vendorText);
// The names each package exports, for the virtual modules that re-export them.
const requireFromRoot = createRequire(join(ROOT, 'package.json'));
// chalk is an ES module: import() it (require of ES modules needs Node 20.19); yaml and commander are CommonJS.
const exportsOf = async (name) => (name === 'chalk' ? await import(pathToFileURL(requireFromRoot.resolve(name)).href) : requireFromRoot(name));
const vendorNames = Object.fromEntries(await Promise.all(VENDOR.map(async (name) => [name, Object.keys(await exportsOf(name)).filter((key) => key !== 'default' && /^[A-Za-z_$][\w$]*$/.test(key))])));
const VENDOR_LOADER = `
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
const file = fileURLToPath(new URL('./${vendorName}.cjs', import.meta.url));
const cacheFile = file.replace(/\\.cjs$/, '.cache');
let cachedData;
try { cachedData = readFileSync(cacheFile); } catch {}
const script = new Script('(function (exports, require, module, __filename, __dirname) {' + readFileSync(file, 'utf8') + '\\n})', { filename: file, cachedData });
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
export const vendor = module.exports;
// Set by scripts/bundle.mjs only, in the warm-up run that makes the cache. Written beside it and
// renamed onto it, so a reader never sees half a file; worker threads load the script too, and only
// the main thread writes (worker_threads is required here only: a normal start does not load it).
if (process.env.SW_BUNDLE_WRITE_VENDOR_CACHE === '1' && createRequire(file)('node:worker_threads').isMainThread) {
  process.once('exit', () => {
    const partial = cacheFile + '.' + process.pid;
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, cacheFile);
  });
}
`;
const vendorModules = {
  name: 'vendor',
  setup(context) {
    // Only where the import finds the package the vendor script holds (a package's own copy of another version stays its own).
    const rootEntry = Object.fromEntries(VENDOR.map((name) => [name, requireFromRoot.resolve(name)]));
    context.onResolve({ filter: new RegExp(`^(${VENDOR.join('|')})$`) }, (args) =>
      createRequire(args.importer).resolve(args.path) === rootEntry[args.path] ? { path: args.path, namespace: 'vendor' } : undefined,
    );
    context.onResolve({ filter: /^sw-vendor-loader$/ }, () => ({ path: 'loader', namespace: 'vendor' }));
    context.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
      contents:
        args.path === 'loader'
          ? VENDOR_LOADER
          : `import { vendor } from 'sw-vendor-loader';\nconst m = vendor[${JSON.stringify(args.path)}];\nexport default 'default' in m ? m.default : m;\nexport const { ${vendorNames[args.path].join(', ')} } = m;\n`,
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
};
// `lazyModule('./x.js', import.meta.url)` and a worker thread's `new Worker(new URL('./x.js', import.meta.url)`:
// modules loaded by a path at run time; each becomes an entry of its own, and the path names it.
const LAZY = /\b(lazyModule\(|new Worker\(new URL\()\s*'(\.{1,2}\/[^']+)',\s*import\.meta\.url\s*\)/g;

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const external = [...Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => !BUNDLED.has(name)), 'react-devtools-core'];

/** Every compiled module under dist/src (the bundle's own folder aside). */
function modules(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return path === OUT ? [] : modules(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

// The lazily loaded modules: absolute path → entry name (lazy-engine-expression-index).
const lazy = new Map();
for (const path of modules(SRC)) {
  const text = readFileSync(path, 'utf8');
  // A relative lazyModule call LAZY does not read would resolve against a chunk at run time and fail.
  const relativeCalls = text.match(/\b(lazyModule\(|new Worker\(new URL\()\s*['"`]\./g)?.length ?? 0;
  const calls = [...text.matchAll(LAZY)];
  if (relativeCalls !== calls.length) {
    throw new Error(`${relative(ROOT, path)}: write relative lazy modules as lazyModule('./module.js', import.meta.url) and workers as new Worker(new URL('./module.js', import.meta.url) (single quotes), so the bundle can make them entries`);
  }
  for (const [, , specifier] of calls) {
    const target = resolve(dirname(path), specifier);
    lazy.set(target, `lazy-${relative(SRC, target).replace(/\.js$/, '').replaceAll('/', '-')}`);
  }
}

const lazyEntries = {
  name: 'lazy-entries',
  setup(context) {
    context.onLoad({ filter: /\/dist\/src\/.*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('lazyModule(') && !text.includes('new Worker(')) return undefined;
      const contents = text.replace(LAZY, (_, call, specifier) => `${call}'./${lazy.get(resolve(dirname(args.path), specifier))}.mjs', import.meta.url)`);
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { cli: join(SRC, 'cli.js'), ...Object.fromEntries([...lazy].map(([path, name]) => [name, path])) },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  external,
  plugins: [vendorModules, lazyEntries],
  // The bundled CommonJS packages (yaml, commander) require Node's built-ins.
  banner: { js: "import { createRequire as __swCreateRequire } from 'node:module'; const require = __swCreateRequire(import.meta.url);" },
  metafile: true,
  // Less to parse at start-up (1.5 → 1.2 MB; ~0.02 CPU-s of a replay's start-up); names stay, so
  // stacks stay readable, and `node --enable-source-maps bin/sw` maps them to dist/src/.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
// Which source modules each chunk holds: test/cli/startup.test.ts reads it to tell what a run loaded
// (the vendor script, which the ES loader does not load, under its own name).
result.metafile.outputs[relative(ROOT, join(OUT, `${vendorName}.cjs`))] = Object.values(vendorBuild.metafile.outputs)[0];
writeFileSync(join(OUT, 'meta.json'), JSON.stringify(result.metafile));

// The vendor script's code cache (5.): a 1-event replay of a window pipeline through bin/sw warms
// it up and writes it as it exits. Without it (a failed warm-up) the script is compiled as usual.
// It runs in `prepare` on every npm install: it only warns, never fails or hangs the install.
try {
  const warm = mkdtempSync(join(tmpdir(), 'sw-bundle-'));
  try {
    writeFileSync(join(warm, 'events.jsonl'), '{"ts":"2024-01-01T00:00:00Z","page":"a"}\n');
    writeFileSync(join(warm, 'count.pipeline.yaml'), ['name: count', 'time: { field: ts, outOfOrderness: 5s }', 'steps:', '  perPage:', '    keyBy: page', '    window: { type: tumbling, size: 1m }', '    aggregate:', '      clicks: count()', ''].join('\n'));
    const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'sw'), 'replay', join(warm, 'events.jsonl'), '--pipeline', join(warm, 'count.pipeline.yaml'), '--speed', 'max', '--out', join(warm, 'out.jsonl')], {
      encoding: 'utf8',
      env: { ...process.env, SW_BUNDLE_WRITE_VENDOR_CACHE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    if (run.status !== 0) process.stderr.write(`bundle: no code cache for ${vendorName}.cjs (the warm-up replay failed: ${(run.stderr || String(run.error)).trim().split('\n')[0]})\n`);
  } finally {
    rmSync(warm, { recursive: true, force: true });
  }
} catch (error) {
  process.stderr.write(`bundle: no code cache for ${vendorName}.cjs (the warm-up failed: ${String(error)})\n`);
}
const files = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.mjs')).length;
process.stdout.write(`bundle: ${files} files in ${relative(ROOT, OUT)}/ (${[...lazy.values()].join(', ')})\n`);
