import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useCallback, useContext, useSyncExternalStore } from 'react';
import { Header, headerHeight, headerLines, type HeaderLines } from './header.js';
import { StepTabs, tabLines } from './step-tabs.js';
import { WindowPanel, windowLines, type WindowLines } from './window-panel.js';
import { FrameOverlayContext, type FrameOverlay } from './frame-overlay.js';
import type { LiveState } from './live-state.js';
import { FeedPanel } from './feed-panel.js';
import { QualityPanel } from './quality-panel.js';
import type { LiveStore } from './live-store.js';
import { theme } from './theme.js';
import { KEYS_BY_CHARACTER, pressKeys, type ReplayControls } from './key-commands.js';

export { nextSpeed, type ReplayControls } from './key-commands.js';

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

const HELP = 'space pause · → step · +/− speed · tab/1-9 panel · / filter · s sort · q quit';
/** The keys on terminals narrower than HELP (78 columns): always one line, `q` always on it. */
const HELP_SHORT = 'space pause · → step · +/− · tab/1-9 · / filter · s sort · q';
const HELP_TINY = 'space · → · +/− · tab/1-9 · / · s · q quit';
const HELP_LEAST = 'space · → · +/− · tab/1-9 · / · s · q';
/** Under 37 columns (HELP_LEAST's width). */
const HELP_BARE = 'space → +/− tab/1-9 / s q';

/**
 * What a frame shows at a terminal size: the lines that change from frame to frame (the header's
 * fields and progress, the tabs, a window panel's body and footer) and the layout around them.
 * `key` names everything ink draws itself (the sizes, the title and status, how many lines each
 * part takes, the selected panel, the column heads, the help line): two views with the same key
 * differ only in those lines, so the runner composes the next frame from ink's last output
 * without a render (frame-overlay.ts). Null for the feed and quality panels: they always render.
 */
export interface FrameView {
  readonly key: string | null;
  readonly header: HeaderLines;
  readonly tabs: readonly string[];
  /** The selected window step's lines; null for the other panels. */
  readonly window: WindowLines | null;
  /** The columns inside the panel's border and padding: what a line of its content may take. */
  readonly panelWidth: number;
  /** The rows its content may take. */
  readonly panelHeight: number;
  readonly help: string;
}

/** The last view made: its state (by identity) and size. */
let lastView: { readonly state: LiveState; readonly columns: number; readonly rows: number; readonly view: FrameView } | null = null;

/**
 * The view of `state` at a size. The runner makes it to compare layout keys (drawFrame); when the
 * key differs React renders the same state at the same size and takes the same view: the rows are
 * selected and formatted once a frame.
 */
export function frameView(state: LiveState, columns: number, rows: number): FrameView {
  if (lastView !== null && lastView.state === state && lastView.columns === columns && lastView.rows === rows) return lastView.view;
  const view = makeView(state, columns, rows);
  lastView = { state, columns, rows, view };
  return view;
}

function makeView(state: LiveState, columns: number, rows: number): FrameView {
  const header = headerLines(state, columns);
  const tabs = tabLines(state, columns);
  // Inside the panel's border and one column of padding each side. No floor: on a terminal
  // narrower than the table a wider layout would wrap its column heads to a row not counted below.
  const panelWidth = Math.max(1, columns - 4);
  // The frame must never exceed the screen: the header and tabs as they wrap at this width, the
  // panel's border, title, column heads and footer (5), the help line (1).
  const panelHeight = Math.max(3, rows - headerHeight(header) - tabs.length - 6);
  const help = state.editingFilter
    ? `filter by key: ${state.filter}▏ (enter keep · esc clear)`
    : ([HELP, HELP_SHORT, HELP_TINY, HELP_LEAST].find((text) => text.length <= columns) ?? HELP_BARE);
  const step = state.quality && state.selected === state.steps.length ? undefined : state.steps[state.selected];
  const window = step?.info.kind === 'window' ? windowLines(step, state, panelWidth, panelHeight) : null;
  const key =
    window === null
      ? null
      : JSON.stringify([
          columns,
          rows,
          state.recording,
          state.pipeline,
          header.status,
          header.statusColor,
          header.fields.length,
          header.progress !== null,
          tabs.length,
          state.selected,
          help,
          window.why ?? [window.head, window.body.length],
        ]);
  return { key, header, tabs, window, panelWidth, panelHeight, help };
}

/** Hands a view's changing lines to the overlay, for the frame ink draws or the one composed from it. */
export function showView(overlay: FrameOverlay, view: FrameView, columns: number): void {
  overlay.key = view.key;
  overlay.set('fields', view.header.fields);
  overlay.set('progress', view.header.progress === null ? [] : [view.header.progress]);
  overlay.set('tabs', view.tabs, columns);
  if (view.window !== null && view.window.why === null) {
    overlay.set('body', view.window.body);
    overlay.set('footer', [view.window.footer]);
  }
}

export function LiveApp({ store, controls }: { store: LiveStore; controls?: ReplayControls }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const overlay = useContext(FrameOverlayContext);

  useInput(
    (input, key) => {
      if (controls === undefined) return;
      // Keys typed faster than they are read (or sent together, as tmux send-keys does) arrive as
      // one chunk: one key per character, or `ca⏎` would put a carriage return into the filter.
      const keys = input.length > 1 && !key.ctrl && !key.meta ? [...input].map((ch) => ({ input: ch, key: KEYS_BY_CHARACTER[ch] ?? {} })) : [{ input, key }];
      if (pressKeys(store, controls, keys)) exit();
    },
    // Without controls (the view's worker: the runner reads the keys) the app reads no keys.
    { isActive: controls !== undefined },
  );

  const view = frameView(state, columns, rows);
  // Handed over while rendering: ink draws the frame as React commits it, before any effect runs.
  if (overlay) showView(overlay, view, columns);
  const step = state.steps[state.selected];
  const marked = overlay !== null;
  return (
    <Box flexDirection="column" width={columns}>
      <Header state={state} lines={view.header} overlay={marked} />
      <StepTabs lines={view.tabs} overlay={marked} />
      <Box flexDirection="column" borderStyle="single" borderColor={theme.muted} paddingX={1}>
        {state.quality && state.selected === state.steps.length ? (
          <>
            <Text bold>
              quality <Text color={theme.label}>(data-quality rules)</Text>
            </Text>
            <QualityPanel quality={state.quality} width={view.panelWidth} height={view.panelHeight} />
          </>
        ) : step ? (
          <>
            <Text bold>
              {step.info.name} <Text color={theme.label}>({step.info.kind})</Text>
            </Text>
            {view.window !== null ? (
              <WindowPanel lines={view.window} overlay={marked} />
            ) : (
              // No column heads: the feed gets their row.
              <FeedPanel step={step} state={state} width={view.panelWidth} height={view.panelHeight + 1} />
            )}
          </>
        ) : (
          <Text color={theme.muted}>no steps</Text>
        )}
      </Box>
      <Text color={theme.muted} wrap="truncate-end">
        {view.help}
      </Text>
    </Box>
  );
}
