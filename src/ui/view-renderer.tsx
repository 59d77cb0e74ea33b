/**
 * Draws the live state on a terminal: ink renders a frame to a string (debug mode: synchronously,
 * no writer of its own) only when the layout changes; the frames between are composed from its
 * last output with the changing lines (frame-overlay.ts). The screen writer puts only the changed
 * lines on the terminal. The view's worker (view-worker.ts) runs one, fed with the runner's
 * snapshots (view-snapshot.ts); tests run one in their own thread.
 */
import { render } from 'ink';
import type { LiveState } from './live-state.js';
import { LiveStore } from './live-store.js';
import { frameView, LiveApp, showView } from './live-app.js';
import { FrameStream, ScreenWriter, type Terminal } from './screen-writer.js';
import { FrameOverlay, FrameOverlayContext } from './frame-overlay.js';

/**
 * Draws the store's state. When the layout is the one ink drew last and only the overlay's lines
 * changed (the clocks, counts, progress, tabs, the table's rows and footer: every frame of a
 * --speed max run but a few), the frame is composed from ink's last output, synchronously: no
 * React render, no Yoga layout, no ink output stage. Otherwise React renders (in a microtask) and
 * ink draws a new frame.
 */
export function drawFrame(store: LiveStore, overlay: FrameOverlay, stream: FrameStream): void {
  if (overlay.key !== null && stream.canRedraw) {
    const view = frameView(store.getState(), stream.columns, stream.rows);
    if (view.key === overlay.key) {
      showView(overlay, view, stream.columns);
      stream.redraw();
      return;
    }
  }
  store.notify();
}

/**
 * How long a frame may take to reach the terminal before `show` gives up waiting: React schedules
 * the render, so on a busy machine it can come later than the next turn of the event loop.
 */
const FRAME_WAIT_MS = 1_000;

export class ViewRenderer {
  private readonly store: LiveStore;
  private readonly overlay = new FrameOverlay();
  private readonly writer: ScreenWriter;
  private readonly stream: FrameStream;
  private readonly unmount: () => void;
  private readonly exited: Promise<unknown>;
  /** Resolved by the next frame that reaches the terminal. */
  private nextFrame: (() => void) | null = null;
  private closed = false;

  /** Opens the view on `terminal` (the alternate screen) and draws `state`'s frame. */
  constructor(terminal: Terminal, state: LiveState, onFrame?: (frame: string) => void) {
    this.store = new LiveStore(state);
    this.writer = new ScreenWriter(terminal);
    this.stream = new FrameStream(
      terminal,
      this.writer,
      (frame) => {
        onFrame?.(frame);
        const resolve = this.nextFrame;
        this.nextFrame = null;
        resolve?.();
      },
      this.overlay,
    );
    this.writer.start();
    const app = render(
      <FrameOverlayContext.Provider value={this.overlay}>
        <LiveApp store={this.store} />
      </FrameOverlayContext.Provider>,
      // Debug mode: ink renders each commit synchronously and writes the whole frame to the
      // frame stream, without its own throttle or erase-and-rewrite; the writer diffs the lines.
      { stdout: this.stream as unknown as NodeJS.WriteStream, debug: true, exitOnCtrlC: false, patchConsole: false },
    );
    this.unmount = () => app.unmount();
    // Ask for the exit promise now: ink only resolves one that exists when the app unmounts. Once
    // it has, no frame may be composed past it.
    this.exited = app.waitUntilExit().finally(() => this.stream.close());
  }

  /** Frames ink rendered; the others were composed from its last output. */
  get inkFrames(): number {
    return this.stream.inkFrames;
  }

  get bytesWritten(): number {
    return this.writer.bytesWritten;
  }

  /** Draws `state`; resolves once its frame has reached the terminal (a second at most). */
  show(state: LiveState): Promise<void> {
    if (this.closed) return Promise.resolve();
    let waited: NodeJS.Timeout | undefined;
    const drawn = new Promise<void>((resolve) => {
      this.nextFrame = resolve;
      waited = setTimeout(resolve, FRAME_WAIT_MS);
    }).finally(() => clearTimeout(waited));
    this.store.set(state);
    drawFrame(this.store, this.overlay, this.stream);
    return drawn;
  }

  /**
   * The last frame: draws `state` (null: the frame on the screen is the last), then closes the
   * view. ink unmounts without rendering it again (the frame stream reports itself closed), and
   * the last frame stays on the normal screen.
   */
  async close(state: LiveState | null): Promise<void> {
    if (this.closed) return;
    if (state !== null) await this.show(state);
    this.closed = true;
    this.stream.close();
    this.unmount();
    await this.exited;
    this.stream.detach();
    this.writer.finish();
  }
}
