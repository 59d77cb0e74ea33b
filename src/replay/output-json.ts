/**
 * JSON text of output records, byte for byte what JSON.stringify(record) gives, faster for
 * window results: a tumbling step fires thousands of windows with the same start and end at each
 * watermark step, and JSON.stringify converts those two 13-digit doubles to text every time
 * (220,874 window results of the engine-window bench: 0.35 s with JSON.stringify, 0.12 s here,
 * CPU time on the loaded 2-core machine). Anything outside the common shape (property order,
 * values that are not plain scalars, prototypes, toJSON) goes to JSON.stringify, so the text
 * never differs: test/replay/output-json.test.ts holds it to that.
 */
import type { OutputRecord } from '../engine/operator.js';

/** pipeline-spec.md's order of a window result's fields; JSON.stringify follows the object's. */
const WINDOW_ORDER = ['step', 'kind', 'key', 'start', 'end', 'firing', 'fields'] as const;

export class OutputJson {
  // One-entry caches: consecutive window results mostly share their step, start, end and firing,
  // so the text before the key and the text between the key and the fields are reused whole.
  // Fewer pieces also mean fewer intermediate strings: every `+` of a long string makes a
  // 32-byte cons string, ~500 bytes a result when each part was added on its own.
  private step: string | null = null;
  /** `{"step":…,"kind":"window","key":` */
  private head = '';
  private start = NaN;
  private end = NaN;
  private firing: unknown = null;
  /** `,"start":…,"end":…,"firing":…,"fields":` */
  private middle = '';
  /** `{"name":` and `,"name":` per aggregate field name, as the first field and after it. */
  private readonly firstNames = new Map<string, string>();
  private readonly names = new Map<string, string>();

  text(record: OutputRecord): string {
    if (record.kind === 'window') {
      const text = this.windowText(record);
      if (text !== null) return text;
    }
    return JSON.stringify(record);
  }

  /** The window result's JSON, or null when only JSON.stringify can say it exactly. */
  private windowText(record: OutputRecord & { kind: 'window' }): string | null {
    let index = 0;
    for (const name in record) {
      if (name !== WINDOW_ORDER[index]) return null;
      index++;
    }
    if (index !== WINDOW_ORDER.length || Object.getPrototypeOf(record) !== Object.prototype) return null;
    const { step, key, start, end, firing, fields } = record;
    if (typeof step !== 'string' || typeof start !== 'number' || typeof end !== 'number') return null;
    const keyText = scalarText(key);
    if (keyText === null) return null;
    const fieldsText = this.fieldsText(fields);
    if (fieldsText === null) return null;
    if (step !== this.step) {
      this.step = step;
      this.head = `{"step":${JSON.stringify(step)},"kind":"window","key":`;
    }
    // Object.is: a cached -0 must not stand for 0 or the reverse (both print "0", but keep it exact).
    if (!Object.is(start, this.start) || !Object.is(end, this.end) || firing !== this.firing) {
      const firingText = scalarText(firing);
      if (firingText === null) return null;
      this.start = start;
      this.end = end;
      this.firing = firing;
      this.middle = `,"start":${numberText(start)},"end":${numberText(end)},"firing":${firingText},"fields":`;
    }
    return this.head + keyText + this.middle + fieldsText + '}}';
  }

  /** The fields' JSON without its closing brace (the caller closes it with the record's). */
  private fieldsText(fields: unknown): string | null {
    if (typeof fields !== 'object' || fields === null || Object.getPrototypeOf(fields) !== Object.prototype) return null;
    let text: string | null = null;
    // for-in visits own enumerable string keys in JSON.stringify's order (integer-like keys
    // first); the prototype is Object.prototype, which has no enumerable properties.
    for (const name in fields) {
      const value = scalarText((fields as Record<string, unknown>)[name]);
      if (value === null) return null;
      const names: Map<string, string> = text === null ? this.firstNames : this.names;
      let nameText: string | undefined = names.get(name);
      if (nameText === undefined) {
        nameText = (text === null ? '{' : ',') + JSON.stringify(name) + ':';
        names.set(name, nameText);
      }
      text = text === null ? nameText + value : text + nameText + value;
    }
    return text ?? '{';
  }
}

function numberText(value: number): string {
  // String(n) is the JSON number text for every finite n (also -0 → "0"); ±Infinity, NaN → null.
  return Number.isFinite(value) ? String(value) : 'null';
}

/** JSON of a string, number, boolean or null as JSON.stringify writes it; null for anything else. */
function scalarText(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return numberText(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : null;
    default:
      return null;
  }
}
