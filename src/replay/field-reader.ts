/**
 * The byte-level field reader: the fast path of `sw replay`.
 *
 * A pipeline usually reads three or four top-level fields of a record that has a dozen, so
 * decoding the whole line with `buffer.toString()` + `JSON.parse` spends most of its time on
 * strings nobody looks at. This reader walks the UTF-8 bytes of one line once:
 *   1. keys are matched against the wanted names by length + hash + bytes, never decoded;
 *   2. unwanted values are skip-scanned (validated, not built);
 *   3. wanted values are decoded straight from bytes: ASCII strings as latin1 slices, short ones
 *      interned (a contentId repeats millions of times; the interned string is one allocation and
 *      its hash is already cached for the engine's key maps), numbers parsed from digits.
 * Whole-line syntax is validated exactly as JSON.parse would (RFC 8259), so a line this reader
 * accepts is a line JSON.parse accepts, with the same values: the differential test in
 * test/replay/field-reader.test.ts holds it to that.
 */

export interface FieldReaderCounts {
  /** Lines decoded by the byte path. */
  bytePath: number;
  /** Lines decoded with JSON.parse ('all' fields, or nesting deeper than the byte path follows). */
  jsonParse: number;
  /** Lines that were not a JSON object (read returned null). */
  rejected: number;
}

export interface FieldReader {
  /**
   * Decodes the JSON object in buffer[start, end) (one line, no newline) and returns the wanted
   * top-level fields that are present, with values exactly as JSON.parse gives them, or null when
   * the line is not valid JSON or not an object (call JSON.parse on the line for the reason).
   */
  read(buffer: Buffer, start: number, end: number): Record<string, unknown> | null;
  /**
   * Reads the line starting at `start` of a block of lines (a line ends at a newline or at
   * `limit`) and sets `lineEnd` to where it ends, when the line is a JSON object this reader
   * decodes from bytes alone; null otherwise, without counting the line: then find the line's end
   * and call `read`, which decides. The reader stops at the newline that ends the object, so a
   * valid line needs no search for its end (Buffer#indexOf per line was 6% of a replay's time).
   */
  readLine(buffer: Buffer, start: number, limit: number): Record<string, unknown> | null;
  /** After a readLine that returned fields: the position of the line's newline, or `limit`. */
  readonly lineEnd: number;
  readonly counts: FieldReaderCounts;
  /**
   * Where a field's strings are interned, as a hint for keyed state (see KeyHints): null when the
   * field is not read or not interned by this reader.
   */
  internHints(field: string): KeyHints | null;
  /**
   * A cell of a field's number, for the event time: after each read, `numbers[at]` is the field's
   * value when it was a number on that line, else NaN (absent, another type, a line not read from
   * bytes). Reading the time from it passes no heap number per record (a double handed across a
   * call that is not inlined is boxed afresh). Null when the field is not read from bytes.
   */
  numberCell(field: string): NumberCell | null;
}

/** See FieldReader.numberCell. */
export interface NumberCell {
  readonly numbers: Float64Array;
  /** The field's index in `numbers`. */
  readonly at: number;
}

/**
 * Per line, the intern table slot of a field's string value: a small int that is the same for equal
 * strings (the slot is a hash of the bytes), so keyed state can be found by it without a Map lookup
 * (the caller checks that the state found is for an equal key: a slot is shared by colliding
 * strings, and stale when the field was absent or not an interned string on this line: then −1 or
 * the last slot written).
 */
export interface KeyHints {
  readonly slots: Int32Array;
  /** The field's index in `slots`. */
  readonly at: number;
  /** Slot numbers are below this. */
  readonly size: number;
}

export interface FieldReaderOptions {
  /**
   * Return one object, overwritten by every read, for lines where every wanted field is present
   * (other lines still get a fresh object). Only for callers that drop the record before the
   * next read: the engine's window steps do, a process or pattern step may keep it.
   */
  readonly reuseRecord?: boolean;
}

/** `fields` are top-level names; 'all' returns every field (decoded with JSON.parse). */
export function createFieldReader(fields: readonly string[] | 'all', options: FieldReaderOptions = {}): FieldReader {
  return fields === 'all' ? new WholeLineReader() : new ByteFieldReader(fields, options.reuseRecord === true);
}

/**
 * A reader that leaves values in place: `read` validates the line as `FieldReader.read` does and
 * fills `row` with what each wanted field is (its kind, from its first byte) and where its bytes
 * are; strings, objects and lists are decoded only when `row.get(i)` asks. A consumer that only
 * needs a field's type, emptiness or a hash of its bytes (the quality checks: schema, completeness,
 * duplicate keys) never builds the string: on media events 5 of 8 read fields are never decoded.
 */
export interface RowReader {
  /** Indexed like the `fields` given (duplicates removed, first kept). */
  readonly row: FieldRow;
  /** Reads buffer[start, end) into `row`; false when the line is not a JSON object (JSON.parse tells why). */
  read(buffer: Buffer, start: number, end: number): boolean;
  readonly counts: FieldReaderCounts;
}

export function createRowReader(fields: readonly string[]): RowReader {
  const reader = new ByteFieldReader(fields);
  const row = new FieldRow([...new Set(fields)], reader);
  return {
    row,
    counts: reader.counts,
    read: (buffer, start, end) => reader.readRow(buffer, start, end, row),
  };
}

/** What a field's value is on the current line, known without decoding it. */
export const ABSENT = 0;
export const NULL = 1;
export const BOOLEAN = 2;
export const NUMBER = 3;
export const STRING = 4;
export const OBJECT = 5;
export const ARRAY = 6;

/**
 * One record's wanted fields, by index, for one line at a time (reused: no per-line allocation).
 * Filled by a RowReader from bytes, or from a parsed record (`fromRecord`, the live path).
 */
export class FieldRow {
  /** ABSENT, NULL, BOOLEAN, NUMBER, STRING, OBJECT or ARRAY per field. */
  readonly kinds: Uint8Array;
  /** 1 while values[i] is not decoded yet (a string, object or list still in `buffer`). */
  readonly pending: Uint8Array;
  /** 1 for a pending string of printable ASCII without escapes: its bytes are its char codes. */
  readonly plain: Uint8Array;
  /** Byte span of a pending value: a string's content (no quotes), an object or list whole. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly values: unknown[];
  buffer: Buffer = Buffer.alloc(0);
  /** The whole record when the row was filled from one (JSON.parse or live input). */
  record: Record<string, unknown> | undefined;
  /** Per field: a reader of the nested fields its consumer reads (see `project`), or undefined. */
  readonly projections: Array<ByteFieldReader | undefined>;

  constructor(
    readonly names: readonly string[],
    private readonly reader: ByteFieldReader | undefined = undefined,
  ) {
    const n = names.length;
    this.kinds = new Uint8Array(n);
    this.pending = new Uint8Array(n);
    this.plain = new Uint8Array(n);
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    this.values = names.map(() => undefined);
    this.projections = names.map(() => undefined);
  }

  /**
   * The consumer reads only these nested fields of field `i` (`location.latitude`): an object
   * there is decoded, in the same pass that validates the line, into an object holding just them,
   * with JSON.parse's values. (JSON.parse of `location` was 15% of the financial quality check;
   * validating it on the line and decoding it again later, 8%.)
   */
  project(i: number, nested: readonly string[]): void {
    this.projections[i] = new ByteFieldReader(nested);
  }

  /** The field's value exactly as JSON.parse gives it (undefined when absent). */
  get(i: number): unknown {
    if (this.pending[i] === 1) return this.decode(i);
    // values[i] of an absent field is stale (rows are not cleared between lines).
    return this.kinds[i] === ABSENT ? undefined : this.values[i];
  }

  private decode(i: number): unknown {
    const { buffer } = this;
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    let value: unknown;
    if (this.kinds[i] !== STRING) value = JSON.parse(buffer.toString('utf8', start, end));
    else if (this.plain[i] === 1 && this.reader !== undefined) value = this.reader.internedString(buffer, start, end, i);
    else value = decodeEscapedString(buffer, start, end);
    this.values[i] = value;
    this.pending[i] = 0;
    return value;
  }

  /** Fills the row from a parsed record (own fields only): nothing is pending. */
  fromRecord(record: Record<string, unknown>): void {
    this.record = record;
    const { names, values, kinds, pending } = this;
    for (let i = 0; i < names.length; i++) {
      const value = Object.hasOwn(record, names[i]!) ? record[names[i]!] : undefined;
      values[i] = value;
      kinds[i] = kindOf(value);
      pending[i] = 0;
    }
  }
}

export function kindOf(value: unknown): number {
  if (value === undefined) return ABSENT;
  if (value === null) return NULL;
  switch (typeof value) {
    case 'string':
      return STRING;
    case 'number':
      return NUMBER;
    case 'boolean':
      return BOOLEAN;
    default:
      return Array.isArray(value) ? ARRAY : OBJECT;
  }
}

class WholeLineReader implements FieldReader {
  readonly counts: FieldReaderCounts = { bytePath: 0, jsonParse: 0, rejected: 0 };
  readonly lineEnd = 0;

  internHints(): null {
    return null;
  }

  numberCell(): null {
    return null;
  }

  /** JSON.parse needs the line's text: the caller finds its end. */
  readLine(): null {
    return null;
  }

  read(buffer: Buffer, start: number, end: number): Record<string, unknown> | null {
    const value = parseLine(buffer, start, end);
    if (value === null) {
      this.counts.rejected++;
      return null;
    }
    this.counts.jsonParse++;
    return value;
  }
}

function parseLine(buffer: Buffer, start: number, end: number): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(buffer.toString('utf8', start, end));
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** A wanted value slot whose number is in ByteFieldReader.numbers (kept unboxed). */
const IN_NUMBERS: unknown = Symbol('in numbers');

/** Returned instead of a position: the line is not valid JSON. */
const INVALID = -1;
/** Returned instead of a position: nesting deeper than MAX_DEPTH; the line goes to JSON.parse. */
const TOO_DEEP = -2;
/** Recursion bound for skip-scanning; V8's stack holds far more, this keeps a hostile line cheap. */
const MAX_DEPTH = 256;

/** slotByFirstByte entries: no wanted name starts with this byte / several do. */
const NO_NAME = -1;
const SEVERAL_NAMES = -2;

/** Key positions whose last wanted name is remembered (readMembers): records rarely have more keys. */
const KEY_ORDER_SLOTS = 32;

/** Strings up to this many bytes are interned: ids and enum-like values, not free text. */
const INTERN_MAX_BYTES = 32;
/**
 * 16,384 slots a field: keys that share a slot take it from each other (an intern miss, and for a
 * window or pattern step's key hints a Map lookup and a key state dropped or made). With 4,096,
 * 525 of the bench's 2,000 content ids shared slots (2,000 random keys: ~40%); with 16,384, 56
 * (random: ~11%): 2M bench replay 1.80 → 1.61 CPU-s median of 10 alternating rounds (load 10.8).
 */
const INTERN_SLOTS = 16384;
/** Interning is judged per field over windows of this many values... */
const INTERN_WINDOW = 4096;
/** ...and a field hitting its table less often than this... */
const INTERN_MIN_HIT_RATE = 0.25;
/** ...skips interning for this many values, then gets another trial window (streams change). */
const INTERN_PAUSE = 1 << 16;

/**
 * Exact powers of ten: up to 1e22 every power is a double, so mantissa (< 2^53) times or divided by
 * one of them is a single correctly rounded operation, the same double JSON.parse gives (Clinger's fast path).
 */
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/** 15 decimal digits always fit below 2^53, so accumulating them is exact. */
const MAX_EXACT_DIGITS = 15;

type SliceDecoder = (this: Buffer, start: number, end: number) => string;
// Buffer#latin1Slice is what toString('latin1') calls after its encoding switch; calling it directly
// saves that dispatch on every string. Fallback for runtimes without it.
const latin1Slice: SliceDecoder =
  (Buffer.prototype as unknown as { latin1Slice?: SliceDecoder }).latin1Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('latin1', start, end);
  };

/**
 * False while a reader reads a line out of a block (readLine): a newline then ends the line
 * instead of being whitespace. Elsewhere a line holds no newline, and a value read on its own
 * (a SQLite row's text, a nested object) may be spread over several lines.
 */
let newlineIsWhitespace = true;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0d || byte === 0x09 || (byte === 0x0a && newlineIsWhitespace);
}

/**
 * Where the top-level object's line ends, given the position just after its closing brace, or
 * INVALID: only whitespace may follow, up to `end` or (readLine) the newline ending the line.
 */
function lineEndAfterObject(buffer: Buffer, at: number, end: number): number {
  const after = skipWhitespace(buffer, at, end);
  // A newline left here was not whitespace: it ends the line (readLine).
  return after === end || buffer[after] === 0x0a ? after : INVALID;
}

function skipWhitespace(buffer: Buffer, at: number, end: number): number {
  // All four whitespace bytes are <= 0x20, so a token byte costs one compare.
  while (at < end && buffer[at]! <= 0x20 && isWhitespace(buffer[at]!)) at++;
  return at;
}

function isHexDigit(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66);
}

/** 1 for the bytes a plain string runs on: printable ASCII except the quote and the backslash. */
const PLAIN_STRING_BYTE = new Uint8Array(256);
for (let byte = 0x20; byte < 0x80; byte++) PLAIN_STRING_BYTE[byte] = byte === QUOTE || byte === BACKSLASH ? 0 : 1;

/**
 * The first byte from `at` that is not plain (PLAIN_STRING_BYTE), or `end`; `view` is over
 * `buffer`'s bytes. Four bytes a step (SWAR): in each byte of the word, a high bit is set where the
 * byte is < 0x20, >= 0x80, a quote or a backslash (the zero-byte tests of Hacker's Delight 6-1 on
 * word - 0x20.., word ^ 0x22.. and word ^ 0x5c..); a borrow only runs upwards from a byte that is
 * flagged rightly, so the lowest flag (the first byte, little-endian) is exact.
 */
function plainRunEnd(view: DataView, buffer: Buffer, at: number, end: number): number {
  while (at + 4 <= end) {
    const word = view.getInt32(at, true);
    const quote = word ^ 0x22222222;
    const backslash = word ^ 0x5c5c5c5c;
    const special = (((word - 0x20202020) & ~word) | word | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080;
    if (special !== 0) return at + ((31 - Math.clz32(special & -special)) >> 3);
    at += 4;
  }
  while (at < end && PLAIN_STRING_BYTE[buffer[at]!] === 1) at++;
  return at;
}

class ByteFieldReader implements FieldReader {
  readonly counts: FieldReaderCounts = { bytePath: 0, jsonParse: 0, rejected: 0 };

  private readonly names: string[];
  /**
   * Bytes of the wanted names that are plain (printable ASCII, no quote or backslash), in slot
   * order: a key written with exactly those bytes is matched without decoding. Other names can
   * only be written with escapes or multi-byte characters, and are matched through byName.
   */
  private readonly plainNames: Uint8Array[];
  /** Per plain name, its whole four-byte words as little-endian int32s (isPlainName compares a word a step). */
  private readonly plainNameWords: Int32Array[];
  private readonly byName: Map<string, number>;
  /** Per first byte of a key: the one plain wanted name starting with it, NO_NAME or SEVERAL_NAMES. */
  private readonly slotByFirstByte: Int16Array;
  /** Per key position in an object: the wanted name matched there last time among several sharing a first byte (matchPlainName). */
  private readonly keyOrder = new Int16Array(KEY_ORDER_SLOTS).fill(NO_NAME);
  private readonly protoSlot: number;

  /** Per-line decoded values, reused: a slot is current when its stamp equals lineStamp. */
  private readonly values: unknown[];
  private readonly stamps: Uint32Array;
  private lineStamp = 0;
  /** Wanted fields seen on the current line (duplicates once). */
  private presentCount = 0;
  /** Builds the result when every wanted field is present: see completeRecordBuilder. */
  private readonly buildComplete: ((values: unknown[]) => Record<string, unknown>) | null;
  /** Overwrites the fields of `reused` (reuseRecord): see completeRecordFiller. */
  private readonly fillComplete: ((record: Record<string, unknown>, values: unknown[], numbers: Float64Array) => Record<string, unknown>) | null;
  private reused: Record<string, unknown> | null = null;

  /** Per wanted field: its intern table (made on first use) and the hit statistics that pause it. */
  private readonly internTables: Array<Array<string | undefined> | undefined>;
  private readonly internLookups: Uint32Array;
  private readonly internHits: Uint32Array;
  private readonly internPause: Uint32Array;
  /** Per wanted field, the intern slot of its last string value, −1 when that was not interned (KeyHints). */
  private readonly internSlots: Int32Array;
  /**
   * Per wanted field, its number on the current line while values[slot] is IN_NUMBERS: a double
   * kept unboxed (numberCell). Cells handed out are set to NaN at each line's start.
   */
  private readonly numbers: Float64Array;
  private readonly cellSlots: number[] = [];

  // Out-parameters of scanString / scanNumber, so that they return a plain position.
  private stringPlain = true;
  private stringHash = 0;
  /** Set by scanNumber when the fast path computed the value; otherwise the caller uses Number(). */
  private numberValue = 0;
  private numberExact = false;

  /** A view of the last buffer read (plainRunEnd), made once per buffer: a block of lines, or a line read alone. */
  private view: DataView = new DataView(new ArrayBuffer(0));
  private viewed: Buffer | null = null;

  /** While readRow runs: the row being filled (values stay in the buffer until asked for). */
  private row: FieldRow | undefined;
  /** Slot → the field's index in the caller's list (slots put plain names first). */
  private readonly rowIndex: Int32Array;
  /** The caller's index → slot, for the intern tables of a row's lazily decoded strings. */
  private readonly slotOfIndex: Int32Array;

  constructor(
    fields: readonly string[],
    private readonly reuseRecord = false,
  ) {
    // Plain names first, so that slot numbers and plainNames indices agree.
    const unique = [...new Set(fields)];
    const isPlain = (name: string) => [...name].every((c) => c.length === 1 && PLAIN_STRING_BYTE[c.charCodeAt(0)] === 1);
    this.names = [...unique.filter(isPlain), ...unique.filter((name) => !isPlain(name))];
    this.plainNames = this.names.filter(isPlain).map((name) => Buffer.from(name, 'latin1'));
    this.plainNameWords = this.plainNames.map((bytes) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      return Int32Array.from({ length: bytes.length >> 2 }, (_, w) => view.getInt32(w * 4, true));
    });
    this.byName = new Map(this.names.map((name, slot) => [name, slot]));
    this.slotByFirstByte = new Int16Array(256).fill(NO_NAME);
    this.plainNames.forEach((bytes, slot) => {
      // An empty name's key starts with its closing quote.
      const first = bytes.length > 0 ? bytes[0]! : QUOTE;
      this.slotByFirstByte[first] = this.slotByFirstByte[first] === NO_NAME ? slot : SEVERAL_NAMES;
    });
    this.protoSlot = this.names.indexOf('__proto__');
    this.values = this.names.map(() => undefined);
    this.stamps = new Uint32Array(this.names.length);
    this.buildComplete = completeRecordBuilder(this.names);
    this.fillComplete = completeRecordFiller(this.names);
    this.internTables = this.names.map(() => undefined);
    this.internLookups = new Uint32Array(this.names.length);
    this.internHits = new Uint32Array(this.names.length);
    this.internPause = new Uint32Array(this.names.length);
    this.internSlots = new Int32Array(this.names.length).fill(-1);
    this.numbers = new Float64Array(this.names.length).fill(NaN);
    this.rowIndex = Int32Array.from(this.names, (name) => unique.indexOf(name));
    this.slotOfIndex = Int32Array.from(unique, (name) => this.names.indexOf(name));
  }

  internHints(field: string): KeyHints | null {
    const slot = this.byName.get(field);
    return slot === undefined ? null : { slots: this.internSlots, at: slot, size: INTERN_SLOTS };
  }

  numberCell(field: string): NumberCell | null {
    const slot = this.byName.get(field);
    if (slot === undefined) return null;
    if (!this.cellSlots.includes(slot)) this.cellSlots.push(slot);
    return { numbers: this.numbers, at: slot };
  }

  /** RowReader.read: validates the line and fills `row` (see createRowReader). */
  readRow(buffer: Buffer, start: number, end: number, row: FieldRow): boolean {
    row.kinds.fill(ABSENT);
    row.pending.fill(0);
    row.buffer = buffer;
    row.record = undefined;
    this.row = row;
    const at = this.readObject(buffer, start, end);
    this.row = undefined;
    if (at === TOO_DEEP) {
      const whole = parseLine(buffer, start, end);
      if (whole === null) {
        this.counts.rejected++;
        return false;
      }
      this.counts.jsonParse++;
      row.fromRecord(whole);
      return true;
    }
    if (at === INVALID) {
      this.counts.rejected++;
      return false;
    }
    this.counts.bytePath++;
    return true;
  }

  /** A pending plain string of the row's field `index`, through that field's intern table. */
  internedString(buffer: Buffer, start: number, end: number, index: number): string {
    // A row's string was scanned, not hashed (scanString): hash it now, as scanWantedString would.
    let hash = 0;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + buffer[i]!) | 0;
    return this.plainString(buffer, start, end, this.slotOfIndex[index]!, hash);
  }

  /** Validates a wanted value and notes its kind and span in the row; only numbers and literals are decoded. */
  private markWantedValue(buffer: Buffer, at: number, end: number, slot: number, row: FieldRow): number {
    if (at >= end) return INVALID;
    const i = this.rowIndex[slot]!;
    const first = buffer[at]!;
    let next: number;
    if (first === QUOTE) {
      const close = this.scanString(buffer, at + 1, end);
      if (close < 0) return INVALID;
      row.kinds[i] = STRING;
      row.plain[i] = this.stringPlain ? 1 : 0;
      row.starts[i] = at + 1;
      row.ends[i] = close;
      row.pending[i] = 1;
      return close + 1;
    }
    if (first === MINUS || (first >= DIGIT_0 && first <= DIGIT_9)) {
      next = this.scanNumber(buffer, at, end);
      if (next < 0) return INVALID;
      row.values[i] = this.numberExact ? this.numberValue : Number(latin1Slice.call(buffer, at, next));
      row.kinds[i] = NUMBER;
      row.pending[i] = 0;
      return next;
    }
    const projection = first === OPEN_BRACE ? row.projections[i] : undefined;
    if (projection !== undefined) {
      // Validated and decoded to the projected fields in one walk.
      next = projection.readEmbedded(buffer, at, end);
      if (next < 0) return next;
      row.values[i] = projection.embedded;
      row.kinds[i] = OBJECT;
      row.pending[i] = 0;
      return next;
    }
    next = this.skipValue(buffer, at, end, 1);
    if (next < 0) return next;
    if (first === OPEN_BRACE || first === OPEN_BRACKET) {
      row.kinds[i] = first === OPEN_BRACE ? OBJECT : ARRAY;
      row.starts[i] = at;
      row.ends[i] = next;
      row.pending[i] = 1;
    } else {
      row.kinds[i] = first === 0x6e ? NULL : BOOLEAN;
      row.values[i] = first === 0x74 ? true : first === 0x66 ? false : null;
      row.pending[i] = 0;
    }
    return next;
  }

  lineEnd = 0;

  read(buffer: Buffer, start: number, end: number): Record<string, unknown> | null {
    this.startLine();
    const at = this.readObject(buffer, start, end);
    if (at === TOO_DEEP) return this.readWithJsonParse(buffer, start, end);
    if (at === INVALID) {
      this.counts.rejected++;
      return null;
    }
    this.counts.bytePath++;
    return this.buildResult();
  }

  readLine(buffer: Buffer, start: number, limit: number): Record<string, unknown> | null {
    this.startLine();
    newlineIsWhitespace = false;
    let at: number;
    try {
      at = this.readObject(buffer, start, limit);
    } finally {
      newlineIsWhitespace = true;
    }
    if (at < 0) return null;
    this.lineEnd = at;
    this.counts.bytePath++;
    return this.buildResult();
  }

  /**
   * A projection's read: validates the object starting at buffer[at] (its `{`) and decodes the
   * wanted fields into `embedded`; returns the position after its `}`, INVALID or TOO_DEEP.
   */
  readEmbedded(buffer: Buffer, at: number, end: number): number {
    this.startLine();
    const next = this.readMembers(buffer, at, end);
    if (next >= 0) this.embedded = this.buildResult();
    return next;
  }

  /** The object the last readEmbedded built. */
  embedded: Record<string, unknown> | undefined;

  private startLine(): void {
    if (++this.lineStamp === 0xffffffff) {
      this.stamps.fill(0);
      this.lineStamp = 1;
    }
    this.presentCount = 0;
    this.clearCells();
  }

  private clearCells(): void {
    const cells = this.cellSlots;
    for (let i = 0; i < cells.length; i++) this.numbers[cells[i]!] = NaN;
  }

  /**
   * Walks the top-level object; returns where its line ends (`end`, or with readLine the newline
   * after it), INVALID or TOO_DEEP.
   */
  private readObject(buffer: Buffer, start: number, end: number): number {
    const at = skipWhitespace(buffer, start, end);
    if (at >= end || buffer[at] !== OPEN_BRACE) return INVALID;
    const next = this.readMembers(buffer, at, end);
    return next < 0 ? next : lineEndAfterObject(buffer, next, end);
  }

  /** Walks the object whose `{` is at `at`; returns the position after its `}`, INVALID or TOO_DEEP. */
  private readMembers(buffer: Buffer, at: number, end: number): number {
    if (buffer !== this.viewed) {
      this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
      this.viewed = buffer;
    }
    const view = this.view;
    at = skipWhitespace(buffer, at + 1, end);
    if (at < end && buffer[at] === CLOSE_BRACE) return at + 1;
    let ordinal = 0;
    for (;;) {
      if (at >= end || buffer[at] !== QUOTE) return INVALID;
      let slot = this.matchPlainName(buffer, at + 1, end, ordinal++);
      let keyEnd: number;
      if (slot >= 0) {
        keyEnd = at + 1 + this.plainNames[slot]!.length;
      } else {
        // scanString, written out: most keys are unwanted and plain, and the call per key (not
        // inlined into this loop) cost as much as the scan.
        keyEnd = plainRunEnd(view, buffer, at + 1, end);
        if (keyEnd >= end || buffer[keyEnd] !== QUOTE) {
          keyEnd = this.scanStringRest(buffer, keyEnd, end);
          if (keyEnd < 0) return INVALID;
          // A plain key equal to a wanted name matched above; others compare as decoded strings.
          slot = this.byName.get(this.decodeString(buffer, at + 1, keyEnd)) ?? -1;
        }
      }
      at = skipWhitespace(buffer, keyEnd + 1, end);
      if (at >= end || buffer[at] !== COLON) return INVALID;
      at = skipWhitespace(buffer, at + 1, end);
      if (slot >= 0) {
        at = this.row === undefined ? this.readWantedValue(buffer, at, end, slot) : this.markWantedValue(buffer, at, end, slot, this.row);
      } else if (at < end && buffer[at] === QUOTE) {
        // An unwanted string value, the common case: scanString written out as for keys.
        let close = plainRunEnd(view, buffer, at + 1, end);
        if (close >= end || buffer[close] !== QUOTE) close = this.scanStringRest(buffer, close, end);
        at = close < 0 ? INVALID : close + 1;
      } else {
        at = this.skipValue(buffer, at, end, 1);
      }
      if (at < 0) return at;
      at = skipWhitespace(buffer, at, end);
      if (at >= end) return INVALID;
      const byte = buffer[at];
      if (byte === COMMA) {
        at = skipWhitespace(buffer, at + 1, end);
        continue;
      }
      return byte === CLOSE_BRACE ? at + 1 : INVALID;
    }
  }

  /**
   * The slot of the wanted plain name whose bytes and closing quote start at `at`, or -1. The
   * key's first byte picks the one candidate (most keys are unwanted and stop at that table
   * load): a loop over every wanted name per key was 20% of the read time on the bench file.
   */
  private matchPlainName(buffer: Buffer, at: number, end: number, ordinal: number): number {
    if (at >= end) return -1;
    const candidate = this.slotByFirstByte[buffer[at]!]!;
    if (candidate >= 0) return this.isPlainName(buffer, at, end, candidate) ? candidate : -1;
    if (candidate === NO_NAME) return -1;
    // Several wanted names start with this byte (financial events: 4 on 't', 2 on 'a', 's' and
    // 'm'). A producer writes its keys in one order, so the name matched at this key position
    // in the last object read usually matches again: one compare instead of trying them in turn.
    const remembered = ordinal < KEY_ORDER_SLOTS;
    const guess = remembered ? this.keyOrder[ordinal]! : NO_NAME;
    if (guess >= 0 && this.isPlainName(buffer, at, end, guess)) return guess;
    for (let slot = 0; slot < this.plainNames.length; slot++) {
      if (!this.isPlainName(buffer, at, end, slot)) continue;
      if (remembered) this.keyOrder[ordinal] = slot;
      return slot;
    }
    return -1;
  }

  /**
   * Whether wanted name `slot`'s bytes and a closing quote start at `at`. Four bytes a compare
   * through the block's view (readMembers made it for `buffer`): a byte a step was 3% of a replay.
   */
  private isPlainName(buffer: Buffer, at: number, end: number, slot: number): boolean {
    const bytes = this.plainNames[slot]!;
    const length = bytes.length;
    if (at + length >= end || buffer[at + length] !== QUOTE) return false;
    const words = this.plainNameWords[slot]!;
    const view = this.view;
    let i = 0;
    for (let w = 0; w < words.length; w++, i += 4) if (view.getInt32(at + i, true) !== words[w]) return false;
    while (i < length && bytes[i] === buffer[at + i]) i++;
    return i === length;
  }

  /**
   * Validates the string whose content starts at `at` (just after the opening quote) and returns
   * the position of its closing quote, or INVALID. Sets stringPlain (ASCII, no escapes).
   */
  private scanString(buffer: Buffer, at: number, end: number): number {
    // One table load and one branch a byte: most strings are plain ASCII to their closing quote.
    while (at < end && PLAIN_STRING_BYTE[buffer[at]!] === 1) at++;
    if (at < end && buffer[at] === QUOTE) {
      this.stringPlain = true;
      return at;
    }
    return this.scanStringRest(buffer, at, end);
  }

  /**
   * scanString for a wanted value: the same, and leaves in stringHash the intern hash of the
   * bytes scanned before the first non-plain one (all of them for a plain string), so that
   * interning does not read the bytes a second time.
   */
  private scanWantedString(buffer: Buffer, at: number, end: number): number {
    let hash = 0;
    let byte = 0;
    while (at < end && PLAIN_STRING_BYTE[(byte = buffer[at]!)] === 1) {
      hash = (Math.imul(hash, 31) + byte) | 0;
      at++;
    }
    this.stringHash = hash;
    if (at < end && byte === QUOTE) {
      this.stringPlain = true;
      return at;
    }
    return this.scanStringRest(buffer, at, end);
  }

  /** The slow half of scanString from `at`, the first byte that is not plain ASCII. */
  private scanStringRest(buffer: Buffer, at: number, end: number): number {
    this.stringPlain = false;
    // Slow half: escapes and multi-byte characters. Any byte >= 0x80 is accepted: the line is
    // decoded as UTF-8 with replacement characters before JSON.parse sees it, and no byte < 0x80
    // is ever swallowed by that decoding, so the quotes stay where they are.
    while (at < end) {
      const byte = buffer[at]!;
      if (byte === QUOTE) return at;
      if (byte < 0x20) return INVALID;
      if (byte === BACKSLASH) {
        if (++at >= end) return INVALID;
        switch (buffer[at]) {
          case QUOTE: case BACKSLASH: case 0x2f: case 0x62: case 0x66: case 0x6e: case 0x72: case 0x74: // " \ / b f n r t
            break;
          case 0x75: // u: four hex digits
            if (at + 4 >= end || !isHexDigit(buffer[at + 1]!) || !isHexDigit(buffer[at + 2]!) || !isHexDigit(buffer[at + 3]!) || !isHexDigit(buffer[at + 4]!)) return INVALID;
            at += 4;
            break;
          default:
            return INVALID;
        }
      }
      at++;
    }
    return INVALID;
  }

  /**
   * Validates a number starting at `at` and returns the position after it. When the digits allow
   * an exact computation (numberExact), numberValue holds the value.
   */
  private scanNumber(buffer: Buffer, at: number, end: number): number {
    let negative = false;
    if (buffer[at] === MINUS) {
      negative = true;
      at++;
    }
    if (at >= end) return INVALID;
    let mantissa = 0;
    let digits = 0;
    let byte = buffer[at]!;
    if (byte === DIGIT_0) {
      at++;
    } else if (byte > DIGIT_0 && byte <= DIGIT_9) {
      while (at < end && (byte = buffer[at]!) >= DIGIT_0 && byte <= DIGIT_9) {
        mantissa = mantissa * 10 + (byte - DIGIT_0);
        digits++;
        at++;
      }
    } else {
      return INVALID;
    }
    let fractionDigits = 0;
    if (at < end && buffer[at] === DOT) {
      at++;
      while (at < end && (byte = buffer[at]!) >= DIGIT_0 && byte <= DIGIT_9) {
        mantissa = mantissa * 10 + (byte - DIGIT_0);
        fractionDigits++;
        at++;
      }
      if (fractionDigits === 0) return INVALID;
    }
    let exponent = 0;
    let exponentDigits = 0;
    if (at < end && (buffer[at]! | 0x20) === 0x65) {
      at++;
      let exponentNegative = false;
      if (at < end && (buffer[at] === PLUS || buffer[at] === MINUS)) exponentNegative = buffer[at++] === MINUS;
      while (at < end && (byte = buffer[at]!) >= DIGIT_0 && byte <= DIGIT_9) {
        if (exponentDigits < 6) exponent = exponent * 10 + (byte - DIGIT_0);
        exponentDigits++;
        at++;
      }
      if (exponentDigits === 0) return INVALID;
      if (exponentNegative) exponent = -exponent;
    }
    const scale = exponent - fractionDigits;
    this.numberExact = digits + fractionDigits <= MAX_EXACT_DIGITS && exponentDigits < 6 && scale >= -22 && scale <= 22;
    if (this.numberExact) {
      const magnitude = scale >= 0 ? mantissa * POWERS_OF_TEN[scale]! : mantissa / POWERS_OF_TEN[-scale]!;
      this.numberValue = negative ? -magnitude : magnitude;
    }
    return at;
  }

  /** Validates one value starting at `at` (no leading whitespace); returns the position after it. */
  private skipValue(buffer: Buffer, at: number, end: number, depth: number): number {
    if (at >= end) return INVALID;
    switch (buffer[at]) {
      case QUOTE: {
        const close = this.scanString(buffer, at + 1, end);
        return close < 0 ? INVALID : close + 1;
      }
      case OPEN_BRACE:
        return this.skipObject(buffer, at, end, depth);
      case OPEN_BRACKET:
        return this.skipArray(buffer, at, end, depth);
      case 0x74: // true
        return at + 4 <= end && buffer[at + 1] === 0x72 && buffer[at + 2] === 0x75 && buffer[at + 3] === 0x65 ? at + 4 : INVALID;
      case 0x66: // false
        return at + 5 <= end && buffer[at + 1] === 0x61 && buffer[at + 2] === 0x6c && buffer[at + 3] === 0x73 && buffer[at + 4] === 0x65 ? at + 5 : INVALID;
      case 0x6e: // null
        return at + 4 <= end && buffer[at + 1] === 0x75 && buffer[at + 2] === 0x6c && buffer[at + 3] === 0x6c ? at + 4 : INVALID;
      default:
        return this.scanNumber(buffer, at, end);
    }
  }

  private skipObject(buffer: Buffer, at: number, end: number, depth: number): number {
    if (depth >= MAX_DEPTH) return TOO_DEEP;
    at = skipWhitespace(buffer, at + 1, end);
    if (at < end && buffer[at] === CLOSE_BRACE) return at + 1;
    for (;;) {
      if (at >= end || buffer[at] !== QUOTE) return INVALID;
      at = this.scanString(buffer, at + 1, end);
      if (at < 0) return INVALID;
      at = skipWhitespace(buffer, at + 1, end);
      if (at >= end || buffer[at] !== COLON) return INVALID;
      at = this.skipValue(buffer, skipWhitespace(buffer, at + 1, end), end, depth + 1);
      if (at < 0) return at;
      at = skipWhitespace(buffer, at, end);
      if (at >= end) return INVALID;
      if (buffer[at] === CLOSE_BRACE) return at + 1;
      if (buffer[at] !== COMMA) return INVALID;
      at = skipWhitespace(buffer, at + 1, end);
    }
  }

  private skipArray(buffer: Buffer, at: number, end: number, depth: number): number {
    if (depth >= MAX_DEPTH) return TOO_DEEP;
    at = skipWhitespace(buffer, at + 1, end);
    if (at < end && buffer[at] === CLOSE_BRACKET) return at + 1;
    for (;;) {
      at = this.skipValue(buffer, at, end, depth + 1);
      if (at < 0) return at;
      at = skipWhitespace(buffer, at, end);
      if (at >= end) return INVALID;
      if (buffer[at] === CLOSE_BRACKET) return at + 1;
      if (buffer[at] !== COMMA) return INVALID;
      at = skipWhitespace(buffer, at + 1, end);
    }
  }

  /** Validates and decodes the value of a wanted field; returns the position after it. */
  private readWantedValue(buffer: Buffer, at: number, end: number, slot: number): number {
    if (at >= end) return INVALID;
    const first = buffer[at]!;
    let next: number;
    let value: unknown;
    if (first === MINUS || (first >= DIGIT_0 && first <= DIGIT_9)) {
      next = this.scanNumber(buffer, at, end);
      if (next < 0) return INVALID;
      // Long mantissas and big exponents need correct rounding over all digits: Number() does it
      // exactly as JSON.parse does for every form the number grammar admits. The number stays a
      // double in `numbers` (values[slot] marks it): no heap number per record for a time field.
      this.numbers[slot] = this.numberExact ? this.numberValue : Number(latin1Slice.call(buffer, at, next));
      value = IN_NUMBERS;
    } else if (first === QUOTE) {
      const close = this.scanWantedString(buffer, at + 1, end);
      if (close < 0) return INVALID;
      value = this.stringPlain ? this.plainString(buffer, at + 1, close, slot, this.stringHash) : this.decodeString(buffer, at + 1, close);
      this.numbers[slot] = NaN;
      next = close + 1;
    } else {
      next = this.skipValue(buffer, at, end, 1);
      if (next < 0) return next;
      // Nested values of wanted fields are rare on the hot path (keys and times are scalars);
      // JSON.parse of the validated slice gives exactly the nested value the whole line would.
      value = first === 0x74 ? true : first === 0x66 ? false : first === 0x6e ? null : JSON.parse(buffer.toString('utf8', at, next));
      this.numbers[slot] = NaN;
    }
    this.values[slot] = value;
    if (this.stamps[slot] !== this.lineStamp) {
      this.stamps[slot] = this.lineStamp;
      this.presentCount++;
    }
    return next;
  }

  /**
   * An ASCII string without escapes. Short values of a field that repeats come from the field's
   * intern table; a field whose values rarely repeat (user or session ids: a 50,000-user stream
   * hits a 4,096-slot table a few percent of the time) pauses interning, since a miss costs a
   * hash, a compare and the slice anyway.
   */
  /** `hash`: the intern hash (31-multiplier) of exactly buffer[start, end). */
  private plainString(buffer: Buffer, start: number, end: number, field: number, hash: number): string {
    const length = end - start;
    if (length > INTERN_MAX_BYTES) {
      this.internSlots[field] = -1;
      return latin1Slice.call(buffer, start, end);
    }
    if (this.internPause[field]! > 0) {
      this.internPause[field]!--;
      this.internSlots[field] = -1;
      return latin1Slice.call(buffer, start, end);
    }
    if (++this.internLookups[field]! === INTERN_WINDOW) {
      if (this.internHits[field]! < INTERN_WINDOW * INTERN_MIN_HIT_RATE) this.internPause[field] = INTERN_PAUSE;
      this.internLookups[field] = 0;
      this.internHits[field] = 0;
    }
    const table = (this.internTables[field] ??= new Array<string | undefined>(INTERN_SLOTS).fill(undefined));
    const slot = hash & (INTERN_SLOTS - 1);
    this.internSlots[field] = slot;
    const known = table[slot];
    if (known !== undefined && known.length === length) {
      let i = 0;
      while (i < length && known.charCodeAt(i) === buffer[start + i]) i++;
      if (i === length) {
        this.internHits[field]!++;
        return known;
      }
    }
    const text = latin1Slice.call(buffer, start, end);
    table[slot] = text;
    return text;
  }

  /** A validated string with escapes or multi-byte characters (content between the quotes). */
  private decodeString(buffer: Buffer, start: number, end: number): string {
    return decodeEscapedString(buffer, start, end);
  }

  private buildResult(): Record<string, unknown> {
    const { names, values, stamps, lineStamp } = this;
    // Slots are not cleared after a line: they hold at most one old value per wanted field,
    // which is cheaper than clearing them on every line.
    if (this.presentCount === names.length && this.buildComplete !== null) {
      // One object for the whole stream: ~40 bytes and a young-generation slot less per record.
      // Its number fields are stored from `numbers` as doubles (fillComplete): a double field
      // keeps its box and is written in place, no heap number per record. Made from the first
      // line's values, so a field holding a number there is a double field from the start.
      if (this.reuseRecord) return this.fillComplete!((this.reused ??= this.buildComplete(this.boxedValues())), values, this.numbers);
      return this.buildComplete(this.boxedValues());
    }
    // Fields are added in construction order, not line order, so records with the same fields
    // present share one hidden class whatever order their keys were written in.
    const result: Record<string, unknown> = {};
    for (let slot = 0; slot < names.length; slot++) {
      if (stamps[slot] !== lineStamp) continue;
      const value = values[slot] === IN_NUMBERS ? this.numbers[slot] : values[slot];
      if (slot === this.protoSlot) Object.defineProperty(result, '__proto__', { value, writable: true, enumerable: true, configurable: true });
      else result[names[slot]!] = value;
    }
    return result;
  }

  /** The values with numbers boxed in their slots (IN_NUMBERS replaced), for a record made afresh. */
  private boxedValues(): unknown[] {
    const values = this.values;
    for (let slot = 0; slot < values.length; slot++) if (values[slot] === IN_NUMBERS) values[slot] = this.numbers[slot];
    return values;
  }

  private readWithJsonParse(buffer: Buffer, start: number, end: number): Record<string, unknown> | null {
    // The walk stopped short of the line's end: a number it read may not be the field's last.
    this.clearCells();
    const whole = parseLine(buffer, start, end);
    if (whole === null) {
      this.counts.rejected++;
      return null;
    }
    this.counts.jsonParse++;
    const result: Record<string, unknown> = {};
    for (const name of this.names) {
      if (Object.hasOwn(whole, name)) Object.defineProperty(result, name, { value: whole[name], writable: true, enumerable: true, configurable: true });
    }
    return result;
  }
}

/**
 * A function returning `{ name0: values[0], name1: values[1], ... }` as an object literal with
 * constant keys: V8 creates it from one boilerplate with a fixed hidden class, where adding the
 * fields one by one with computed names costs a keyed-store lookup per field (8% of the read
 * time on the benchmark file). The names enter the source only as JSON.stringify string literals,
 * which are valid JavaScript string literals for any string, so no field name can inject code.
 * null for '__proto__', which in a literal would set the prototype instead of adding a field.
 */
function completeRecordBuilder(names: readonly string[]): ((values: unknown[]) => Record<string, unknown>) | null {
  if (names.length === 0 || names.includes('__proto__')) return null;
  const fields = names.map((name, slot) => `${JSON.stringify(name)}: values[${slot}]`).join(', ');
  return new Function('values', `'use strict'; return { ${fields} };`) as (values: unknown[]) => Record<string, unknown>;
}

/**
 * completeRecordBuilder's companion for a reused record: `record.name0 = values[0]; ...` with
 * constant names (named stores, one hidden class), same safety argument; null where the builder
 * is. A number is stored from `numbers` by a store of its own (a conditional expression choosing
 * between the double and a value would box the double first).
 */
function completeRecordFiller(names: readonly string[]): ((record: Record<string, unknown>, values: unknown[], numbers: Float64Array) => Record<string, unknown>) | null {
  if (names.length === 0 || names.includes('__proto__')) return null;
  const stores = names
    .map((name, slot) => {
      const field = `record[${JSON.stringify(name)}]`;
      return `if (values[${slot}] === inNumbers) ${field} = numbers[${slot}]; else ${field} = values[${slot}];`;
    })
    .join(' ');
  const filler = new Function('inNumbers', `'use strict'; return (record, values, numbers) => { ${stores} return record; };`);
  return filler(IN_NUMBERS) as (record: Record<string, unknown>, values: unknown[], numbers: Float64Array) => Record<string, unknown>;
}

const ESCAPED: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };

/** A validated string with escapes or multi-byte characters (content between the quotes). */
function decodeEscapedString(buffer: Buffer, start: number, end: number): string {
  let escape = buffer.indexOf(BACKSLASH, start);
  if (escape < 0 || escape >= end) return buffer.toString('utf8', start, end);
  let text = '';
  let from = start;
  while (escape >= 0 && escape < end) {
    text += buffer.toString('utf8', from, escape);
    const kind = buffer[escape + 1]!;
    if (kind === 0x75) {
      // \uXXXX is one UTF-16 code unit; a lone surrogate stays lone, as in JSON.parse.
      text += String.fromCharCode(parseInt(latin1Slice.call(buffer, escape + 2, escape + 6), 16));
      from = escape + 6;
    } else {
      text += ESCAPED[kind];
      from = escape + 2;
    }
    escape = buffer.indexOf(BACKSLASH, from);
  }
  return text + buffer.toString('utf8', from, end);
}
