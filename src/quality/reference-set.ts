import { readLines } from '../replay/lines.js';
import { InputError } from '../errors.js';
import { fieldReader, valueKey } from './field-path.js';
import { scanRecords } from './record-stream.js';
import { isSqlitePath } from '../replay/sqlite-recording.js';

/**
 * Loads the set of valid values for a referential-integrity check, streaming the file:
 * - a recording — `.jsonl` / `.jsonl.gz` / `.ndjson` / SQLite `.db` (a reference table or another
 *   stream): the `key` field of each record;
 * - `.csv`: the `key` column (by header name), or the first column without `key`;
 * - anything else: one value per line.
 * Values are compared by their string form (valueKey), so 42 in a CSV matches 42 in JSON.
 */
export async function loadReferenceSet(path: string, key: string | undefined, where: string): Promise<Set<string>> {
  const values = new Set<string>();
  const lower = path.toLowerCase();
  try {
    if (/\.(jsonl|ndjson)(\.gz)?$/.test(lower) || isSqlitePath(path)) {
      if (key === undefined) throw new InputError(`${where}: ${path} is a recording; add key: <field> to say which field holds the values`);
      const read = fieldReader(key);
      const topField = [key.split('.')[0]!];
      await scanRecords(path, {
        fields: () => topField,
        record(record) {
          const value = read(record);
          if (value !== undefined && value !== null) values.add(valueKey(value));
        },
        malformed(line) {
          throw new InputError(`${where}: ${path}:${line}: not a JSON object; fix or remove the line`);
        },
      });
    } else if (/\.csv(\.gz)?$/.test(lower)) {
      let column = -1;
      for await (const { line, text } of readLines(path)) {
        const cells = splitCsvLine(text);
        if (column < 0) {
          column = key === undefined ? 0 : cells.indexOf(key);
          if (column < 0) throw new InputError(`${where}: ${path}:${line}: no column "${key}" in the header (${cells.join(', ')}); fix key`);
          continue;
        }
        const cell = cells[column];
        if (cell !== undefined && cell.length > 0) values.add(cell);
      }
    } else {
      for await (const { text } of readLines(path)) {
        const value = text.trim();
        if (value.length > 0 && !value.startsWith('#')) values.add(value);
      }
    }
  } catch (error) {
    if (error instanceof InputError && error.message.startsWith(where)) throw error;
    throw new InputError(`${where}: cannot load reference set: ${(error as Error).message}`);
  }
  return values;
}

/** One CSV line (RFC 4180 quoting, no embedded newlines). */
export function splitCsvLine(text: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}
