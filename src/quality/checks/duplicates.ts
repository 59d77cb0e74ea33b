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

/** A growable FIFO of (hash, time) pairs in typed arrays: no per-entry objects for the GC. */
class KeyQueue {
  hashes = new Float64Array(1024);
  times = new Float64Array(1024);
  head = 0;
  tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  push(hash: number, time: number): void {
    if (this.tail === this.hashes.length) {
      const live = this.tail - this.head;
      // Compact in place when at least half is consumed, otherwise double: O(1) amortized.
      const capacity = live * 2 <= this.hashes.length ? this.hashes.length : this.hashes.length * 2;
      const hashes = capacity === this.hashes.length ? this.hashes : new Float64Array(capacity);
      const times = capacity === this.times.length ? this.times : new Float64Array(capacity);
      hashes.set(this.hashes.subarray(this.head, this.tail));
      times.set(this.times.subarray(this.head, this.tail));
      this.hashes = hashes;
      this.times = times;
      this.head = 0;
      this.tail = live;
    }
    this.hashes[this.tail] = hash;
    this.times[this.tail++] = time;
  }
}

/**
 * Hash → first-seen time, open addressing with linear probing in one typed array of (key, time)
 * pairs: no per-key objects, so a window of 360K keys costs 16 bytes × capacity and nothing for
 * the GC to trace, and a key and its time share a cache line (a 1 h window of 100 events/s is a
 * 16 MB table: nearly every probe is a cache miss, so one miss per lookup instead of two matters).
 * Deletion shifts the following cluster back (no tombstones), so probes stay short.
 */
export class FirstSeenTable {
  /** cells[2i] = key (0: empty slot), cells[2i + 1] = its time. */
  private cells = new Float64Array(2 << 12);
  private mask = (1 << 12) - 1;
  size = 0;

  /** Time stored for `key`, or NaN. Key 0 marks an empty slot, so callers never store 0. */
  get(key: number): number {
    const cells = this.cells;
    for (let i = slotOf(key, this.mask); ; i = (i + 1) & this.mask) {
      const at = cells[2 * i]!;
      if (at === key) return cells[2 * i + 1]!;
      if (at === 0) return Number.NaN;
    }
  }

  set(key: number, time: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const cells = this.cells;
    for (let i = slotOf(key, this.mask); ; i = (i + 1) & this.mask) {
      const at = cells[2 * i]!;
      if (at === key) {
        cells[2 * i + 1] = time;
        return;
      }
      if (at === 0) {
        cells[2 * i] = key;
        cells[2 * i + 1] = time;
        this.size++;
        return;
      }
    }
  }

  delete(key: number): void {
    this.deleteAt(this.find(key));
  }

  /** Deletes `key` only while it still holds `time` (one probe); true when it did. */
  deleteIf(key: number, time: number): boolean {
    const i = this.find(key);
    if (i < 0 || this.cells[2 * i + 1] !== time) return false;
    this.deleteAt(i);
    return true;
  }

  private find(key: number): number {
    const cells = this.cells;
    for (let i = slotOf(key, this.mask); ; i = (i + 1) & this.mask) {
      const at = cells[2 * i]!;
      if (at === key) return i;
      if (at === 0) return -1;
    }
  }

  private deleteAt(i: number): void {
    if (i < 0) return;
    const cells = this.cells;
    const mask = this.mask;
    // Backward-shift: move later members of the cluster into the hole when their home allows it.
    let hole = i;
    for (let j = (i + 1) & mask; cells[2 * j] !== 0; j = (j + 1) & mask) {
      const home = slotOf(cells[2 * j]!, mask);
      const movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
      if (movable) {
        cells[2 * hole] = cells[2 * j]!;
        cells[2 * hole + 1] = cells[2 * j + 1]!;
        hole = j;
      }
    }
    cells[2 * hole] = 0;
    this.size--;
  }

  private grow(): void {
    const old = this.cells;
    this.cells = new Float64Array(old.length * 2);
    this.mask = old.length - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.set(old[i]!, old[i + 1]!);
  }
}

function slotOf(key: number, mask: number): number {
  return (key >>> 0) & mask;
}

export function compileDuplicates(config: RuleConfig, context: CheckContext): Check {
  config.onlyKeys(['key_fields', 'window', 'window_size', 'timestamp_field', 'max_keys']);
  const keyFields = config.fieldList('key_fields');
  const keys: FieldRef[] = keyFields.map((name) => context.fields.ref(name));
  const window = config.duration('window', 'window_size', 3_600_000);
  const timeField = config.string('timestamp_field', 'timestamp');
  const timeRef = context.fields.ref(timeField);
  const maxKeys = config.number('max_keys', { fallback: DEFAULT_MAX_KEYS, min: 1 });

  const firstSeen = new FirstSeenTable();
  const queue = new KeyQueue();
  const hash = new KeyHash();
  let clock = 0;
  let evictedByCap = 0;
  let peakKeys = 0;

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

  /** Drops keys at or beyond the window behind the clock: no later record can be within the window of them. */
  function evict(): void {
    const horizon = clock - window;
    while (queue.head < queue.tail) {
      const overCap = firstSeen.size > maxKeys;
      if (!overCap && queue.times[queue.head]! > horizon) break;
      const key = queue.hashes[queue.head]!;
      // A key re-admitted after leaving the window has a newer entry further on; skip the stale one.
      if (firstSeen.deleteIf(key, queue.times[queue.head]!) && overCap) evictedByCap++;
      queue.head++;
    }
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
      const seen = firstSeen.get(key);
      if (!Number.isNaN(seen) && Math.abs(time - seen) < window) {
        verdict.score = 0;
        const text = keys.map((field) => { const value = field.read(row); return value === undefined || value === null ? '-' : valueKey(value); }).join('+');
        verdict.message = `duplicate of ${keyFields.join('+')} = ${text} seen ${formatDuration(Math.abs(time - seen))} apart in event time`;
        return false;
      }
      firstSeen.set(key, time);
      queue.push(key, time);
      evict();
      if (firstSeen.size > peakKeys) peakKeys = firstSeen.size;
      return true;
    },
    details: () => ({
      window: formatDuration(window),
      keys_held: firstSeen.size,
      peak_keys: peakKeys,
      max_keys: maxKeys,
      ...(evictedByCap > 0 ? { evicted_by_cap: evictedByCap } : {}),
    }),
  };
}
