/**
 * better-sqlite3, opened with its native addon named directly. Loaded lazily by the modules that
 * open databases (the checkpoint store, SQLite recordings and outputs, the SQLite state backend),
 * and in the bundle with better-sqlite3's own JavaScript bundled in (scripts/bundle.mjs): its
 * package loaded from node_modules (a dozen CommonJS files) and its addon found by the `bindings`
 * package (which builds a stack trace and tries a list of paths) were ≈15 ms of CPU before a
 * checkpointed replay's first record, ≈1% of a 2M-event run (docs/checkpoints.md, "Session 13").
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type { Database };

/** Where npm's install builds (or a prebuilt download puts) the addon; null when it is not there. */
function addonPath(): string | null {
  try {
    const path = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const addon = addonPath();

/**
 * better-sqlite3 as installed, when its addon is not where npm builds it (a debug build, a moved
 * or missing addon): the package is loaded from node_modules, so that its own search (the
 * `bindings` package, which looks around the package's folder and names every path it tried when
 * it finds none) runs from there. Bundled, that search could not run (it reads `__filename`).
 */
const Installed: typeof Database | null = addon === null ? (createRequire(import.meta.url)('better-sqlite3') as typeof Database) : null;

/** `new Database(path, options)` of better-sqlite3, its addon named when it was found. */
export function openDatabase(path: string, options: Database.Options = {}): Database.Database {
  return Installed === null ? new Database(path, { ...options, nativeBinding: addon! }) : new Installed(path, options);
}

/** The error class of the better-sqlite3 that opens the databases. */
export const SqliteError = (Installed ?? Database).SqliteError;
