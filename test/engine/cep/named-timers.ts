/** A KeyTimers over new KeySlots, and `key(name)`: a slot allocated and attached, its name in `names` (what a test's pops read as). */
import { KeyTimers } from '../../../src/engine/cep/key-timers.js';
import { KeySlots } from '../../../src/engine/cep/key-slots.js';

export function namedTimers(): { slots: KeySlots; timers: KeyTimers; names: string[]; key: (name: string) => number } {
  const slots = new KeySlots();
  const timers = new KeyTimers(slots);
  const names: string[] = [];
  const key = (name: string): number => {
    const slot = slots.allocate();
    timers.attach(slot);
    names[slot] = name;
    return slot;
  };
  return { slots, timers, names, key };
}
