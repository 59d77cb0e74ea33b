// PLACEHOLDER until the synth branch (SQLite recordings) merges.
import type { RecordBlock } from './recording.js';
import { InputError } from '../errors.js';
export async function* readSqliteBlocks(path: string): AsyncGenerator<RecordBlock> {
  throw new InputError(`${path}: SQLite recordings not merged yet`);
}
