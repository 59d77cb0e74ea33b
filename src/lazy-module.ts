import { createRequire } from 'node:module';

/**
 * A module loaded on its first use instead of at start-up, synchronously: `require` of an ES
 * module works from Node 20.19 (package.json engines) and returns the same instance `import`
 * does. A headless replay of a window pipeline then skips the CEL parser, CEP, process state and
 * SQLite: 0.07 CPU-s of a 0.3 s start-up (docs/speed.md).
 *
 * `specifier` is resolved against `base` (the caller's import.meta.url); give the module's type
 * as `T` with a type-only `typeof import(...)`, which emits no import.
 */
export function lazyModule<T>(specifier: string, base: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(base)(specifier) as T);
}
