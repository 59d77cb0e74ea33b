import { Box, Text } from 'ink';
import chalk from 'chalk';
import { useContext } from 'react';
import { BODY_MARK, TableBody } from './body-overlay.js';
import { HIGHLIGHT_MS, visibleRows, whyNothingYet, type LiveState, type StepView, type WindowRow } from './live-state.js';
import { fit, formatClock, formatCount, formatValue } from './display-format.js';
import { theme } from './theme.js';

/**
 * One row of the table, coloured: highlighted with a `●` marker when it changed within
 * HIGHLIGHT_MS (the marker shows without colour too, NO_COLOR), `late` on a late firing.
 */
function rowLine(row: WindowRow, wallMs: number, keyWidth: number, windowWidth: number, shown: readonly string[], cell: number): string {
  const recent = wallMs - row.changedAt < HIGHLIGHT_MS;
  const line = `${recent ? '● ' : '  '}${fit(row.key, keyWidth)}  ${fit(`${formatClock(row.start)}–${formatClock(row.end)}`, windowWidth)}  ${shown.map((f) => fit(formatValue(row.fields[f], cell - 1), cell)).join(' ')}`.trimEnd();
  return chalk[recent ? theme.changed : theme.value](line) + (row.firing === 'late' ? chalk[theme.warn](' late') : '');
}

/** The latest result per key, sorted by the chosen field, top N; recent changes highlighted. */
export function WindowPanel({ step, state, width, height }: { step: StepView; state: LiveState; width: number; height: number }) {
  const overlay = useContext(TableBody);
  const why = whyNothingYet(step, state.stats);
  if (why) return <Text color={theme.muted}>{why}</Text>;
  const rows = visibleRows(step, state.filter, state.sortField, Math.max(1, height));
  const fields = step.info.fields;
  const keyWidth = Math.min(24, Math.max(6, ...rows.map((r) => r.key.length)));
  const windowWidth = 19;
  const room = width - keyWidth - windowWidth - 10;
  const cell = Math.max(8, Math.floor(room / Math.max(1, fields.length)));
  const shown = fields.slice(0, Math.max(1, Math.floor(room / cell)));
  const sortName = state.sortField >= 0 ? fields[state.sortField] : 'key';
  const lines = rows.map((row) => rowLine(row, state.stats.wallMs, keyWidth, windowWidth, shown, cell));
  // Handed over while rendering: ink draws the frame as React commits it, before any effect runs.
  if (overlay) overlay.lines = lines;
  return (
    <Box flexDirection="column">
      <Text color={theme.label}>{`  ${fit(sortName === 'key' ? 'key▲' : 'key', keyWidth)}  ${fit('window', windowWidth)}  ${shown.map((f) => fit(f === sortName ? `${f}▼` : f, cell)).join(' ')}`}</Text>
      {/* One text node for the whole body, its lines coloured here: React and Yoga handle one
          node instead of one per row, and trailing padding is cut. Under the runner ink draws
          one marker per row and the frame stream writes the rows there (body-overlay.ts). */}
      {lines.length > 0 ? <Text>{overlay ? lines.map(() => BODY_MARK).join('\n') : lines.join('\n')}</Text> : null}
      <Text color={theme.muted} wrap="truncate-end">
        {step.rows.size} keys · {step.counters.late} late · sorted by {sortName}
        {step.passedOver > 0 ? ` · ${formatCount(step.passedOver)} results passed over` : ''}
        {state.filter ? ` · filter "${state.filter}"` : ''}
      </Text>
    </Box>
  );
}
