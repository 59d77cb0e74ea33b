/**
 * E-commerce (seeds-digest.md §2): the three Flink jobs of source 003 (user sessions, product
 * popularity, order anomalies), the CEP funnel patterns and the 1-minute aggregates of source 001.
 * One recording mixes the three topics, told apart by `stream` (user | product | order; see
 * docs/synth.md). Source 001's patterns test `action` on user events; these records call it
 * `event_type`. Source 003 gives no watermark; 5 s of out-of-orderness is assumed.
 * A TypeScript module because the order anomalies keep per-user state.
 *
 *   sw replay scenarios/ecommerce.jsonl --speed max --out results.jsonl
 */
import { definePipeline } from '../src/spec/define-pipeline.js';
import { OrderAnomalies } from '../src/scenarios/ecommerce/order-anomalies.js';

const USER = "stream == 'user'";
const is = (type: string) => `event_type == '${type}'`;
const count = (condition: string) => `sum(${condition} ? 1 : 0)`;

export default definePipeline({
  name: 'ecommerce',
  description: 'User sessions, product popularity, order anomalies, funnel patterns and 1-minute aggregates',
  time: { field: 'timestamp', outOfOrderness: '5s' },
  steps: {
    user_sessions: {
      description: 'Source 003 job 1: per user, 5-minute sliding window (slide 1 min): start/end, events, unique pages, duration, event types',
      where: USER,
      keyBy: 'user_id',
      window: { type: 'sliding', size: '5m', slide: '1m' },
      aggregate: {
        session_start: 'min(timestamp)',
        session_end: 'max(timestamp)',
        event_count: 'count()',
        unique_pages: 'count_distinct(metadata.page)',
        event_types: 'count_distinct(event_type)',
        logins: count(is('login')),
        views: count(is('view')),
        clicks: count(is('click')),
        add_to_carts: count(is('add_to_cart')),
        purchases: count(is('purchase')),
      },
      select: { session_duration: 'session_end - session_start' },
    },
    product_popularity: {
      description: 'Source 003 job 2: per product, 5-minute tumbling: views, carts, purchases, unique users, conversion, popularity',
      where: "stream == 'product'",
      keyBy: 'product_id',
      window: { type: 'tumbling', size: '5m' },
      aggregate: {
        views: count("action == 'view'"),
        carts: count("action == 'cart'"),
        purchases: count("action == 'purchase'"),
        unique_users: 'count_distinct(user_id)',
        category: 'first(properties.category)',
      },
      select: {
        conversion_rate: 'views > 0 ? purchases / views : 0.0',
        popularity_score: 'views * 1 + carts * 3 + purchases * 10',
      },
    },
    order_anomalies: {
      description: 'Source 003 job 3: orders of 1,000,000 KRW or more, 3+ orders of a user within 10 min; CRITICAL / HIGH / MEDIUM',
      where: "stream == 'order'",
      keyBy: 'user_id',
      process: () => new OrderAnomalies(),
    },
    funnel_login_view_purchase: {
      description: 'Source 001 CEPBasics: login, followedBy view, followedBy purchase, within 10 min',
      where: USER,
      keyBy: 'user_id',
      pattern: {
        within: '10m',
        stages: [
          { name: 'start', where: is('login') },
          { name: 'middle', contiguity: 'followedBy', where: is('view') },
          { name: 'end', contiguity: 'followedBy', where: is('purchase') },
        ],
      },
      select: { user_id: 'start[0].user_id', pattern_type: "'login_to_purchase'", duration: 'end[0].timestamp - start[0].timestamp' },
    },
    funnel_sequence: {
      description: 'Source 001 create_sequence_pattern: login, browse, add_to_cart, checkout (each followedBy), within 1 h',
      where: USER,
      keyBy: 'user_id',
      pattern: {
        within: '1h',
        stages: [
          { name: 'first', where: is('login') },
          { name: 'second', contiguity: 'followedBy', where: is('browse') },
          { name: 'third', contiguity: 'followedBy', where: is('add_to_cart') },
          { name: 'fourth', contiguity: 'followedBy', where: is('checkout') },
        ],
      },
      select: { user_id: 'first[0].user_id', duration: 'fourth[0].timestamp - first[0].timestamp' },
    },
    funnel_or: {
      description: 'Source 001 create_or_pattern: login, followedBy view OR click, followedBy purchase, within 30 min',
      where: USER,
      keyBy: 'user_id',
      pattern: {
        within: '30m',
        stages: [
          { name: 'start', where: is('login') },
          { name: 'action', contiguity: 'followedBy', where: is('view'), or: is('click') },
          { name: 'end', contiguity: 'followedBy', where: is('purchase') },
        ],
      },
      select: { user_id: 'start[0].user_id', via: 'action[0].event_type', duration: 'end[0].timestamp - start[0].timestamp' },
    },
    funnel_not_logout: {
      description: 'Source 001 create_not_pattern: login, followedBy view, notFollowedBy logout, followedBy purchase, within 15 min',
      where: USER,
      keyBy: 'user_id',
      pattern: {
        within: '15m',
        stages: [
          { name: 'start', where: is('login') },
          { name: 'middle', contiguity: 'followedBy', where: is('view') },
          { name: 'blocked', contiguity: 'notFollowedBy', where: is('logout') },
          { name: 'end', contiguity: 'followedBy', where: is('purchase') },
        ],
      },
      select: { user_id: 'start[0].user_id', duration: 'end[0].timestamp - start[0].timestamp' },
    },
    funnel_clicks: {
      description: 'Source 001 create_times_pattern: click times(3), followedBy purchase, within 5 min',
      where: USER,
      keyBy: 'user_id',
      pattern: {
        within: '5m',
        stages: [
          { name: 'repeated', where: is('click'), times: 3 },
          { name: 'end', contiguity: 'followedBy', where: is('purchase') },
        ],
      },
      select: { user_id: 'repeated[0].user_id', clicks: 'size(repeated)' },
    },
    funnel_greedy: {
      description: 'Source 001 create_greedy_pattern: view oneOrMore greedy, followedBy purchase, within 10 min',
      where: USER,
      keyBy: 'user_id',
      pattern: {
        within: '10m',
        stages: [
          { name: 'greedy', where: is('view'), oneOrMore: true, greedy: true },
          { name: 'end', contiguity: 'followedBy', where: is('purchase') },
        ],
      },
      select: { user_id: 'greedy[0].user_id', views: 'size(greedy)' },
    },
    user_activity: {
      description: 'Per user, 1-minute tumbling: event counts, revenue and action distribution',
      keyBy: 'user_id',
      window: { type: 'tumbling', size: '1m' },
      aggregate: {
        events: 'count()',
        user_events: count(USER),
        views: count("stream == 'product' && action == 'view'"),
        carts: count("stream == 'product' && action == 'cart'"),
        purchases: count("stream == 'product' && action == 'purchase'"),
        orders: count("stream == 'order'"),
        revenue: "sum(stream == 'order' ? total_amount : 0)",
      },
    },
    global_activity: {
      description: 'All events, 1-minute tumbling: events per second, revenue, revenue per user, conversion rate',
      window: { type: 'tumbling', size: '1m' },
      aggregate: {
        events: 'count()',
        unique_users: 'count_distinct(user_id)',
        views: count("stream == 'product' && action == 'view'"),
        carts: count("stream == 'product' && action == 'cart'"),
        purchases: count("stream == 'product' && action == 'purchase'"),
        orders: count("stream == 'order'"),
        revenue: "sum(stream == 'order' ? total_amount : 0)",
      },
      select: {
        events_per_second: 'events / 60.0',
        revenue_per_user: 'revenue / unique_users',
        conversion_rate: 'views > 0 ? purchases / views : 0.0',
      },
    },
  },
});
