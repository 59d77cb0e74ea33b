/**
 * Keyed state on the JS heap (Flink's HashMapStateBackend): key → state name → cell. The default
 * backend; the SQLite backend (src/state/sqlite-backend.ts) holds state larger than memory.
 */
import { CellBackend } from './cell-backend.js';
import { cellEntries, restoreCell, snapshotCell, SweepCursor, type Cell } from './cells.js';
import type { CellSnapshot, KeyedStateSnapshot, KeyStateSnapshot, StateStats } from './state-backend.js';
import { keyIdOf, type KeyId } from './state-key.js';

interface KeyRow {
  readonly id: KeyId;
  readonly key: unknown;
  readonly cells: Map<string, Cell>;
}

export class MemoryStateBackend extends CellBackend {
  private readonly rows = new Map<KeyId, KeyRow>();
  private readonly sweep = new SweepCursor<KeyRow>(
    () => this.rows.values(),
    (row) => this.purgeRow(row),
  );
  /** The current key's row, looked up once per setCurrentKey. */
  private row: KeyRow | undefined = undefined;

  setCurrentKey(key: unknown, id: KeyId = keyIdOf(key)): void {
    this.key = key;
    this.id = id;
    this.row = this.rows.get(id);
  }

  cell(name: string): Cell | undefined {
    return this.row?.cells.get(name);
  }

  putCell(name: string, cell: Cell): void {
    let row = this.row;
    if (!row) {
      row = { id: this.id, key: this.key, cells: new Map() };
      this.rows.set(this.id, row);
      this.row = row;
    }
    row.cells.set(name, cell);
  }

  removeCell(name: string): void {
    const row = this.row;
    if (!row) return;
    row.cells.delete(name);
    if (row.cells.size === 0) {
      this.rows.delete(this.id);
      this.row = undefined;
    }
  }

  cleanupIncrementally(keys: number): void {
    if (this.anyTtl && this.rows.size > 0) this.sweep.sweep(keys);
  }

  private purgeRow(row: KeyRow): void {
    if (this.purgeCells(row.cells)) {
      this.rows.delete(row.id);
      if (row === this.row) this.row = undefined;
    }
  }

  snapshot(): KeyedStateSnapshot {
    const keys: KeyStateSnapshot[] = [];
    for (const row of this.rows.values()) {
      const states: Record<string, CellSnapshot> = {};
      for (const [name, cell] of row.cells) states[name] = snapshotCell(cell);
      keys.push({ key: row.key, states });
    }
    return this.snapshotOf(keys);
  }

  restore(snapshot: KeyedStateSnapshot): void {
    this.beginRestore(snapshot);
    this.rows.clear();
    this.sweep.reset();
    for (const k of snapshot.keys) {
      const cells = new Map<string, Cell>();
      for (const [name, cell] of Object.entries(k.states)) cells.set(name, restoreCell(name, cell));
      const id = keyIdOf(k.key);
      if (cells.size > 0) this.rows.set(id, { id, key: k.key, cells });
    }
    this.row = this.rows.get(this.id);
  }

  stats(): StateStats {
    let entries = 0;
    for (const row of this.rows.values()) for (const cell of row.cells.values()) entries += cellEntries(cell);
    return { keys: this.rows.size, entries };
  }
}
