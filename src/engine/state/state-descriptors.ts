/**
 * The states a process function asked for, by name. As in Flink, asking twice for the same name
 * returns the same state, and asking for it as another kind is an error (the state would be
 * read with the wrong shape); restored snapshots register their kinds so a changed function
 * fails with a reason instead of misreading old state.
 */
import type { StateTtl } from '../process.js';
import type { StateDescriptor, StateKind } from './state-backend.js';

export class StateMisuseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateMisuseError';
  }
}

export class StateDescriptors {
  private readonly byName = new Map<string, StateDescriptor>();
  /** States of a restored snapshot, checked when the function registers the name. */
  private readonly restoredStates = new Map<string, StateDescriptor>();
  /** True once any state has a TTL: incremental cleanup has work only then. */
  anyTtl = false;

  register(name: string, kind: StateKind, ttl: StateTtl | undefined): StateDescriptor {
    const known = this.byName.get(name);
    if (known) {
      if (known.kind !== kind) {
        throw new StateMisuseError(`state "${name}" is a ${known.kind} state; use another name for a ${kind} state`);
      }
      if (!sameTtl(known.ttl, ttl ?? null)) {
        throw new StateMisuseError(`state "${name}" was registered with another TTL; give each state one TTL`);
      }
      return known;
    }
    if (typeof name !== 'string' || name.length === 0) throw new StateMisuseError('a state needs a non-empty name');
    const restored = this.restoredStates.get(name)?.kind;
    if (restored !== undefined && restored !== kind) {
      throw new StateMisuseError(
        `state "${name}" was restored as a ${restored} state but the function asks for a ${kind} state; rename the state or start without the snapshot`,
      );
    }
    const checked = ttl === undefined ? null : checkTtl(name, ttl);
    const descriptor: StateDescriptor = { name, kind, ttl: checked };
    this.byName.set(name, descriptor);
    if (checked) this.anyTtl = true;
    return descriptor;
  }

  get(name: string): StateDescriptor | undefined {
    return this.byName.get(name);
  }

  /** Registered states, then restored ones the function has not asked for yet (kept for the next snapshot). */
  all(): StateDescriptor[] {
    const all = [...this.byName.values()];
    for (const [name, restored] of this.restoredStates) if (!this.byName.has(name)) all.push(restored);
    return all;
  }

  /** Before a restore: remembers the snapshot's kinds; TTLs come from the code, as in Flink. */
  restored(states: readonly StateDescriptor[]): void {
    this.restoredStates.clear();
    for (const s of states) {
      const known = this.byName.get(s.name);
      if (known && known.kind !== s.kind) {
        throw new StateMisuseError(`state "${s.name}" is a ${known.kind} state but the snapshot holds a ${s.kind} state`);
      }
      this.restoredStates.set(s.name, { name: s.name, kind: s.kind, ttl: s.ttl ?? null });
    }
  }
}

function checkTtl(name: string, ttl: StateTtl): StateTtl {
  if (typeof ttl.ttl !== 'number' || !(ttl.ttl > 0) || !Number.isFinite(ttl.ttl)) {
    throw new StateMisuseError(`state "${name}": ttl must be a positive number of milliseconds, got ${String(ttl.ttl)}`);
  }
  return { ttl: ttl.ttl, refreshOnRead: ttl.refreshOnRead === true };
}

function sameTtl(a: StateTtl | null, b: StateTtl | null): boolean {
  if (a === null || b === null) return a === b;
  return a.ttl === b.ttl && (a.refreshOnRead === true) === (b.refreshOnRead === true);
}
