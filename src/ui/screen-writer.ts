/**
 * Draws the live view's frames on the terminal's alternate screen and rewrites only the lines
 * that changed. ink renders each frame to a string (its debug mode hands us the whole frame);
 * this writer, not ink's log-update, decides what reaches the terminal.
 *
 * Why not ink's own writers: the standard one erases and rewrites every line of every frame, and
 * once a frame is as tall as the screen it clears the whole terminal each time. Its
 * `incrementalRendering` mode diffs lines but finds them by moving the cursor up from the bottom
 * of the last frame, so every scroll, resize reflow or off-by-one in that count leaves stale
 * lines behind (ink issues #1023 and #894; session 1 saw them too). On the alternate screen each
 * line has an absolute address (row i is `ESC[i;1H`), nothing scrolls, and a resize is answered
 * by one clear and one full paint at the new size.
 */

import { EventEmitter } from 'node:events';
import type { FrameOverlay } from './frame-overlay.js';

const ESC = '\u001B[';
const ALTERNATE_SCREEN_ON = `${ESC}?1049h`;
const ALTERNATE_SCREEN_OFF = `${ESC}?1049l`;
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const CLEAR_SCREEN = `${ESC}2J${ESC}H`;
/** Erase the rest of the line, the rest of the screen. */
const ERASE_LINE = `${ESC}K`;
const ERASE_DOWN = `${ESC}J`;
/** Synchronized output (DEC mode 2026): the terminal shows the frame at once; others ignore it. */
const BEGIN_SYNC = `${ESC}?2026h`;
const END_SYNC = `${ESC}?2026l`;

/** The part of a terminal stream the writer uses. */
export interface TerminalOutput {
  write(data: string): boolean;
  readonly columns?: number;
  readonly rows?: number;
}

export class ScreenWriter {
  /** What the screen shows, one string per row; empty after a clear. */
  private shown: string[] = [];
  private lastFrame = '';
  private open = false;
  /** While set, frames are kept, not drawn (the moment between a resize and the re-layout). */
  private holding = false;
  private held: string | null = null;
  /** Bytes written so far (tests and the benchmark read it). */
  bytesWritten = 0;

  constructor(private readonly out: TerminalOutput) {}

  /** Switches to the alternate screen, hides the cursor and clears. */
  start(): void {
    this.open = true;
    this.shown = [];
    this.emit(ALTERNATE_SCREEN_ON + HIDE_CURSOR + CLEAR_SCREEN);
  }

  /**
   * Shows `frame`: writes each row that differs from what the screen shows (erased, then its new
   * text) and erases rows the new frame no longer has. A frame equal to the last writes nothing.
   * Rows below the screen's height are not drawn: on the alternate screen they would scroll.
   */
  draw(frame: string): void {
    this.lastFrame = frame;
    if (!this.open) return;
    if (this.holding) {
      this.held = frame;
      return;
    }
    const rows = frame.split('\n');
    const height = this.out.rows || rows.length;
    if (rows.length > height) rows.length = height;
    let patch = '';
    for (let i = 0; i < rows.length; i++) {
      // Erase first, then write: erasing after a full-width row would wipe its last column.
      if (rows[i] !== this.shown[i]) patch += `${ESC}${i + 1};1H${ERASE_LINE}${rows[i]}`;
    }
    if (rows.length < this.shown.length) patch += `${ESC}${rows.length + 1};1H${ERASE_DOWN}`;
    this.shown = rows;
    if (patch !== '') this.emit(BEGIN_SYNC + patch + END_SYNC);
  }

  /**
   * Around a terminal resize: clears the screen (the terminal may have reflowed the old rows
   * anywhere) and holds frames until `resized` runs, so that only the frame laid out at the new
   * size is painted, once.
   */
  resizing(): void {
    if (!this.open) return;
    this.emit(CLEAR_SCREEN);
    this.shown = [];
    this.holding = true;
    this.held = null;
  }

  /** Between a resize and the frame laid out at the new size. */
  get awaitingResize(): boolean {
    return this.holding;
  }

  resized(): void {
    if (!this.holding) return;
    this.holding = false;
    this.draw(this.held ?? this.lastFrame);
  }

  /** Leaves the alternate screen and prints the last frame on the normal screen, where it stays. */
  finish(): void {
    if (!this.open) return;
    this.open = false;
    this.holding = false;
    this.emit(SHOW_CURSOR + ALTERNATE_SCREEN_OFF + (this.lastFrame === '' ? '' : this.lastFrame + '\n'));
  }

  /** The same as `finish`, for a process that is exiting: synchronous, no final frame. */
  static restoreSequence(): string {
    return SHOW_CURSOR + ALTERNATE_SCREEN_OFF;
  }

  private emit(data: string): void {
    this.bytesWritten += Buffer.byteLength(data);
    this.out.write(data);
  }
}

/** A terminal: the output the writer draws on, with its size and resize events. */
export interface Terminal extends TerminalOutput {
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

/**
 * The stdout ink renders to: it looks like the terminal (same size, same resize events) and hands
 * every frame ink writes to the screen writer. A terminal resize clears the screen, lets ink and
 * the app lay out again at the new size, and paints that one frame.
 */
export class FrameStream extends EventEmitter {
  readonly isTTY = true;
  /**
   * False once the view closes its last frame: ink's unmount reads it and, for a stream it cannot
   * write to, skips the frame it would render again on the way out (a full layout and render of
   * a frame already on the screen: 10-20% of the view's fixed cost) and its CI newline; and
   * `redraw` composes nothing more.
   */
  writable = true;
  /** The last frame ink wrote, markers and all. */
  private inkFrame = '';
  /** Frames ink rendered and wrote; the others were composed again from the last of them. */
  inkFrames = 0;

  constructor(
    private readonly terminal: Terminal,
    private readonly writer: ScreenWriter,
    /** Called after each frame ink hands over (React renders in a microtask after a dispatch). */
    private readonly onFrame: (frame: string) => void = () => undefined,
    /** The view's changing lines, put where ink drew their markers (frame-overlay.ts). */
    private readonly overlay: FrameOverlay | null = null,
  ) {
    super();
    terminal.on('resize', this.onResize);
  }

  get columns(): number {
    return this.terminal.columns || 80;
  }

  get rows(): number {
    return this.terminal.rows || 24;
  }

  write = (data: string | Uint8Array, callback?: () => void): boolean => {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    // Not frames: '' (ink's barrier when it unmounts), the cursor show/hide ink's App writes
    // when it unmounts (the writer owns the cursor), and the '\n' ink writes on unmount when it
    // believes it runs in CI (CI=true: its last output, empty in debug mode), which would blank
    // the screen. Every real frame has text.
    if (text.trim() !== '' && text !== SHOW_CURSOR && text !== HIDE_CURSOR) {
      this.inkFrame = text;
      this.inkFrames++;
      this.show(text);
    }
    callback?.();
    return true;
  };

  /**
   * Whether `redraw` can compose a frame: the frames are not closed (ink may have unmounted), ink
   * has drawn one, and no resize waits for its new layout.
   */
  get canRedraw(): boolean {
    return this.writable && this.overlay !== null && this.inkFrame !== '' && !this.writer.awaitingResize;
  }

  /** The last frame ink drew, its markers filled with the overlay's lines as they are now; nothing once the frames are closed. */
  redraw(): void {
    if (this.writable) this.show(this.inkFrame);
  }

  private show(text: string): void {
    const frame = this.overlay === null ? text : this.overlay.compose(text);
    this.writer.draw(frame);
    this.onFrame(frame);
  }

  /** The frames are done: ink may unmount without drawing again, and no frame is composed after. */
  close(): void {
    this.writable = false;
  }

  detach(): void {
    this.terminal.off('resize', this.onResize);
  }

  /**
   * On 'resize' ink lays the old tree out again at once, and the app re-renders at the new size
   * in a microtask (React 19 legacy mode): the frame to paint is the last one before the next
   * macrotask.
   */
  private readonly onResize = (): void => {
    this.writer.resizing();
    this.emit('resize');
    setImmediate(() => this.writer.resized());
  };
}
