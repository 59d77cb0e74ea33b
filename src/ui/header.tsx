import { Box, Text } from 'ink';
import type { LiveState } from './live-state.js';
import { formatCount, formatElapsed, formatEventTime, formatSpan, progressBar, sparkline } from './display-format.js';
import { theme } from './theme.js';
import { formatSpeed } from '../replay/summary.js';

function Field({ label, value, color = theme.value }: { label: string; value: string; color?: string }) {
  return (
    <Text>
      <Text color={theme.label}>{label} </Text>
      <Text color={color}>{value}</Text>
    </Text>
  );
}

interface HeaderField {
  readonly label: string;
  readonly value: string;
  readonly color?: string;
}

/** The header's two rows of fields (they wrap on narrow terminals) and what the layout needs to know of them. */
function headerFields(state: LiveState): { clocks: HeaderField[]; counts: HeaderField[] } {
  const s = state.stats;
  const lag = s.maxEventTime - s.watermark;
  const late = state.steps.reduce((n, step) => n + step.counters.late, 0);
  return {
    clocks: [
      { label: 'event time', value: formatEventTime(s.maxEventTime) },
      { label: 'watermark', value: formatEventTime(s.watermark) },
      { label: 'lag', value: Number.isFinite(lag) ? formatSpan(lag) : '—', color: lag > 60_000 ? theme.warn : theme.value },
      { label: 'wall', value: formatElapsed(s.wallMs) },
    ],
    counts: [
      { label: 'events/s', value: formatCount(state.rate) },
      // The sparkline: a field without a label.
      { label: '', value: sparkline(state.rateHistory, SPARK_WIDTH, 2).padEnd(SPARK_WIDTH), color: theme.accent },
      { label: 'records', value: formatCount(s.records) },
      { label: 'late', value: String(late), color: late > 0 ? theme.warn : theme.value },
      { label: 'dead-letter', value: String(s.deadLetters), color: s.deadLetters > 0 ? theme.bad : theme.value },
    ],
  };
}

const SPARK_WIDTH = 30;
const FIELD_GAP = 2;
const fieldText = (field: HeaderField) => (field.label === '' ? field.value : `${field.label} ${field.value}`);

/** Lines a row of items takes when wrapped as Yoga wraps a row (greedy, `gap` columns between items). */
export function wrappedLines(widths: readonly number[], room: number, gap: number): number {
  let lines = 1;
  let used = -1;
  for (const width of widths) {
    if (used < 0) used = width;
    else if (used + gap + width <= room) used += gap + width;
    else {
      lines++;
      used = width;
    }
  }
  return lines;
}

/** Rows the header takes at `columns` terminal columns: its border, the title, the wrapped fields, the progress bar. */
export function headerHeight(state: LiveState, columns: number): number {
  // Inside the round border and one column of padding each side.
  const room = columns - 4;
  const { clocks, counts } = headerFields(state);
  const lines = (fields: HeaderField[]) => wrappedLines(fields.map((f) => [...fieldText(f)].length), room, FIELD_GAP);
  return 2 + 1 + lines(clocks) + lines(counts) + (state.stats.progress !== null ? 1 : 0);
}

/** Recording, pipeline, clocks, watermark and lag, rate with sparkline, progress and counts. */
export function Header({ state, width }: { state: LiveState; width: number }) {
  const s = state.stats;
  const fraction = s.progress;
  const eta = fraction && fraction > 0 && fraction < 1 && !s.paused ? (s.wallMs / fraction) * (1 - fraction) : null;
  const speed = s.speed === Infinity ? 'max' : `${formatSpeed(s.speed)}x`;
  // A replay that cannot keep its speed says what it achieves instead of pretending.
  const behind = !state.done && s.pacing?.behind === true && s.pacing.achieved !== null;
  const barWidth = Math.max(10, Math.min(30, width - 60));
  const { clocks, counts } = headerFields(state);
  const row = (fields: HeaderField[]) => (
    <Box columnGap={FIELD_GAP} flexWrap="wrap">
      {fields.map((f, i) =>
        f.label === '' ? (
          <Text key={i} color={f.color}>
            {f.value}
          </Text>
        ) : (
          <Field key={f.label} label={f.label} value={f.value} {...(f.color ? { color: f.color } : {})} />
        ),
      )}
    </Box>
  );
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.title} paddingX={1}>
      <Box justifyContent="space-between" columnGap={2}>
        <Text wrap="truncate-middle">
          <Text bold color={theme.title}>sw replay </Text>
          <Text>{state.recording}</Text>
          <Text color={theme.label}> · pipeline </Text>
          <Text>{state.pipeline}</Text>
        </Text>
        <Box flexShrink={0}>
          <Text color={s.paused || behind ? theme.warn : state.done ? theme.good : theme.value}>
            {state.done ? '■ done' : s.paused ? `⏸ paused ${speed}` : `▶ playing ${speed}`}
            {behind ? ` · behind: achieving ${formatSpeed(s.pacing!.achieved!)}x` : ''}
          </Text>
        </Box>
      </Box>
      {row(clocks)}
      {row(counts)}
      {fraction !== null ? (
        <Text>
          <Text color={theme.good}>{progressBar(fraction, barWidth)}</Text>
          <Text> {(fraction * 100).toFixed(1)}%</Text>
          <Text color={theme.label}>{eta !== null ? `  ETA ${formatSpan(eta)}` : ''}</Text>
        </Text>
      ) : null}
    </Box>
  );
}
