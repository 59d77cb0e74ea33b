/**
 * What the runner hands the view's worker each frame (view-worker.ts): the live state with each
 * step cut to what its panel can show. The runner keeps the whole table (up to ~50K keys) and the
 * feed; a frame needs only the selected panel's top rows by the chosen sort and filter (at most
 * one per terminal row) and its last feed items, and the other steps' counts for the tabs. The
 * snapshot is posted as a structured clone: at 120×40 a few dozen small objects.
 */
import { FEED_LIMIT, feedCount, lastFeedItems, visibleRows, type FeedItem, type LiveState, type StepView, type WindowRow } from './live-state.js';

/** A feed item's events kept per stage: the feed shows four and `…` when there are more. */
const EVENTS_SHOWN = 5;

function trimEvents(item: FeedItem): FeedItem {
  const events = Object.entries(item.events);
  if (events.every(([, list]) => list.length <= EVENTS_SHOWN)) return item;
  return { ...item, events: Object.fromEntries(events.map(([stage, list]) => [stage, list.slice(0, EVENTS_SHOWN)])) };
}

/**
 * `state` for a terminal of `rows` rows: the selected step's rows (the top `rows` by its sort,
 * filtered) and last `rows` feed items (filtered), none of the other steps'; every step's counts.
 * A panel never shows more rows than the terminal has. A window step's table is `tables[i]` when
 * given (the view's worker keeps the tables: the runner's state has none), else the state's own.
 */
export function viewSnapshot(state: LiveState, rows: number, tables?: readonly (ReadonlyMap<string, WindowRow> | null)[]): LiveState {
  const limit = Math.max(1, rows);
  const steps = state.steps.map((step, i): StepView => {
    const table = tables?.[i] ?? step.rows;
    const kept = { keys: table.size, feed: feedCount(step) };
    if (i !== state.selected) return { ...step, rows: new Map(), feed: [], kept };
    const top: WindowRow[] = step.info.kind === 'window' ? visibleRows({ ...step, rows: table }, state.filter, state.sortField, limit) : [];
    const feed = lastFeedItems(step.feed, state.filter, Math.min(limit, FEED_LIMIT)).map(trimEvents);
    return { ...step, rows: new Map(top.map((row) => [row.key, row])), feed, kept };
  });
  return { ...state, steps };
}
