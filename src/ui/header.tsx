import { Box, Text } from 'ink';
import type { LiveState } from './live-state.js';
import { formatCount, formatElapsed, formatEventTime, formatSpan, progressBar, sparkline } from './display-format.js';
import chalk from 'chalk';
import { theme, type ThemeColor } from './theme.js';
import { formatSpeed } from '../replay/summary.js';

interface HeaderField {
  readonly label: string;
  readonly value: string;
  readonly color?: ThemeColor;
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

/** A row of fields as lines of at most `room` columns, FIELD_GAP between fields, coloured. */
function wrapFields(fields: readonly HeaderField[], room: number): string[] {
  const lines: string[] = [];
  let line = '';
  let used = -1;
  for (const field of fields) {
    const width = [...fieldText(field)].length;
    const text = field.label === '' ? chalk[field.color ?? theme.value](field.value) : `${chalk[theme.label](field.label)} ${chalk[field.color ?? theme.value](field.value)}`;
    if (used < 0) {
      line = text;
      used = width;
    } else if (used + FIELD_GAP + width <= room) {
      line += ' '.repeat(FIELD_GAP) + text;
      used += FIELD_GAP + width;
    } else {
      lines.push(line);
      line = text;
      used = width;
    }
  }
  lines.push(line);
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
  // Each row of fields as one text node, wrapped here as wrappedLines (and Yoga) would wrap it:
  // a dozen nodes less for React and Yoga every frame.
  const row = (fields: HeaderField[]) => <Text>{wrapFields(fields, width - 2).join('\n')}</Text>;
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
        <Text>{`${chalk[theme.good](progressBar(fraction, barWidth))} ${(fraction * 100).toFixed(1)}%${eta !== null ? chalk[theme.label](`  ETA ${formatSpan(eta)}`) : ''}`}</Text>
      ) : null}
    </Box>
  );
}
