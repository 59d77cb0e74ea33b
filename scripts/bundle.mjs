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
//    which ink imports only when DEV=true, is not installed and stays an import.
// 4. The chunks sit at dist/src/bundle/, as deep as dist/src/<folder>/: the modules that find
//    files from their own import.meta.url (scenarios/catalogue.ts, quality/default-rules.ts)
//    reach the same folders from here.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SRC = join(ROOT, 'dist', 'src');
const OUT = join(SRC, 'bundle');
const BUNDLED = new Set(['yaml', 'commander', 'chalk', 'ink', 'react']);
// Chunk names carry a hash: clear the folder so no stale chunk from an earlier build stays beside them.
rmSync(OUT, { recursive: true, force: true });
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
  plugins: [lazyEntries],
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
// Which source modules each chunk holds: test/cli/startup.test.ts reads it to tell what a run loaded.
writeFileSync(join(OUT, 'meta.json'), JSON.stringify(result.metafile));
const files = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.mjs')).length;
process.stdout.write(`bundle: ${files} files in ${relative(ROOT, OUT)}/ (${[...lazy.values()].join(', ')})\n`);
