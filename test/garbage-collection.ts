/** Full collections for tests that check what stays reachable (WeakRef targets). */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** How many of `refs` still point at something after a full collection. */
export async function aliveAfterGc(refs: readonly WeakRef<object>[]): Promise<number> {
  // A WeakRef keeps its target for the rest of the job that made or read it: collect after it.
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  collectGarbage();
  return refs.filter((ref) => ref.deref() !== undefined).length;
}
