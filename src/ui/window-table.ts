/**
 * A window step's table as the view's worker keeps it (view-worker.ts): the latest window per key,
 * stored by column, not as a row object per key. A slot per key (in the order keys arrive), and
 * per slot the window, its firing, when it changed and each field's value (numbers in a
 * Float64Array, other values beside). Each runner frame brings up to 4,096 results (RING); a draw
 * folds every frame since the last one into it and picks the top rows the panel shows; only those
 * become WindowRow objects.
 *
 * Why columns: with ~50K keys a row object per key, its fields written by name, cost the worker
 * 8-9 ms a frame in a --speed max run (the fold's stores and the top-N's reads of `fields[name]`
 * each a keyed property access among 50K objects scattered over the heap); the top-N now reads
 * one Float64Array in order.
 */
import { compareRows, keyText, selectTop, type StepInfo, type WindowBatch, type WindowRow } from './live-state.js';

const INITIAL_SLOTS = 1_024;

export class WindowTable {
  private readonly slots = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly fieldCount: number;
  private capacity = INITIAL_SLOTS;
  private start = new Float64Array(INITIAL_SLOTS);
  private end = new Float64Array(INITIAL_SLOTS);
  private changedAt = new Float64Array(INITIAL_SLOTS);
  private late = new Uint8Array(INITIAL_SLOTS);
  /** Field f of slot s at s × fields + f: a number, or (isNumber 0) the value in `others`. */
  private numbers: Float64Array;
  private isNumber: Uint8Array;
  /** As long as `numbers`, without holes: a write far past its end would turn it into a dictionary (slow reads every frame). */
  private readonly others: unknown[];

  constructor(private readonly info: StepInfo) {
    this.fieldCount = info.fields.length;
    this.numbers = new Float64Array(INITIAL_SLOTS * this.fieldCount);
    this.isNumber = new Uint8Array(INITIAL_SLOTS * this.fieldCount);
    this.others = new Array<unknown>(INITIAL_SLOTS * this.fieldCount).fill(undefined);
  }

  /** Keys in the table. */
  get size(): number {
    return this.keys.length;
  }

  /**
   * A frame's results, oldest first, into the table at `wallMs` (the frame's wall clock marks the
   * rows it changed): each result replaces its key's row, but an older window's late firing does
   * not replace a newer window's row (as the reducer's fold, live-state.ts foldWindows).
   */
  fold(batch: WindowBatch, wallMs: number): void {
    const fields = this.fieldCount;
    for (let n = 0; n < batch.size; n++) {
      const key = keyText(batch.key(n));
      const start = batch.start(n);
      let slot = this.slots.get(key);
      if (slot === undefined) {
        slot = this.keys.length;
        if (slot === this.capacity) this.grow();
        this.slots.set(key, slot);
        this.keys.push(key);
      } else if (start < this.start[slot]!) continue;
      this.start[slot] = start;
      this.end[slot] = batch.end(n);
      this.late[slot] = batch.late(n) ? 1 : 0;
      this.changedAt[slot] = wallMs;
      const base = slot * fields;
      for (let f = 0; f < fields; f++) {
        const value = batch.value(n, f);
        if (typeof value === 'number') {
          this.numbers[base + f] = value;
          if (this.isNumber[base + f] === 0) this.others[base + f] = undefined;
          this.isNumber[base + f] = 1;
        } else {
          this.isNumber[base + f] = 0;
          this.others[base + f] = value;
        }
      }
    }
  }

  /** The rows the panel shows: filtered by key, sorted by field `sortField` (-1: by key), top `limit`, as visibleRows picks them. */
  top(filter: string, sortField: number, limit: number): WindowRow[] {
    const needle = filter.toLowerCase();
    const field = sortField >= 0 && sortField < this.fieldCount ? sortField : -1;
    const { keys, numbers, isNumber, fieldCount } = this;
    const value = (slot: number): unknown => (field < 0 ? undefined : this.value(slot, field));
    const slots = selectTop(
      keys.length,
      limit,
      needle === '' ? null : (slot) => keys[slot]!.toLowerCase().includes(needle),
      (a, b) => compareRows(value(a), value(b), keys[a]!, keys[b]!),
      field < 0 ? null : (slot) => (isNumber[slot * fieldCount + field] === 1 ? numbers[slot * fieldCount + field]! : NaN),
    );
    return slots.map((slot) => this.row(slot));
  }

  private value(slot: number, field: number): unknown {
    const at = slot * this.fieldCount + field;
    return this.isNumber[at] === 1 ? this.numbers[at] : this.others[at];
  }

  private row(slot: number): WindowRow {
    const fields: Record<string, unknown> = {};
    this.info.fields.forEach((name, f) => (fields[name] = this.value(slot, f)));
    return { key: this.keys[slot]!, start: this.start[slot]!, end: this.end[slot]!, firing: this.late[slot] === 1 ? 'late' : 'onTime', fields, changedAt: this.changedAt[slot]! };
  }

  /** Twice the slots: the columns copied into arrays twice as long. */
  private grow(): void {
    const capacity = this.capacity * 2;
    const widen = <T extends Float64Array | Uint8Array>(array: T, make: (length: number) => T, per = 1): T => {
      const wider = make(capacity * per);
      wider.set(array);
      return wider;
    };
    this.start = widen(this.start, (n) => new Float64Array(n));
    this.end = widen(this.end, (n) => new Float64Array(n));
    this.changedAt = widen(this.changedAt, (n) => new Float64Array(n));
    this.late = widen(this.late, (n) => new Uint8Array(n));
    this.numbers = widen(this.numbers, (n) => new Float64Array(n), this.fieldCount);
    this.isNumber = widen(this.isNumber, (n) => new Uint8Array(n), this.fieldCount);
    for (let at = this.others.length; at < capacity * this.fieldCount; at++) this.others.push(undefined);
    this.capacity = capacity;
  }
}
