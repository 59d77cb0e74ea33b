/**
 * Brute-force detectors for the patterns the built-in scenarios run (seeds-digest.md numbers),
 * written as plainly as possible: the synthesizer's truth is checked against them, both ways
 * (every injected case is found; everything found is an injected case).
 */
export interface Found {
  readonly kind: string;
  readonly key: string;
  /** Event time of the record that completes the match. */
  readonly time: number;
  /** Event time of the match's first record. */
  readonly start: number;
}

type Rec = Record<string, any> & { timestamp: number; line: number };

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Parses the output lines that are valid JSON with a timestamp, keeping their 1-based line. */
export function parseRecords(lines: readonly string[]): Rec[] {
  const out: Rec[] = [];
  lines.forEach((text, i) => {
    try {
      const value = JSON.parse(text);
      if (typeof value.timestamp === 'number') out.push({ ...value, line: i + 1 });
    } catch {
      /* malformed lines are faults */
    }
  });
  return out;
}

function groupBy(records: Rec[], key: (r: Rec) => string | undefined): Map<string, Rec[]> {
  const groups = new Map<string, Rec[]>();
  for (const r of records) {
    const k = key(r);
    if (k === undefined || k === null) continue;
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(r);
  }
  for (const list of groups.values()) list.sort((a, b) => a.timestamp - b.timestamp || a.line - b.line);
  return groups;
}

const ENGAGEMENT = new Set(['content.liked', 'content.shared', 'content.rated']);

export function mediaPatterns(records: Rec[]): Found[] {
  const found: Found[] = [];
  for (const [user, events] of groupBy(records, (r) => r.userId)) {
    const watched = (e: Rec) => e.eventType === 'content.watched';
    // Shortcuts only: without a 4K watch or a thriller the long (24 h, 7 d) scans cannot match.
    const has4K = events.some((e) => e.quality === '4K');
    const hasThriller = events.some((e) => e.genre === 'thriller');
    for (let i = 0; i + 1 < events.length; i++) {
      const first = events[i]!;
      // binge: watched, next watched, then 2 more watched (relaxed) within 2 h.
      if (watched(first) && watched(events[i + 1]!)) {
        let more = 0;
        for (let j = i + 2; j < events.length && events[j]!.timestamp - first.timestamp <= 2 * HOUR; j++) {
          if (watched(events[j]!) && ++more === 2) found.push({ kind: 'binge', key: user, time: events[j]!.timestamp, start: first.timestamp });
        }
      }
      // churn: login, ≥ 1 watched, logout within 15 min.
      if (first.eventType === 'user.login') {
        let watches = 0;
        for (let j = i + 1; j < events.length && events[j]!.timestamp - first.timestamp <= 15 * MIN; j++) {
          if (watched(events[j]!)) watches++;
          else if (events[j]!.eventType === 'user.logout' && watches > 0) {
            found.push({ kind: 'churn_exit', key: user, time: events[j]!.timestamp, start: first.timestamp });
            break;
          }
        }
      }
      // premium: watched, next engagement, 2 more engagements, then a 4K watch, within 24 h.
      if (has4K && watched(first) && ENGAGEMENT.has(events[i + 1]!.eventType)) {
        let engagements = 1;
        for (let j = i + 2; j < events.length && events[j]!.timestamp - first.timestamp <= 24 * HOUR; j++) {
          const e = events[j]!;
          if (ENGAGEMENT.has(e.eventType)) engagements++;
          else if (engagements >= 3 && watched(e) && e.quality === '4K') {
            found.push({ kind: 'premium_conversion', key: user, time: e.timestamp, start: first.timestamp });
            break;
          }
        }
      }
      // taste change: 5 comedy events, then 3 thriller events, within 7 days.
      if (hasThriller && first.genre === 'comedy') {
        let comedies = 0;
        let thrillers = 0;
        for (let j = i; j < events.length && events[j]!.timestamp - first.timestamp <= 7 * 24 * HOUR; j++) {
          const genre = events[j]!.genre;
          if (comedies < 5 && genre === 'comedy') comedies++;
          else if (comedies === 5 && genre === 'thriller' && ++thrillers === 3) {
            found.push({ kind: 'taste_change', key: user, time: events[j]!.timestamp, start: first.timestamp });
            break;
          }
        }
      }
    }
  }
  // viral: per content, a watch then ≥ 5 shares within 2 h.
  for (const [content, events] of groupBy(records, (r) => r.contentId ?? undefined)) {
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.eventType !== 'content.watched') continue;
      let shares = 0;
      for (let j = i + 1; j < events.length && events[j]!.timestamp - events[i]!.timestamp <= 2 * HOUR; j++) {
        if (events[j]!.eventType === 'content.shared' && ++shares === 5) found.push({ kind: 'viral_share', key: content, time: events[j]!.timestamp, start: events[i]!.timestamp });
      }
    }
  }
  return found;
}

export function ecommercePatterns(records: Rec[]): Found[] {
  const found: Found[] = [];
  const orders = records.filter((r) => r.stream === 'order');
  for (const order of orders) if (order.total_amount >= 1_000_000) found.push({ kind: 'high_value_order', key: order.user_id, time: order.timestamp, start: order.timestamp });
  for (const [user, list] of groupBy(orders, (r) => r.user_id)) {
    for (let i = 0; i + 2 < list.length; i++) {
      if (list[i + 2]!.timestamp - list[i]!.timestamp <= 10 * MIN) found.push({ kind: 'order_burst', key: user, time: list[i + 2]!.timestamp, start: list[i]!.timestamp });
    }
  }
  for (const [user, events] of groupBy(records.filter((r) => r.stream === 'user'), (r) => r.user_id)) {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.event_type !== 'purchase') continue;
      // login → view → purchase within 10 min; click ×3 → purchase within 5 min; view → purchase within 10 min.
      let view = false;
      let clicks = 0;
      let login = false;
      for (let j = i - 1; j >= 0 && e.timestamp - events[j]!.timestamp <= 10 * MIN; j--) {
        const type = events[j]!.event_type;
        if (type === 'view') view = true;
        if (type === 'click' && e.timestamp - events[j]!.timestamp <= 5 * MIN) clicks++;
        if (type === 'login' && view) login = true;
      }
      if (view || clicks >= 3 || login) found.push({ kind: 'funnel', key: user, time: e.timestamp, start: e.timestamp });
    }
    // login → browse → add_to_cart → checkout within 1 h.
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.event_type !== 'login') continue;
      let stage = 0;
      for (let j = i + 1; j < events.length && events[j]!.timestamp - events[i]!.timestamp <= HOUR; j++) {
        const type = events[j]!.event_type;
        if (stage === 0 && type === 'browse') stage = 1;
        else if (stage === 1 && type === 'add_to_cart') stage = 2;
        else if (stage === 2 && type === 'checkout') {
          found.push({ kind: 'funnel', key: user, time: events[j]!.timestamp, start: events[i]!.timestamp });
          break;
        }
      }
    }
  }
  return found;
}

function km(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.latitude - a.latitude) * rad) / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(((b.longitude - a.longitude) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function financialPatterns(records: Rec[]): Found[] {
  const found: Found[] = [];
  for (const [user, events] of groupBy(records, (r) => r.user_id)) {
    const tx = events.filter((e) => e.type === 'transaction');
    const logins = events.filter((e) => e.type === 'session' && e.event_type === 'login');
    const withdrawals = tx.filter((e) => e.transaction_type === 'withdrawal');
    for (let i = 0; i + 4 < withdrawals.length; i++) {
      if (withdrawals[i + 4]!.timestamp - withdrawals[i]!.timestamp <= 5 * MIN) found.push({ kind: 'velocity_burst', key: user, time: withdrawals[i + 4]!.timestamp, start: withdrawals[i]!.timestamp });
    }
    for (let i = 0; i + 4 < events.length; i++) {
      const five = events.slice(i, i + 5);
      if (five.every((e) => e.type === 'session' && e.event_type === 'login') && five[4]!.timestamp - five[0]!.timestamp <= 5 * MIN) {
        found.push({ kind: 'rapid_logins', key: user, time: five[4]!.timestamp, start: five[0]!.timestamp });
      }
    }
    for (let i = 1; i < logins.length; i++) {
      const hours = Math.max(1, logins[i]!.timestamp - logins[i - 1]!.timestamp) / HOUR;
      if (km(logins[i - 1]!.location, logins[i]!.location) / hours > 1000) found.push({ kind: 'impossible_travel', key: user, time: logins[i]!.timestamp, start: logins[i - 1]!.timestamp });
    }
    // Bot sessions: > 100 api calls and no page view in one 30-minute tumbling window; the case completes at the 101st call.
    const windows = new Map<number, Rec[]>();
    for (const e of events) {
      if (e.type !== 'session') continue;
      const w = e.timestamp - (e.timestamp % (30 * MIN));
      windows.set(w, [...(windows.get(w) ?? []), e]);
    }
    for (const [w, inWindow] of windows) {
      const calls = inWindow.filter((e) => e.event_type === 'api_call');
      if (calls.length > 100 && !inWindow.some((e) => e.event_type === 'page_view')) found.push({ kind: 'bot_session', key: user, time: calls[100]!.timestamp, start: w });
    }
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < tx.length; i++) {
      const t = tx[i]!;
      const hour = new Date(t.timestamp).getUTCHours();
      if (hour >= 2 && hour < 6) found.push({ kind: 'night_transaction', key: user, time: t.timestamp, start: t.timestamp });
      if (n >= 5) {
        const mean = sum / n;
        const sd = Math.sqrt((squares - n * mean * mean) / (n - 1));
        if (sd > 0 && (t.amount - mean) / sd > 3) found.push({ kind: 'amount_outlier', key: user, time: t.timestamp, start: t.timestamp });
      }
      n++;
      sum += t.amount;
      squares += t.amount * t.amount;
      if (t.amount > 10_000) {
        let small = 0;
        for (let j = i + 1; j < tx.length && tx[j]!.timestamp - t.timestamp <= HOUR; j++) {
          if (tx[j]!.amount < 100 && ++small === 10) found.push({ kind: 'large_then_small', key: user, time: tx[j]!.timestamp, start: t.timestamp });
        }
      }
    }
  }
  return found;
}
