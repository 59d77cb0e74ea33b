import { Box, Text } from 'ink';
import { HIGHLIGHT_MS, visibleRows, whyNothingYet, type LiveState, type StepView } from './live-state.js';
import { fit, formatClock, formatCount, formatValue } from './display-format.js';
import { theme } from './theme.js';

/** The latest result per key, sorted by the chosen field, top N; recent changes highlighted. */
export function WindowPanel({ step, state, width, height }: { step: StepView; state: LiveState; width: number; height: number }) {
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
  return (
    <Box flexDirection="column">
      <Text color={theme.label}>{`  ${fit(sortName === 'key' ? 'key▲' : 'key', keyWidth)}  ${fit('window', windowWidth)}  ${shown.map((f) => fit(f === sortName ? `${f}▼` : f, cell)).join(' ')}`}</Text>
      {rows.map((row) => {
        const recent = state.stats.wallMs - row.changedAt < HIGHLIGHT_MS;
        // One string per row, not a text node per cell: a frame reconciles and lays out ~40
        // nodes instead of ~250. The marker shows a change without colour too (NO_COLOR).
        const line = `${recent ? '● ' : '  '}${fit(row.key, keyWidth)}  ${fit(`${formatClock(row.start)}–${formatClock(row.end)}`, windowWidth)}  ${shown.map((f) => fit(formatValue(row.fields[f], cell - 1), cell)).join(' ')}`;
        return (
          <Text key={row.key} color={recent ? theme.changed : theme.value}>
            {line}
            {row.firing === 'late' ? <Text color={theme.warn}> late</Text> : null}
          </Text>
        );
      })}
      <Text color={theme.muted} wrap="truncate-end">
        {step.rows.size} keys · {step.counters.late} late · sorted by {sortName}
        {step.passedOver > 0 ? ` · ${formatCount(step.passedOver)} results passed over` : ''}
        {state.filter ? ` · filter "${state.filter}"` : ''}
      </Text>
    </Box>
  );
}
