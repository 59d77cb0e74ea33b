import { liveReducer, type LiveAction, type LiveState } from './live-state.js';

/** Holds the live state outside React; components subscribe with useSyncExternalStore. */
export class LiveStore {
  private listeners = new Set<() => void>();

  constructor(private state: LiveState) {}

  getState = (): LiveState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  dispatch = (action: LiveAction): void => {
    const next = liveReducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  };
}
