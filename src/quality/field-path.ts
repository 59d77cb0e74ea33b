/** Reads a dotted field path (`location.latitude`) from a record; compiled once per rule field. */
export type FieldReader = (record: Record<string, unknown>) => unknown;

export function fieldReader(path: string): FieldReader {
  const parts = path.split('.');
  if (parts.length === 1) return (record) => record[path];
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    return (record) => {
      const inner = record[a];
      return inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>)[b] : undefined;
    };
  }
  return (record) => {
    let at: unknown = record;
    for (const part of parts) {
      if (at === null || typeof at !== 'object') return undefined;
      at = (at as Record<string, unknown>)[part];
    }
    return at;
  };
}

/** Null, missing, or a blank string: the document's notion of an empty value. */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.length === 0 || value.trim().length === 0;
  return false;
}

/** The value as a set or key member: primitives by their string form, so 42 and "42" are one value. */
export function valueKey(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}
