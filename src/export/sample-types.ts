/**
 * Column types from a sample recording: the first records' JSON values, per dotted path. A path
 * whose values are all whole numbers within a day of 2^53 still reads as DOUBLE, since every CEL
 * number is a double; only the time field is BIGINT (epoch ms), which SourceColumns decides.
 */
import { openRecording } from '../replay/recording.js';
import { InputError } from '../errors.js';

/** 1 000 records: enough to see every field of a typical event mix, read in well under a second. */
const SAMPLE_RECORDS = 1000;

export async function sampleTypes(path: string, limit = SAMPLE_RECORDS): Promise<Map<string, string>> {
  const types = new Map<string, string>();
  let seen = 0;
  let blocks: AsyncIterable<{ buffer: Buffer }>;
  try {
    blocks = await openRecording(path);
    for await (const block of blocks) {
      for (const line of block.buffer.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          continue; // the engine dead-letters such a line; it tells nothing about types
        }
        if (record !== null && typeof record === 'object' && !Array.isArray(record)) collect(types, record as Record<string, unknown>, '');
        if (++seen >= limit) return types;
      }
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read the sample recording (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path`);
  }
  return types;
}

/** Records each leaf's type; the first non-null value of a path decides it. */
function collect(types: Map<string, string>, object: Record<string, unknown>, prefix: string): void {
  for (const [name, value] of Object.entries(object)) {
    const path = prefix + name;
    if (value === null || value === undefined) continue;
    if (typeof value === 'object' && !Array.isArray(value)) {
      collect(types, value as Record<string, unknown>, `${path}.`);
      continue;
    }
    if (types.has(path)) continue;
    types.set(path, typeOfValue(value));
  }
}

function typeOfValue(value: unknown): string {
  if (typeof value === 'number') return 'DOUBLE';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'string') return 'STRING';
  if (Array.isArray(value)) {
    const first = value.find((v) => v !== null);
    return `ARRAY<${first === undefined || typeof first === 'object' ? 'STRING' : typeOfValue(first)}>`;
  }
  return 'STRING';
}
