/**
 * A readable diff of output records: records are matched by identity (step, kind, key, window or
 * match bounds, firing), so a changed aggregate shows as one "changed" record with the fields that
 * differ, not as a removal plus an addition. Times are shown as ISO-8601 beside epoch ms.
 */

export interface RecordDiff {
  readonly missing: string[];
  readonly unexpected: string[];
  readonly changed: { readonly identity: string; readonly expected: string; readonly actual: string; readonly fields: string[] }[];
  /** Same records, different order: the first index where they part. */
  readonly orderDiffersAt: number | null;
}

type Parsed = Record<string, unknown>;

function parse(line: string): Parsed {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as Parsed) : { value };
  } catch {
    return { unparsable: line };
  }
}

function identity(r: Parsed): string {
  if (r.kind === 'late') return JSON.stringify([r.step, r.kind, r.key, r.event]);
  return JSON.stringify([r.step, r.kind, r.key, r.start ?? r.time, r.end, r.firing]);
}

export function diffRecords(expected: readonly string[], actual: readonly string[]): RecordDiff {
  const pending = new Map<string, { line: string; parsed: Parsed }[]>();
  for (const line of expected) {
    const parsed = parse(line);
    const id = identity(parsed);
    const list = pending.get(id);
    if (list) list.push({ line, parsed });
    else pending.set(id, [{ line, parsed }]);
  }
  const unexpected: string[] = [];
  const changed: RecordDiff['changed'][number][] = [];
  for (const line of actual) {
    const parsed = parse(line);
    const id = identity(parsed);
    const candidates = pending.get(id);
    if (!candidates || candidates.length === 0) {
      unexpected.push(line);
      continue;
    }
    const exact = candidates.findIndex((c) => c.line === line || deepEqual(c.parsed, parsed));
    const taken = candidates.splice(exact >= 0 ? exact : 0, 1)[0]!;
    if (exact < 0) changed.push({ identity: id, expected: taken.line, actual: line, fields: differingFields(taken.parsed, parsed) });
  }
  const missing = [...pending.values()].flat().map((c) => c.line);
  let orderDiffersAt: number | null = null;
  if (missing.length === 0 && unexpected.length === 0 && changed.length === 0) {
    const at = expected.findIndex((line, i) => line !== actual[i] && !deepEqual(parse(line), parse(actual[i]!)));
    orderDiffersAt = at >= 0 ? at : null;
  }
  return { missing, unexpected, changed, orderDiffersAt };
}

export function isClean(diff: RecordDiff): boolean {
  return diff.missing.length === 0 && diff.unexpected.length === 0 && diff.changed.length === 0 && diff.orderDiffersAt === null;
}

function differingFields(a: Parsed, b: Parsed): string[] {
  const out: string[] = [];
  for (const part of ['fields', 'events', 'event'] as const) {
    const x = a[part];
    const y = b[part];
    if (x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x)) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y as object)]);
      for (const key of keys) {
        const xv = (x as Parsed)[key];
        const yv = (y as Parsed)[key];
        if (!deepEqual(xv, yv)) out.push(`${part}.${key}: ${JSON.stringify(xv)} → ${JSON.stringify(yv)}`);
      }
    } else if (!deepEqual(x, y)) out.push(`${part}: ${JSON.stringify(x)} → ${JSON.stringify(y)}`);
  }
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Parsed)[k], (b as Parsed)[k]));
}

function readableTime(ms: unknown): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? `${new Date(ms).toISOString().replace('.000Z', 'Z')}` : String(ms);
}

/** One line describing a record for humans: step, kind, key, window in readable times. */
export function describeRecord(line: string): string {
  const r = parse(line);
  const bounds = r.start !== undefined ? ` [${readableTime(r.start)} .. ${readableTime(r.end)})` : r.time !== undefined ? ` @ ${readableTime(r.time)}` : '';
  const firing = r.firing ? ` ${r.firing}` : '';
  const body = r.fields ?? r.event;
  return `${r.step} ${r.kind} key=${JSON.stringify(r.key)}${bounds}${firing} ${JSON.stringify(body)}`;
}

/** The diff as text lines, at most `limit` records per section. */
export function formatDiff(diff: RecordDiff, limit = 10): string[] {
  const out: string[] = [];
  const section = (title: string, mark: string, lines: readonly string[]) => {
    if (lines.length === 0) return;
    out.push(`${title} (${lines.length}):`);
    for (const line of lines.slice(0, limit)) out.push(`  ${mark} ${describeRecord(line)}`);
    if (lines.length > limit) out.push(`  … ${lines.length - limit} more`);
  };
  section('missing', '-', diff.missing);
  section('unexpected', '+', diff.unexpected);
  if (diff.changed.length > 0) {
    out.push(`changed (${diff.changed.length}):`);
    for (const c of diff.changed.slice(0, limit)) {
      out.push(`  ~ ${describeRecord(c.expected)}`);
      for (const f of c.fields) out.push(`      ${f}`);
    }
    if (diff.changed.length > limit) out.push(`  … ${diff.changed.length - limit} more`);
  }
  if (diff.orderDiffersAt !== null) out.push(`same records in another order, first at record ${diff.orderDiffersAt + 1}`);
  return out;
}
