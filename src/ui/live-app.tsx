import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import { useCallback, useSyncExternalStore } from 'react';
import { Header, headerHeight } from './header.js';
import { StepTabs, tabsHeight } from './step-tabs.js';
import { WindowPanel } from './window-panel.js';
import { FeedPanel } from './feed-panel.js';
import { QualityPanel } from './quality-panel.js';
import type { LiveStore } from './live-store.js';
import { theme } from './theme.js';

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

const SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export function nextSpeed(current: number, direction: 1 | -1): number {
  if (current === Infinity) return direction > 0 ? Infinity : SPEEDS[SPEEDS.length - 1]!;
  if (direction > 0) return SPEEDS.find((s) => s > current) ?? Infinity;
  return [...SPEEDS].reverse().find((s) => s < current) ?? SPEEDS[0]!;
}

/**
 * The terminal's size, re-read on 'resize'. Through useSyncExternalStore, like the live state:
 * React renders its updates in a microtask, so the frame at the new size is ready before the
 * screen writer paints after a resize (a useState update could come a macrotask later).
 */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const size = useSyncExternalStore(
    useCallback(
      (onChange: () => void) => {
        stdout.on('resize', onChange);
        return () => {
          stdout.off('resize', onChange);
        };
      },
      [stdout],
    ),
    () => `${stdout.columns || 100}x${stdout.rows || 30}`,
  );
  const [columns, rows] = size.split('x').map(Number);
  return { columns: columns!, rows: rows! };
}

/** The flags of ink's Key that the view reads. */
type KeyFlags = Partial<Pick<Key, 'return' | 'escape' | 'backspace' | 'delete' | 'ctrl' | 'meta' | 'rightArrow' | 'tab'>>;

/** Keys that are characters, as ink reports them when they come alone. */
const KEYS_BY_CHARACTER: Readonly<Record<string, KeyFlags>> = { '\r': { return: true }, '\n': { return: true }, '\t': { tab: true }, '\u007F': { backspace: true }, '\b': { backspace: true } };

const HELP = 'space pause · → step · +/− speed · tab/1-9 panel · / filter · s sort · q quit';
/** The keys on terminals narrower than HELP (78 columns): always one line, `q` always on it. */
const HELP_SHORT = 'space pause · → step · +/− · tab/1-9 · / filter · s sort · q';
const HELP_TINY = 'space · → · +/− · tab/1-9 · / · s · q quit';

export function LiveApp({ store, controls }: { store: LiveStore; controls: ReplayControls }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();

  useInput((input, key) => {
    // The pacer's speed and pause reach the state only with the next frame: read them from the
    // pacer, and track them within one chunk of keys, so that `−−` goes down two steps.
    const replay = controls.current?.() ?? { speed: state.stats.speed, paused: state.stats.paused };
    // Keys typed faster than they are read (or sent together, as tmux send-keys does) arrive as
    // one chunk: one key per character, or `ca⏎` would put a carriage return into the filter.
    if (input.length > 1 && !key.ctrl && !key.meta) {
      for (const ch of input) press(ch, KEYS_BY_CHARACTER[ch] ?? {}, replay);
    } else press(input, key, replay);
  });

  /** One key: the filter prompt takes text while it is open; otherwise the commands of HELP. */
  function press(input: string, key: KeyFlags, replay: { speed: number; paused: boolean }): void {
    const now = store.getState();
    if (now.editingFilter) {
      if (key.return) store.dispatch({ type: 'endFilter', keep: true });
      else if (key.escape) store.dispatch({ type: 'endFilter', keep: false });
      else if (key.backspace || key.delete) store.dispatch({ type: 'filterText', text: now.filter.slice(0, -1) });
      else if (input && !key.ctrl && !key.meta && !/[\u0000-\u001F\u007F]/.test(input)) store.dispatch({ type: 'filterText', text: now.filter + input });
      return;
    }
    if (input === 'q' || (key.ctrl && input === 'c')) {
      controls.quit();
      exit();
    } else if (input === ' ') {
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
  }

  const step = state.steps[state.selected];
  const width = Math.max(40, columns - 2);
  // The frame must never exceed the screen: the header and tabs as they wrap at this width, the
  // panel's border, title, column heads and footer (5), the help line (1).
  const panelHeight = Math.max(3, rows - headerHeight(state, columns) - tabsHeight(state, columns) - 6);
  const help = [HELP, HELP_SHORT].find((text) => text.length <= columns) ?? HELP_TINY;
  return (
    <Box flexDirection="column" width={columns}>
      <Header state={state} width={width} />
      <StepTabs state={state} />
      <Box flexDirection="column" borderStyle="single" borderColor={theme.muted} paddingX={1}>
        {state.quality && state.selected === state.steps.length ? (
          <>
            <Text bold>
              quality <Text color={theme.label}>(data-quality rules)</Text>
            </Text>
            <QualityPanel quality={state.quality} width={width - 4} height={panelHeight} />
          </>
        ) : step ? (
          <>
            <Text bold>
              {step.info.name} <Text color={theme.label}>({step.info.kind})</Text>
            </Text>
            {step.info.kind === 'window' ? (
              <WindowPanel step={step} state={state} width={width - 4} height={panelHeight} />
            ) : (
              // No column heads: the feed gets their row.
              <FeedPanel step={step} state={state} width={width - 4} height={panelHeight + 1} />
            )}
          </>
        ) : (
          <Text color={theme.muted}>no steps</Text>
        )}
      </Box>
      <Text color={theme.muted} wrap="truncate-end">
        {state.editingFilter ? `filter by key: ${state.filter}▏ (enter keep · esc clear)` : help}
      </Text>
    </Box>
  );
}
