import { Box, Text } from 'ink';
import chalk from 'chalk';
import { HIGHLIGHT_MS, keyCount, visibleRows, whyNothingYet, type LiveState, type StepView, type WindowRow } from './live-state.js';
import { fit, formatClock, formatCount, formatValue, textColumns } from './display-format.js';
import { theme } from './theme.js';
import { marks } from './frame-overlay.js';

/** `text` cut to `width` columns with '…' when it is wider (as ink cuts a line with wrap="truncate-end"). */
const cut = (text: string, width: number) => (textColumns(text) > width ? fit(text, width) : text);

/**
 * One row of the table, coloured: highlighted with a `●` marker when it changed within
 * HIGHLIGHT_MS (the marker shows without colour too, NO_COLOR), `late` on a late firing; cut to
 * the panel's width (on a narrow terminal the cells do not fit).
 */
function rowLine(row: WindowRow, wallMs: number, width: number, keyWidth: number, windowWidth: number, shown: readonly string[], cell: number): string {
  const recent = wallMs - row.changedAt < HIGHLIGHT_MS;
  const line = `${recent ? '● ' : '  '}${fit(row.key, keyWidth)}  ${fit(`${formatClock(row.start)}–${formatClock(row.end)}`, windowWidth)}  ${shown.map((f) => fit(formatValue(row.fields[f], cell - 1), cell)).join(' ')}`.trimEnd();
  const colour = chalk[recent ? theme.changed : theme.value];
  const late = row.firing === 'late' ? ' late' : '';
  // A late row is cut before its mark, so that the mark stays (in its colour) at the end.
  if (late === '' || width <= late.length) return colour(cut(line + late, width));
  return colour(cut(line, width - late.length)) + chalk[theme.warn](late);
}

/** What a window panel shows: why nothing yet, or the column heads, the rows and the footer (coloured). */
export type WindowLines = { readonly why: string } | { readonly why: null; readonly head: string; readonly body: readonly string[]; readonly footer: string };

/** The latest result per key, sorted by the chosen field, top N as `height` allows; recent changes highlighted. */
export function windowLines(step: StepView, state: LiveState, width: number, height: number): WindowLines {
  const why = whyNothingYet(step, state.stats);
  if (why) return { why };
  const rows = visibleRows(step, state.filter, state.sortField, Math.max(1, height));
  const fields = step.info.fields;
  const keyWidth = Math.min(24, Math.max(6, ...rows.map((r) => r.key.length)));
  const windowWidth = 19;
  const room = width - keyWidth - windowWidth - 10;
  const cell = Math.max(8, Math.floor(room / Math.max(1, fields.length)));
  const shown = fields.slice(0, Math.max(1, Math.floor(room / cell)));
  const sortName = state.sortField >= 0 ? fields[state.sortField] : 'key';
  const footer =
    `${keyCount(step)} keys · ${step.counters.late} late · sorted by ${sortName}` +
    (step.passedOver > 0 ? ` · ${formatCount(step.passedOver)} results passed over` : '') +
    (state.filter ? ` · filter "${state.filter}"` : '');
  return {
    why: null,
    head: cut(`  ${fit(sortName === 'key' ? 'key▲' : 'key', keyWidth)}  ${fit('window', windowWidth)}  ${shown.map((f) => fit(f === sortName ? `${f}▼` : f, cell)).join(' ')}`, width),
    body: rows.map((row) => rowLine(row, state.stats.wallMs, width, keyWidth, windowWidth, shown, cell)),
    footer: chalk[theme.muted](cut(footer, width)),
  };
}

/**
 * The table of a window step. The body is one text node of pre-coloured lines (React and Yoga
 * handle one node instead of one per row). With an overlay (the runner) the body and the footer
 * are markers the frame stream fills in (frame-overlay.ts).
 */
export function WindowPanel({ lines, overlay }: { lines: WindowLines; overlay: boolean }) {
  if (lines.why !== null) return <Text color={theme.muted}>{lines.why}</Text>;
  return (
    <Box flexDirection="column">
      <Text color={theme.label}>{lines.head}</Text>
      {lines.body.length > 0 ? <Text>{overlay ? marks('body', lines.body.length) : lines.body.join('\n')}</Text> : null}
      <Text>{overlay ? marks('footer', 1) : lines.footer}</Text>
    </Box>
  );
}
