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
    if (this.apply(action)) this.notify();
  };

  /**
   * The action's state without telling the subscribers (React): the runner draws a frame that
   * changes only the overlay's lines without a render. Whether the state changed.
   */
  apply(action: LiveAction): boolean {
    const next = liveReducer(this.state, action);
    if (next === this.state) return false;
    this.state = next;
    return true;
  }

  /** A state made elsewhere (the runner's snapshot, in the view's worker), without telling the subscribers. */
  set(state: LiveState): void {
    this.state = state;
  }

  /** Tells the subscribers the state changed: React renders it. */
  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
