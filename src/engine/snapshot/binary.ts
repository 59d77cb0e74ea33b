/**
 * The compact binary form of large operator state (checkpoints): numbers and short strings written
 * into one growing byte buffer, and the records the state holds kept aside, in the order they were
 * written. A record is a value parsed from JSON text (an input record as read): plain JSON
 * describes it exactly. Records are immutable once an operator holds them, so the checkpoint store
 * writes each one's text once and refers to it from every later checkpoint (checkpoint-store.ts);
 * what is encoded here each time is only the structure around them.
 *
 * Unsigned integers are LEB128 varints, other numbers IEEE doubles (±Infinity and NaN included),
 * strings a varint byte length and UTF-8. `sym` writes a string that repeats (stage names) once
 * per encoding and later as an index. `value` writes plain data (accumulators) tagged by type,
 * and reads back exactly what snapshot JSON would give. The layout itself belongs to whoever
 * writes it (e.g. nfa-snapshot-binary.ts); the reader is told nothing and must read in the same
 * order.
 */
import { fromSnapshotJson, toSnapshotJson } from './snapshot-json.js';

const INITIAL_BYTES = 1 << 12;

/**
 * Where a record's line is in the recording it was read from: the byte offset of the line in a
 * JSONL file, the seq of the row in a SQLite recording. A checkpointed replay sets it on the
 * records it parses (JSON ignores symbol keys, so outputs do not change); the checkpoint store
 * then refers to the record by it instead of writing the record's text, and a resume reads the
 * line again (checkpoint-store.ts).
 */
export const SOURCE_POSITION = Symbol('sw.sourcePosition');

/** A record's SOURCE_POSITION, NaN when it has none (a number or NaN fits a Float64Array kept beside records). */
export function sourcePositionOf(record: unknown): number {
  const position = record === null || typeof record !== 'object' ? undefined : (record as { [SOURCE_POSITION]?: number })[SOURCE_POSITION];
  return position === undefined ? NaN : position;
}
/** Doubles go through these 8 bytes (a DataView write cost ~50 ns in node 20), in little-endian order. */
const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The type tags of `value`. */
const V_NULL = 0;
const V_FALSE = 1;
const V_TRUE = 2;
const V_INT = 3;
const V_FLOAT = 4;
const V_STRING = 5;
const V_ARRAY = 6;
const V_OBJECT = 7;
const V_SET = 8;
/** What JSON leaves out of an object and writes as null in an array: undefined, a function, a symbol. */
const V_UNDEFINED = 9;
/** Anything else (a Date, a class instance, an object with a `__proto__` key) as its snapshot JSON. */
const V_JSON = 10;

export interface SnapshotWriterOptions {
  /** The bytes expected (e.g. the previous encoding's length), to grow less. */
  readonly sizeHint?: number;
  /** The record a held value stands for (see EncodedState.original). */
  readonly original?: (held: unknown) => unknown;
  /** Bytes in a SharedArrayBuffer: another thread (the checkpoint writer) reads them without a copy. */
  readonly shared?: boolean;
}

/**
 * The most bytes a string's byte count takes as a varint (`uint`) before its text, with 8 of room:
 * `uint` grows the buffer (keeping what is before it) when fewer than 8 bytes are left.
 */
const MAX_COUNT_BYTES = 8;

export class SnapshotWriter {
  private bytes: Uint8Array;
  private at = 0;
  private readonly symbols = new Map<string, number>();
  /** The records referred to, in the order written. */
  private records: unknown[] = [];
  private readonly encoder = new TextEncoder();
  private readonly original: (held: unknown) => unknown;
  private readonly shared: boolean;

  constructor({ sizeHint = INITIAL_BYTES, original = asHeld, shared = false }: SnapshotWriterOptions = {}) {
    this.original = original;
    this.shared = shared;
    this.bytes = this.allocate(Math.max(16, sizeHint));
  }

  get length(): number {
    return this.at;
  }

  /** A non-negative integer (up to 2^53). */
  uint(n: number): void {
    if (!(n >= 0 && n === Math.floor(n) && n <= Number.MAX_SAFE_INTEGER)) throw new Error(`binary state: ${n} is not an unsigned integer`);
    if (this.at + 8 > this.bytes.length) this.grow(8);
    const bytes = this.bytes;
    let at = this.at;
    while (n >= 0x80) {
      bytes[at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    bytes[at++] = n;
    this.at = at;
  }

  /**
   * `values[from, to)`, unsigned integers, each as `uint` writes it, with one check for room: the
   * writer thread writes ~350K of them per binge checkpoint (a key's numbers, its runs' event
   * indexes, the records' references), where `uint` per number cost ~30 ns.
   */
  uints(values: ArrayLike<number>, from: number, to: number): void {
    // A varint of a number below 2^53 takes at most 8 bytes.
    if (this.at + 8 * (to - from) > this.bytes.length) this.grow(8 * (to - from));
    const bytes = this.bytes;
    let at = this.at;
    for (let i = from; i < to; i++) {
      let n = values[i]!;
      if (n >>> 0 !== n) {
        this.at = at;
        this.uint(n);
        at = this.at;
        continue;
      }
      while (n >= 0x80) {
        bytes[at++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      bytes[at++] = n;
    }
    this.at = at;
  }

  /** An integer that may be negative (zigzag: 0, -1, 1, -2 … as 0, 1, 2, 3 …). */
  int(n: number): void {
    if (!Number.isSafeInteger(n)) throw new Error(`binary state: ${n} is not an integer`);
    this.uint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  /** Any number, as a double. */
  float(x: number): void {
    if (this.at + 8 > this.bytes.length) this.grow(8);
    if (!LITTLE_ENDIAN) {
      new DataView(this.bytes.buffer).setFloat64(this.at, x, true);
      this.at += 8;
      return;
    }
    scratch[0] = x;
    const bytes = this.bytes;
    const at = this.at;
    bytes[at] = scratchBytes[0]!;
    bytes[at + 1] = scratchBytes[1]!;
    bytes[at + 2] = scratchBytes[2]!;
    bytes[at + 3] = scratchBytes[3]!;
    bytes[at + 4] = scratchBytes[4]!;
    bytes[at + 5] = scratchBytes[5]!;
    bytes[at + 6] = scratchBytes[6]!;
    bytes[at + 7] = scratchBytes[7]!;
    this.at = at + 8;
  }

  str(s: string): void {
    const n = s.length;
    // Short ASCII strings (keys, stage names) byte by byte: a TextEncoder call costs more.
    if (n >= 64) {
      this.utf8(s);
      return;
    }
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        this.utf8(s);
        return;
      }
    }
    if (this.at + 9 + n > this.bytes.length) this.grow(9 + n);
    this.uint(n);
    const bytes = this.bytes;
    for (let i = 0; i < n; i++) bytes[this.at + i] = s.charCodeAt(i);
    this.at += n;
  }

  /** What `str` writes for an ASCII string of fewer than 64 units (each under 0x80), from its units `units[0, n)`: no string needed. */
  ascii(units: Uint8Array, n: number): void {
    if (this.at + 9 + n > this.bytes.length) this.grow(9 + n);
    this.uint(n);
    const bytes = this.bytes;
    for (let i = 0; i < n; i++) bytes[this.at + i] = units[i]!;
    this.at += n;
  }

  /**
   * Any string, through the TextEncoder. Apart from `str`, as `other` is from `value`: code run at
   * checkpoints is compiled by TurboFan once hot, on a helper thread whose CPU time is the
   * checkpoint's, and a callee inlined is compiled again into every caller (a tumbling replay's
   * 20 checkpoints compiled ~0.2 s of checkpoint code, most of it `value` inlined five times).
   *
   * Encoded in place (`encodeInto`), after room for the byte count's varint, then moved back to
   * its end when the count took fewer bytes: `encode` made a new buffer per string, then copied
   * it here; for a window step's keys' JSON (~25 KB per tumbling checkpoint) that was 70–150 µs
   * against 1–5 µs (docs/checkpoints.md, "Session 14").
   */
  private utf8(s: string): void {
    // TextEncoder turns a lone surrogate (valid in JSON text: "\ud800") into U+FFFD, so such a key
    // would come back as another key: those strings go as WTF-8 instead (the reader decodes it).
    if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      const encoded = wtf8Encode(s);
      this.uint(encoded.length);
      this.raw(encoded);
      return;
    }
    // Room for the count and one byte per UTF-16 unit (all an ASCII string takes); more as needed.
    if (this.at + MAX_COUNT_BYTES + s.length > this.bytes.length) this.grow(MAX_COUNT_BYTES + s.length);
    const start = this.at;
    let at = start + MAX_COUNT_BYTES;
    let read = 0;
    for (;;) {
      // encodeInto never splits a surrogate pair: `read` is always at a code point of the (well-formed) string.
      const done = this.encoder.encodeInto(read === 0 ? s : s.slice(read), this.bytes.subarray(at));
      read += done.read;
      at += done.written;
      if (read >= s.length) break;
      this.at = at;
      this.grow(3 * (s.length - read));
    }
    const length = at - start - MAX_COUNT_BYTES;
    this.at = start;
    // Room is there (MAX_COUNT_BYTES before the text): uint does not grow, which would drop the text.
    this.uint(length);
    if (this.at !== start + MAX_COUNT_BYTES) this.bytes.copyWithin(this.at, start + MAX_COUNT_BYTES, at);
    this.at += length;
  }

  /** A string from a small set: the text the first time, an index after. */
  sym(s: string): void {
    const index = this.symbols.get(s);
    if (index !== undefined) {
      this.uint(index + 1);
      return;
    }
    this.symbols.set(s, this.symbols.size);
    this.uint(0);
    this.str(s);
  }

  /**
   * Plain data (an accumulator) by type, with the meaning snapshot JSON gives it: integers as
   * varints, other numbers as doubles (±Infinity, NaN), object keys as symbols (accumulators of
   * one aggregate repeat them), sets as sets, bigints as numbers; what JSON drops is dropped.
   */
  value(v: unknown): void {
    // Numbers and strings (accumulators, keys) here; the rest apart (see `utf8`).
    if (typeof v === 'number') {
      // Integers whose zigzag form (2|n|) is still a safe integer.
      if (Number.isInteger(v) && Math.abs(v) < 2 ** 52) {
        this.uint(V_INT);
        this.int(v);
      } else {
        this.uint(V_FLOAT);
        this.float(v);
      }
    } else if (typeof v === 'string') {
      this.uint(V_STRING);
      this.str(v);
    } else {
      this.other(v);
    }
  }

  /** `value` of anything but a number or a string. */
  private other(v: unknown): void {
    switch (typeof v) {
      case 'boolean':
        this.uint(v ? V_TRUE : V_FALSE);
        return;
      case 'bigint':
        this.value(Number(v));
        return;
      case 'object':
        break;
      default:
        this.uint(V_UNDEFINED);
        return;
    }
    if (v === null) {
      this.uint(V_NULL);
      return;
    }
    if (Array.isArray(v)) {
      this.uint(V_ARRAY);
      this.uint(v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i]);
      return;
    }
    if (v instanceof Set) {
      this.uint(V_SET);
      this.uint(v.size);
      for (const item of v) this.value(item);
      return;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if ((proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record);
      if (!keys.includes('__proto__')) {
        this.uint(V_OBJECT);
        this.uint(keys.length);
        for (let i = 0; i < keys.length; i++) {
          this.sym(keys[i]!);
          this.value(record[keys[i]!]);
        }
        return;
      }
    }
    const json = toSnapshotJson(v) as string | undefined;
    if (json === undefined) {
      this.uint(V_UNDEFINED);
      return;
    }
    this.uint(V_JSON);
    this.str(json);
  }

  /** Bytes as they are (the caller writes their length first). */
  raw(bytes: Uint8Array): void {
    if (this.at + bytes.length > this.bytes.length) this.grow(bytes.length);
    this.bytes.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** The bytes written so far (a view: valid until the next write). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.at);
  }

  /** A record (a value parsed from JSON text, or what `original` turns into one): kept aside as held, not encoded here. */
  record(v: unknown): void {
    this.records.push(v);
  }

  /**
   * The bytes written, named by their layout and its decoder. The bytes are a view of the writer's
   * buffer: after `reset` they are overwritten (a buffer of megabytes reused from checkpoint to
   * checkpoint costs no page faults; a fresh one cost ~1000 per 4 MB).
   */
  finish(layout: string, decode: (reader: SnapshotReader) => unknown): EncodedState {
    return new EncodedState(layout, this.encoded(), decode, this.original);
  }

  /** The bytes written (a view, as `finish`) and the records referred to. */
  encoded(): Encoded {
    return { bytes: this.bytes.subarray(0, this.at), records: this.records };
  }

  /** Empties the writer, keeping its buffer: what `finish` returned before is no longer valid. */
  reset(): void {
    this.at = 0;
    this.records = [];
    this.symbols.clear();
  }

  private grow(needed: number): void {
    let size = this.bytes.length * 2;
    while (size < this.at + needed) size *= 2;
    const bytes = this.allocate(size);
    bytes.set(this.bytes.subarray(0, this.at));
    this.bytes = bytes;
  }

  private allocate(size: number): Uint8Array {
    return new Uint8Array(this.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
  }
}

/**
 * WTF-8 (UTF-8 that also encodes lone surrogates, as 3 bytes): the form of a string that is not
 * well-formed UTF-16, which TextEncoder cannot write without loss. Rare (only such strings come
 * here), so plain code.
 */
export function wtf8Encode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

/** The string of WTF-8 bytes (wtf8Encode); throws on bytes that are not WTF-8. */
export function wtf8Decode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const size = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (size === 0 || i + size > bytes.length) throw new Error('binary state: a string is neither UTF-8 nor WTF-8');
    let c = size === 1 ? b : b & (0xff >> (size + 1));
    for (let k = 1; k < size; k++) {
      const next = bytes[i + k]!;
      if ((next & 0xc0) !== 0x80) throw new Error('binary state: a string is neither UTF-8 nor WTF-8');
      c = (c << 6) | (next & 0x3f);
    }
    if ((size === 3 && c < 0x800) || (size === 4 && (c < 0x10000 || c > 0x10ffff))) throw new Error('binary state: a string is neither UTF-8 nor WTF-8');
    s += String.fromCodePoint(c);
    i += size;
  }
  return s;
}

/** Typed arrays as their bytes (little-endian: the machine's order on every platform node runs on), each after its length. */
export function writeArrays(w: SnapshotWriter, arrays: readonly ArrayBufferView[]): void {
  for (const array of arrays) {
    w.uint(array.byteLength);
    w.raw(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
}

/**
 * The bytes of an array writeArrays wrote, copied out of the reader's (a Buffer's slice would not
 * copy): typed arrays need their own aligned buffers.
 */
export function readArray(r: SnapshotReader): ArrayBuffer {
  return new Uint8Array(r.raw(r.uint())).buffer;
}

export class SnapshotReader {
  private at = 0;
  private recordAt = 0;
  private readonly symbols: string[] = [];
  private readonly view: DataView;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly bytes: Uint8Array,
    private readonly records: readonly unknown[],
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.at === this.bytes.length && this.recordAt === this.records.length;
  }

  uint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.bytes.length) throw new Error('binary state ends early');
      const byte = this.bytes[this.at++]!;
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return n;
      scale *= 0x80;
    }
  }

  int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  float(): number {
    if (this.at + 8 > this.bytes.length) throw new Error('binary state ends early');
    const x = this.view.getFloat64(this.at, true);
    this.at += 8;
    return x;
  }

  str(): string {
    const n = this.uint();
    if (this.at + n > this.bytes.length) throw new Error('binary state ends early');
    const bytes = this.bytes.subarray(this.at, this.at + n);
    let s: string;
    try {
      s = this.decoder.decode(bytes);
    } catch {
      // Not UTF-8: a string with a lone surrogate, written as WTF-8 (SnapshotWriter.utf8).
      s = wtf8Decode(bytes);
    }
    this.at += n;
    return s;
  }

  raw(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new Error('binary state ends early');
    const bytes = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return bytes;
  }

  sym(): string {
    const index = this.uint();
    if (index === 0) {
      const s = this.str();
      this.symbols.push(s);
      return s;
    }
    const s = this.symbols[index - 1];
    if (s === undefined) throw new Error(`binary state names symbol ${index - 1}, which it never defined`);
    return s;
  }

  /** What SnapshotWriter.value wrote; undefined for what JSON drops (an array holds null instead). */
  value(): unknown {
    const tag = this.uint();
    switch (tag) {
      case V_NULL:
        return null;
      case V_FALSE:
        return false;
      case V_TRUE:
        return true;
      case V_INT:
        return this.int();
      case V_FLOAT:
        return this.float();
      case V_STRING:
        return this.str();
      case V_ARRAY: {
        const n = this.uint();
        const items: unknown[] = [];
        for (let i = 0; i < n; i++) items.push(this.value() ?? null);
        return items;
      }
      case V_SET: {
        const n = this.uint();
        const items = new Set<unknown>();
        for (let i = 0; i < n; i++) items.add(this.value() ?? null);
        return items;
      }
      case V_OBJECT: {
        const record: Record<string, unknown> = {};
        for (let i = 0, n = this.uint(); i < n; i++) {
          const key = this.sym();
          const item = this.value();
          if (key === '__proto__') throw new Error('binary state names a __proto__ key');
          if (item !== undefined) record[key] = item;
        }
        return record;
      }
      case V_UNDEFINED:
        return undefined;
      case V_JSON:
        return fromSnapshotJson(this.str());
      default:
        throw new Error(`binary state holds a value of unknown type ${tag}`);
    }
  }

  record(): unknown {
    if (this.recordAt >= this.records.length) throw new Error('binary state refers to more records than it holds');
    return this.records[this.recordAt++];
  }
}

/** Bytes and the records they refer to, in the order written. */
export interface Encoded {
  readonly bytes: Uint8Array;
  readonly records: readonly unknown[];
}

/**
 * State in binary form, with the records it refers to and the name of its layout (the checkpoint
 * store keeps the name, and finds the decoder by it when reading). Anything that wants the plain
 * form (JSON.stringify for savepoints, a restore) gets it from `plain()` / `toJSON`.
 */
export class EncodedState {
  private encoded: Encoded | null;

  constructor(
    readonly layout: string,
    /** Null for state encoded when first asked (DeferredState). */
    encoded: Encoded | null,
    private readonly decode: (reader: SnapshotReader) => unknown,
    /**
     * The whole record a held one stands for: an operator may hold a record as its decoded fields
     * (retained-record.ts), whose original is parsed only when asked. A checkpoint refers to a
     * record by its position and asks for no original (parsing each held record at a checkpoint
     * was ~30% of a binge checkpoint's time); the plain form and the records without a position
     * (written out as text) do.
     */
    readonly original: (held: unknown) => unknown = asHeld,
  ) {
    this.encoded = encoded;
  }

  get bytes(): Uint8Array {
    return (this.encoded ??= this.encode()).bytes;
  }

  /** The records as the operator holds them: a record read from the recording carries its SOURCE_POSITION. */
  get records(): readonly unknown[] {
    return (this.encoded ??= this.encode()).records;
  }

  /** The bytes of state encoded on demand (DeferredState). */
  protected encode(): Encoded {
    throw new Error(`${this.layout} state has no bytes`);
  }

  /** The plain form; throws when the bytes do not hold a whole state of this layout. */
  plain(): unknown {
    const reader = new SnapshotReader(this.bytes, this.original === asHeld ? this.records : this.records.map(this.original));
    const result = this.decode(reader);
    if (!reader.done) throw new Error(`${this.layout} state has bytes or records left over`);
    return result;
  }

  toJSON(): unknown {
    return this.plain();
  }
}

/**
 * Binary state taken as a copy (Flink's synchronous snapshot part: typed arrays copied, nothing
 * encoded) and written later: by the checkpoint store's writer thread (checkpoint-writer.ts) in
 * its `storedLayout`, from `data` (typed arrays over SharedArrayBuffers: shared, not copied) and a
 * reference per held record; or encoded here, on first use of `bytes`, `records` or `plain()`. The copy is the operator's
 * state when it was taken, whatever the operator did since; its buffers are reused by the
 * operator's next copy unless `busy` (lent to the writer thread), when that one takes new ones.
 */
export abstract class DeferredState extends EncodedState {
  /**
   * `busy` itself, apart from the copy: its copier keeps this to know whether the buffers are still
   * lent, and not the copy, whose held records (a whole value pool) would live until the next checkpoint.
   */
  readonly loan = { busy: false };

  /** Set while the writer thread may read `data` (the store clears it once the commit is answered). */
  get busy(): boolean {
    return this.loan.busy;
  }

  set busy(value: boolean) {
    this.loan.busy = value;
  }

  /** What the encoder reads: plain data and typed arrays, for postMessage. */
  abstract readonly data: unknown;
  /**
   * The records the copy holds, by index (index i stands for whatever `encodeDeferred` is given
   * as entry i: the record itself here, its reference on the writer thread); undefined at an
   * index no state refers to.
   */
  abstract readonly held: readonly unknown[];
  /**
   * Per held record, its SOURCE_POSITION (NaN for a record without one, or not known: then the
   * record itself says), when the copier kept them beside the records; null when it did not. The
   * store refers to a record by it without reading the record (a cold line per held record).
   */
  get positions(): Float64Array | null {
    return null;
  }
  /** About how many bytes the stored form takes (the store's choice of thread). */
  abstract readonly size: number;
  /**
   * The layout a checkpoint stores (registered with its encoder, registerLayout): the copy as it
   * is, say, which the store's decoder for that layout turns into the plain form.
   */
  abstract readonly storedLayout: string;

  protected override encode(): Encoded {
    const encoder = layouts.get(this.layout)?.encode;
    if (encoder === undefined) throw new Error(`${this.layout} state has no encoder`);
    return encoder(this.data, this.held, new SnapshotWriter({ sizeHint: this.size }));
  }
}

/**
 * A copier's buffers, reused from copy to copy: the same set again unless the last copy made in
 * them is still lent to the writer thread (its `busy`), when the next copy takes a new set.
 */
export class ReusedBuffers<B> {
  private buffers: B;
  /** The last copy's `loan` (not the copy, whose held records would live until the next checkpoint). */
  private lent: { readonly busy: boolean } | null = null;

  constructor(private readonly make: () => B) {
    this.buffers = make();
  }

  /** The buffers for the next copy. */
  take(): B {
    if (this.lent?.busy === true) this.buffers = this.make();
    return this.buffers;
  }

  /** `copy` was made in the buffers `take` gave last. */
  lend(copy: DeferredState): void {
    this.lent = copy.loan;
  }
}

/**
 * Encodes a DeferredState's data: the bytes, and the records written in order, each the `entries`
 * item its held index names (undefined, or 0 for a reference, where no record is held).
 */
export type DeferredEncoder = (data: unknown, entries: ArrayLike<unknown>, w: SnapshotWriter) => Encoded;

/**
 * How a layout of binary state is read (its plain form) and, for a layout a copy is encoded in
 * (DeferredState's `layout` and `storedLayout`), written from the copy's data.
 */
export interface LayoutCodec {
  readonly decode: (reader: SnapshotReader) => unknown;
  readonly encode?: DeferredEncoder;
}

/**
 * The one table of layouts, filled by the modules that define them when they load
 * (window-snapshot-binary.ts, pattern-snapshot-copy.ts, linear-snapshot-copy.ts): the checkpoint
 * store finds decoders and encoders here, on either thread, and a DeferredState its encoder.
 */
const layouts = new Map<string, LayoutCodec>();

export function registerLayout(layout: string, codec: LayoutCodec): void {
  layouts.set(layout, codec);
}

export function layoutCodec(layout: string): LayoutCodec | undefined {
  return layouts.get(layout);
}

function asHeld(held: unknown): unknown {
  return held;
}

/** `value`, or the plain form of it when it is binary state. */
export function plainState<T>(value: T | EncodedState): T {
  return value instanceof EncodedState ? (value.plain() as T) : value;
}
