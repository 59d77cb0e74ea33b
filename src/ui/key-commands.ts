/**
 * The live view's keys: what each does to the view's state and to the replay. No ink here: the
 * runner reads the terminal's keys on the replay's thread (raw mode, `parseKeys`) while ink and
 * React draw in a worker (view-worker.ts); the app's own key handler (live-app.tsx, under
 * ink-testing-library) calls the same `pressKeys`.
 */
import type { LiveStore } from './live-store.js';

/** What the keys drive: the replay's pacer and its stop. */
export interface ReplayControls {
  pause(): void;
  resume(): void;
  step(): void;
  setSpeed(speed: number): void;
  quit(): void;
  /** The pacer's speed and pause now (the state has them as of the last frame); tests may omit it. */
  current?(): { speed: number; paused: boolean };
}

/** The flags of a key that the view reads (as ink's Key names them). */
export type KeyFlags = Partial<Record<'return' | 'escape' | 'backspace' | 'delete' | 'ctrl' | 'meta' | 'rightArrow' | 'tab', boolean>>;

/** One key: its text (a character, or the letter of a ctrl key) and its flags. */
export interface KeyPress {
  readonly input: string;
  readonly key: KeyFlags;
}

const SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export function nextSpeed(current: number, direction: 1 | -1): number {
  if (current === Infinity) return direction > 0 ? Infinity : SPEEDS[SPEEDS.length - 1]!;
  if (direction > 0) return SPEEDS.find((s) => s > current) ?? Infinity;
  return [...SPEEDS].reverse().find((s) => s < current) ?? SPEEDS[0]!;
}

/** Keys that are characters, as ink reports them when they come alone. */
export const KEYS_BY_CHARACTER: Readonly<Record<string, KeyFlags>> = { '\r': { return: true }, '\n': { return: true }, '\t': { tab: true }, '\u007F': { backspace: true }, '\b': { backspace: true } };

/** An escape sequence: CSI (ESC [ params final) or SS3 (ESC O final). */
const SEQUENCE = /\u001B(?:\[[\d;?]*[~A-Za-z]|O[A-Za-z])/y;

/**
 * The keys in a chunk read from a terminal in raw mode. Keys typed faster than they are read (or
 * sent together, as tmux send-keys does) arrive as one chunk: one key per character, so that `ca⏎`
 * is c, a and return. → is `ESC [ C` (or `ESC O C` in application cursor mode); delete `ESC [ 3 ~`;
 * a lone ESC is escape, ESC before a character that character with meta; other sequences (other
 * arrows, function keys) are dropped. A control character is its letter with ctrl (ctrl-c: `c`).
 */
export function parseKeys(chunk: string): KeyPress[] {
  const keys: KeyPress[] = [];
  for (let i = 0; i < chunk.length; ) {
    if (chunk.charCodeAt(i) === 27) {
      SEQUENCE.lastIndex = i;
      const sequence = SEQUENCE.exec(chunk);
      if (sequence !== null) {
        const code = sequence[0];
        if (code === '\u001B[C' || code === '\u001BOC') keys.push({ input: '', key: { rightArrow: true } });
        else if (code === '\u001B[3~') keys.push({ input: '', key: { delete: true } });
        i += code.length;
        continue;
      }
      const next = chunk.codePointAt(i + 1);
      if (next === undefined || next === 27) {
        keys.push({ input: '', key: { escape: true, meta: true } });
        i++;
        continue;
      }
      const ch = String.fromCodePoint(next);
      keys.push({ input: ch, key: { meta: true } });
      i += 1 + ch.length;
      continue;
    }
    const ch = String.fromCodePoint(chunk.codePointAt(i)!);
    i += ch.length;
    const named = KEYS_BY_CHARACTER[ch];
    if (named !== undefined) keys.push({ input: '', key: named });
    else if (ch.charCodeAt(0) < 32) keys.push({ input: String.fromCharCode(ch.charCodeAt(0) + 96), key: { ctrl: true } });
    else keys.push({ input: ch, key: {} });
  }
  return keys;
}

/** The start of an escape sequence at the end of a chunk: its rest may come in the next chunk. */
const PARTIAL_SEQUENCE = /\u001B(?:\[[\d;?]*|O)?$/;

/**
 * How long a trailing ESC waits for the rest of its sequence before it is escape. A terminal sends
 * a sequence in one write; it is split only by a read that falls in between, microseconds apart.
 */
export const ESCAPE_WAIT_MS = 50;

/**
 * The keys of successive chunks (parseKeys), where a chunk may end in the middle of an escape
 * sequence (`ESC` then `[C`): that tail is kept for the next chunk, and is read alone (`flush`)
 * when nothing follows within ESCAPE_WAIT_MS.
 */
export class KeyReader {
  private pending = '';

  read(chunk: string): KeyPress[] {
    const text = this.pending + chunk;
    const tail = PARTIAL_SEQUENCE.exec(text);
    const cut = tail === null ? text.length : tail.index;
    this.pending = text.slice(cut);
    return parseKeys(text.slice(0, cut));
  }

  /** Whether a partial sequence waits for its rest. */
  get waiting(): boolean {
    return this.pending !== '';
  }

  /** The partial sequence as it stands: a lone ESC is escape. */
  flush(): KeyPress[] {
    const text = this.pending;
    this.pending = '';
    return parseKeys(text);
  }
}

/**
 * One key: the filter prompt takes text while it is open; otherwise the commands of the keys line.
 * `replay` is the pacer's speed and pause as the keys so far left them (a chunk of keys is read
 * before the next frame: `−−` goes down two steps). Whether the key was `q` (or ctrl-c).
 */
export function pressKey(store: LiveStore, controls: ReplayControls, replay: { speed: number; paused: boolean }, input: string, key: KeyFlags): boolean {
  const now = store.getState();
  // Ctrl-C quits even while the filter prompt is open (where `q` is text).
  if (key.ctrl && input === 'c') {
    controls.quit();
    return true;
  }
  if (now.editingFilter) {
    if (key.return) store.dispatch({ type: 'endFilter', keep: true });
    else if (key.escape) store.dispatch({ type: 'endFilter', keep: false });
    else if (key.backspace || key.delete) store.dispatch({ type: 'filterText', text: now.filter.slice(0, -1) });
    else if (input && !key.ctrl && !key.meta && !/[\u0000-\u001F\u007F]/.test(input)) store.dispatch({ type: 'filterText', text: now.filter + input });
    return false;
  }
  if (input === 'q') {
    controls.quit();
    return true;
  }
  if (input === ' ') {
    if (replay.paused) controls.resume();
    else controls.pause();
    replay.paused = !replay.paused;
  } else if (key.rightArrow) {
    controls.step();
  } else if (input === '+' || input === '=' || input === '-' || input === '_' || input === '−') {
    replay.speed = nextSpeed(replay.speed, input === '+' || input === '=' ? 1 : -1);
    controls.setSpeed(replay.speed);
  } else if (key.tab) {
    store.dispatch({ type: 'nextPanel' });
  } else if (/^[1-9]$/.test(input)) {
    store.dispatch({ type: 'select', index: Number(input) - 1 });
  } else if (input === '/') {
    store.dispatch({ type: 'startFilter' });
  } else if (input === 's') {
    store.dispatch({ type: 'cycleSort' });
  }
  return false;
}

/**
 * Keys read together (one chunk, or a flushed escape), in order, with the pacer's speed and pause
 * as they stand (`current`, or as of the last frame): tracked from key to key, so that `−−` goes
 * down two steps. Stops at `q` (or ctrl-c): whether it came.
 */
export function pressKeys(store: LiveStore, controls: ReplayControls, keys: readonly KeyPress[]): boolean {
  const replay = controls.current?.() ?? { speed: store.getState().stats.speed, paused: store.getState().stats.paused };
  for (const { input, key } of keys) if (pressKey(store, controls, replay, input, key)) return true;
  return false;
}
