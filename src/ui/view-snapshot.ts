/**
 * What the runner hands the view's worker each frame (view-worker.ts): the live state with each
 * step cut to what its panel can show. The runner keeps the whole table (up to ~50K keys) and the
 * feed; a frame needs only the selected panel's top rows by the chosen sort and filter (at most
 * one per terminal row) and its last feed items, and the other steps' counts for the tabs. The
 * snapshot is posted as a structured clone: at 120×40 a few dozen small objects. Under the runner
 * the window steps' tables are the worker's (window-table.ts): the runner's snapshot has no rows,
 * and the worker swaps its own in (withTables).
 */
import { FEED_LIMIT, feedCount, lastFeedItems, visibleRows, type FeedItem, type LiveState, type StepView, type WindowRow } from './live-state.js';
import type { WindowTable } from './window-table.js';

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
 * A panel never shows more rows than the terminal has.
 */
export function viewSnapshot(state: LiveState, rows: number): LiveState {
  const limit = Math.max(1, rows);
  const steps = state.steps.map((step, i): StepView => {
    const kept = { keys: step.rows.size, feed: feedCount(step) };
    if (i !== state.selected) return { ...step, rows: new Map(), feed: [], kept };
    const top: WindowRow[] = step.info.kind === 'window' && step.rows.size > 0 ? visibleRows(step, state.filter, state.sortField, limit) : [];
    const feed = lastFeedItems(step.feed, state.filter, Math.min(limit, FEED_LIMIT)).map(trimEvents);
    return { ...step, rows: new Map(top.map((row) => [row.key, row])), feed, kept };
  });
  return { ...state, steps };
}

/**
 * A runner's snapshot (its window steps without rows) with the view worker's tables swapped in:
 * each window step's key count, and the selected one's top `rows` rows by its sort and filter.
 * The rest of the snapshot is drawn as it came.
 */
export function withTables(state: LiveState, rows: number, tables: readonly (WindowTable | null)[]): LiveState {
  const steps = state.steps.map((step, i): StepView => {
    const table = tables[i];
    if (table === null || table === undefined) return step;
    const kept = { keys: table.size, feed: feedCount(step) };
    if (i !== state.selected) return { ...step, kept };
    const top = table.top(state.filter, state.sortField, Math.max(1, rows));
    return { ...step, rows: new Map(top.map((row) => [row.key, row])), kept };
  });
  return { ...state, steps };
}
