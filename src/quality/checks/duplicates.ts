import { topLevel, type Check, type CheckContext, type Verdict } from '../rule.js';
import { RuleConfig } from '../rule-config.js';
import { valueKey, type FieldRef } from '../field-path.js';
import { NULL, NUMBER, STRING, type FieldRow } from '../../replay/field-reader.js';
import { eventTimeMs, formatDuration } from '../event-time.js';

/**
 * Duplicate check (002 `_check_duplicate_detection`): a record whose key fields equal those of an
 * earlier record less than `window` apart in event time (default 1 h, the document's
 * window_size 3600) is a duplicate, score 0. As in the document the first occurrence is kept.
 *
 * Memory is bounded two ways:
 * 1. keys whose first occurrence is older than the stream's event-time clock minus the window are
 *    evicted (a FIFO queue in arrival order, so eviction is O(1) per record);
 * 2. at most `max_keys` keys (default 1,000,000) are kept; beyond it the oldest are dropped early
 *    and the report says how many, since a duplicate of a dropped key can no longer be seen.
 * Keys are held as 53-bit hashes, not text: 16 bytes per table slot (at most 4 slots per key
 * while the table is at most half full) instead of the key's string
 * (a 5-field media key is ~70 characters), and no string building per record — the check was
 * half of the run's time with string keys. Two different keys share a hash with probability
 * n²/2^54: below 1 in 10,000 with a million keys in the window.
 * A missing key field is part of the key as "absent" (the document's `record.get(field, '')`),
 * so one key list serves records of several shapes; a record missing every key field is skipped.
 */
const DEFAULT_MAX_KEYS = 1_000_000;
const TWO_32 = 4294967296;
/** Hashed for a missing or null key field; no character code is this large. */
const ABSENT_CODE = 0x110001;
/** A float's 64 bits, hashed as two words: String(0.1234) per record was a third of the key cost. */
const FLOAT = new Float64Array(1);
const FLOAT_WORDS = new Int32Array(FLOAT.buffer);

/** Two independent 32-bit hashes folded into one 53-bit integer (exact in a double). */
class KeyHash {
  h1 = 0x811c9dc5;
  h2 = 0x9747b28c;

  reset(): void {
    this.h1 = 0x811c9dc5;
    this.h2 = 0x9747b28c;
  }

  add(code: number): void {
    this.h1 = Math.imul(this.h1 ^ code, 0x01000193);
    this.h2 = Math.imul(this.h2 ^ code, 0x5bd1e995);
    this.h2 ^= this.h2 >>> 15;
  }

  /** A plain ASCII string's bytes, hashed as addValue hashes the string (its bytes are its char codes). */
  addBytes(buffer: Buffer, start: number, end: number): void {
    // The state in locals for the loop: a property write per byte was a fifth of the check.
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = start; i < end; i++) {
      const code = buffer[i]!;
      h1 = Math.imul(h1 ^ code, 0x01000193);
      h2 = Math.imul(h2 ^ code, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.add(0x110000);
  }

  /** A number, as addValue hashes it. */
  addNumber(value: number): void {
    if (Number.isInteger(value) && Math.abs(value) < Number.MAX_SAFE_INTEGER) {
      this.add(value % TWO_32 | 0);
      this.add(Math.floor(value / TWO_32) | 0);
    } else {
      FLOAT[0] = value;
      this.add(FLOAT_WORDS[0]!);
      this.add(FLOAT_WORDS[1]! ^ 0x5f3759df);
    }
    this.add(0x110000);
  }

  addValue(value: unknown): void {
    if (typeof value === 'number') {
      this.addNumber(value);
      return;
    }
    if (typeof value === 'string') {
      let h1 = this.h1;
      let h2 = this.h2;
      for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        h1 = Math.imul(h1 ^ code, 0x01000193);
        h2 = Math.imul(h2 ^ code, 0x5bd1e995);
        h2 ^= h2 >>> 15;
      }
      this.h1 = h1;
      this.h2 = h2;
    } else {
      const text = valueKey(value);
      for (let i = 0; i < text.length; i++) this.add(text.charCodeAt(i));
    }
    // A separator no character can produce, so ("ab","c") and ("a","bc") differ.
    this.add(0x110000);
  }

  value(): number {
    let a = this.h1;
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    // Never 0: the table uses 0 for an empty slot.
    return (this.h2 >>> 0) * 2097152 + ((a >>> 0) & 0x1fffff) || 1;
  }
}

/**
 * The keys held by the duplicate check: hash → first-seen time, for the keys whose first occurrence
 * is less than `window` behind the event-time clock, at most `maxKeys` of them (oldest dropped first).
 *
 * Two parts, both typed arrays (no per-key objects for the GC to trace):
 * - a FIFO of admissions in arrival order (their time, and whether the admission is still its
 *   key's current one), numbered by `seq`; eviction walks its head, sequential memory;
 * - an open-addressing table (linear probing) of (hash, seq) pairs. A slot whose seq is behind the
 *   FIFO's head is stale: its key was evicted. Eviction never touches the table: the next key
 *   whose probe passes a stale slot takes it, and when live and stale slots fill half the table
 *   the stale ones are dropped in one sequential pass (in place; the table doubles when live keys
 *   alone fill 3/8 of it).
 * Deleting from the table on eviction (the previous design) cost a second random memory access
 * per record: with a 1 h window of 100 events/s the table is 16 MB, so a probe is nearly always a
 * cache miss, and this check cost ~860 ns a record more with a 1 h window than with a 1 s one.
 * Same decisions and counts (size, peak, evicted by the cap) as a table with deletion: the
 * differential test in test/quality/duplicate-window.test.ts holds it to that reference.
 */
export class DuplicateWindow {
  /** cells[2i] = key hash (0: empty slot), cells[2i + 1] = its admission's seq. */
  private cells: Float64Array;
  private mask: number;
  /** Non-empty slots, live or stale. */
  private used = 0;
  /** FIFO of admissions: times[seq - base], alive[seq - base]; seqs head..tail-1 are held. */
  private times = new Float64Array(1024);
  private alive = new Uint8Array(1024);
  private base = 0;
  private head = 0;
  private tail = 0;
  /** Keys held (live admissions). */
  size = 0;
  peak = 0;
  /** Keys dropped before their window passed because more than maxKeys were held. */
  evictedByCap = 0;
  /** Where lookup found the key (live or stale), or -1; and the slot it would take otherwise. */
  private found = -1;
  private free = -1;

  /** `slots`: the table's first size, a power of two (small in tests, to exercise rebuilds). */
  constructor(
    private readonly window: number,
    private readonly maxKeys: number,
    slots = 1 << 12,
  ) {
    this.cells = new Float64Array(2 * slots);
    this.mask = slots - 1;
  }

  /**
   * The first-seen time of `key` if it is held, else NaN. Remembers where the key is or would go,
   * for `admit` right after (no other call between).
   */
  lookup(key: number): number {
    const cells = this.cells;
    const mask = this.mask;
    const head = this.head;
    let reuse = -1;
    for (let i = (key >>> 0) & mask; ; i = (i + 1) & mask) {
      const at = cells[2 * i]!;
      if (at === 0) {
        this.found = -1;
        this.free = reuse >= 0 ? reuse : i;
        return Number.NaN;
      }
      const seq = cells[2 * i + 1]!;
      if (at === key) {
        this.found = i;
        return seq < head ? Number.NaN : this.times[seq - this.base]!;
      }
      if (reuse < 0 && seq < head) reuse = i;
    }
  }

  /**
   * Makes `key` (just looked up) first seen at `time`, then evicts what the clock has left behind
   * the window and what exceeds the cap.
   */
  admit(key: number, time: number, clock: number): void {
    const seq = this.push(time);
    const cells = this.cells;
    if (this.found >= 0) {
      const slot = this.found;
      const old = cells[2 * slot + 1]!;
      // A key re-admitted while held (its old time is a window or more away): the old admission
      // no longer counts; one that was evicted comes back as a new key.
      if (old >= this.head) this.alive[old - this.base] = 0;
      else this.size++;
      cells[2 * slot + 1] = seq;
    } else {
      let slot = this.free;
      if (cells[2 * slot] === 0) {
        if ((this.used + 1) * 2 > this.mask + 1) {
          this.rebuild();
          slot = this.emptySlotOf(key);
        }
        this.used++;
      }
      this.cells[2 * slot] = key;
      this.cells[2 * slot + 1] = seq;
      this.size++;
    }
    this.evict(clock);
    if (this.size > this.peak) this.peak = this.size;
  }

  /** Drops admissions at or beyond the window behind the clock, and the oldest beyond the cap. */
  private evict(clock: number): void {
    const horizon = clock - this.window;
    const { times, alive, base } = this;
    while (this.head < this.tail) {
      const overCap = this.size > this.maxKeys;
      if (!overCap && times[this.head - base]! > horizon) break;
      // An admission superseded by a re-admission of its key is skipped: the key stays held.
      if (alive[this.head - base] === 1) {
        this.size--;
        if (overCap) this.evictedByCap++;
      }
      this.head++;
    }
  }

  private push(time: number): number {
    if (this.tail - this.base === this.times.length) {
      const live = this.tail - this.head;
      // Compact in place when at least half is consumed, otherwise double: O(1) amortized.
      const capacity = live * 2 <= this.times.length ? this.times.length : this.times.length * 2;
      const times = capacity === this.times.length ? this.times : new Float64Array(capacity);
      const alive = capacity === this.alive.length ? this.alive : new Uint8Array(capacity);
      times.set(this.times.subarray(this.head - this.base, this.tail - this.base));
      alive.set(this.alive.subarray(this.head - this.base, this.tail - this.base));
      this.times = times;
      this.alive = alive;
      this.base = this.head;
    }
    const index = this.tail - this.base;
    this.times[index] = time;
    this.alive[index] = 1;
    return this.tail++;
  }

  /** The first empty slot on the key's probe path (the key is not in the table). */
  private emptySlotOf(key: number): number {
    const cells = this.cells;
    const mask = this.mask;
    let i = (key >>> 0) & mask;
    while (cells[2 * i] !== 0) i = (i + 1) & mask;
    return i;
  }

  /**
   * Drops the stale slots; doubles the table when live keys would fill more than 3/8 of it, so
   * at least 1/8 of it is admitted between rebuilds and a rebuild costs a few slot visits per admission.
   */
  private rebuild(): void {
    if ((this.size + 1) * 8 > (this.mask + 1) * 3) this.grow();
    else this.dropStale();
    this.used = this.size;
  }

  /** Moves the live keys to a table twice the size, in slot order. */
  private grow(): void {
    const old = this.cells;
    const slots = old.length / 2;
    const cells = new Float64Array(slots * 4);
    const mask = slots * 2 - 1;
    const head = this.head;
    for (let j = 0; j < slots; j++) {
      const key = old[2 * j]!;
      if (key === 0 || old[2 * j + 1]! < head) continue;
      let i = (key >>> 0) & mask;
      while (cells[2 * i] !== 0) i = (i + 1) & mask;
      cells[2 * i] = key;
      cells[2 * i + 1] = old[2 * j + 1]!;
    }
    this.cells = cells;
    this.mask = mask;
  }

  /**
   * Drops the stale slots in place. A new table per rebuild (16 MB with a 1 h window of 75
   * events/s) cost 10-150 ms each, mostly page faults and the collections the allocation set
   * off; the pass itself is 10 ms. Linear-probing deletion, for the whole table in one pass:
   * 1. start just after a slot that is empty now: no key's probe path (home slot → its slot)
   *    runs through it, so every path lies after the start in ring order;
   * 2. visit the slots in ring order; a stale key is cleared; a live key moves to the first empty
   *    slot of its path, if any. The slots before it are settled by then, so its path stays
   *    unbroken, and no settled key's path runs through the slot it leaves.
   */
  private dropStale(): void {
    const cells = this.cells;
    const mask = this.mask;
    const head = this.head;
    let start = 0;
    while (cells[2 * start] !== 0) start++;
    for (let n = 1; n <= mask; n++) {
      const j = (start + n) & mask;
      const key = cells[2 * j]!;
      if (key === 0) continue;
      if (cells[2 * j + 1]! < head) {
        cells[2 * j] = 0;
        continue;
      }
      let i = (key >>> 0) & mask;
      while (i !== j && cells[2 * i] !== 0) i = (i + 1) & mask;
      if (i === j) continue;
      cells[2 * i] = key;
      cells[2 * i + 1] = cells[2 * j + 1]!;
      cells[2 * j] = 0;
    }
  }
}

export function compileDuplicates(config: RuleConfig, context: CheckContext): Check {
  config.onlyKeys(['key_fields', 'window', 'window_size', 'timestamp_field', 'max_keys']);
  const keyFields = config.fieldList('key_fields');
  const keys: FieldRef[] = keyFields.map((name) => context.fields.ref(name));
  const window = config.duration('window', 'window_size', 3_600_000);
  const timeField = config.string('timestamp_field', 'timestamp');
  const timeRef = context.fields.ref(timeField);
  const maxKeys = config.number('max_keys', { fallback: DEFAULT_MAX_KEYS, min: 1 });

  const held = new DuplicateWindow(window, maxKeys);
  const hash = new KeyHash();
  let clock = 0;

  /**
   * The key's hash, or -1 when every key field is missing. A top-level field is read from the
   * row's arrays: its kind says absent or null, a plain string is hashed from the line's bytes
   * and a number from the decoded value, so nothing is built and no closure is called (the
   * generic read per field was ~40% of the check on 6-field financial session keys). A nested
   * field is read once.
   */
  function hashOf(row: FieldRow): number {
    hash.reset();
    let present = 0;
    const { kinds } = row;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      let value: unknown;
      if (key.topLevel) {
        const slot = key.slot;
        const kind = kinds[slot]!;
        if (kind <= NULL) {
          hash.add(ABSENT_CODE);
          continue;
        }
        present++;
        if (kind === NUMBER) {
          hash.addNumber(row.values[slot] as number);
          continue;
        }
        if (kind === STRING && row.pending[slot] === 1 && row.plain[slot] === 1) {
          hash.addBytes(row.buffer, row.starts[slot]!, row.ends[slot]!);
          continue;
        }
        value = row.get(slot);
      } else {
        value = key.read(row);
        if (value === undefined || value === null) {
          hash.add(ABSENT_CODE);
          continue;
        }
        present++;
      }
      hash.addValue(value);
    }
    return present === 0 ? -1 : hash.value();
  }

  return {
    reads: topLevel([...keyFields, timeField]),
    evaluate(row: FieldRow, verdict: Verdict): boolean {
      const key = hashOf(row);
      verdict.score = 1;
      if (key < 0) return true;
      const parsed = eventTimeMs(timeRef.read(row));
      const time = Number.isNaN(parsed) ? clock : parsed;
      if (time > clock) clock = time;
      const seen = held.lookup(key);
      if (!Number.isNaN(seen) && Math.abs(time - seen) < window) {
        verdict.score = 0;
        const text = keys.map((field) => { const value = field.read(row); return value === undefined || value === null ? '-' : valueKey(value); }).join('+');
        verdict.message = `duplicate of ${keyFields.join('+')} = ${text} seen ${formatDuration(Math.abs(time - seen))} apart in event time`;
        return false;
      }
      held.admit(key, time, clock);
      return true;
    },
    details: () => ({
      window: formatDuration(window),
      keys_held: held.size,
      peak_keys: held.peak,
      max_keys: maxKeys,
      ...(held.evictedByCap > 0 ? { evicted_by_cap: held.evictedByCap } : {}),
    }),
  };
}
