import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayRequest, runSynth } from './run-synth.js';
import { parseRecords } from './reference-patterns.js';

test('ecommerce: orders reference users and products that exist, and totals add up', async () => {
  const { lines } = await runSynth(dayRequest('ecommerce'));
  const records = parseRecords(lines);
  const users = new Set(records.filter((r) => r.stream === 'user').map((r) => r.user_id));
  const prices = new Map<string, number>();
  for (const r of records.filter((r) => r.stream === 'product')) prices.set(r.product_id, r.properties.price);
  const orders = records.filter((r) => r.stream === 'order');
  assert.ok(orders.length > 50, `${orders.length} orders`);
  for (const order of orders) {
    assert.ok(users.has(order.user_id), `${order.order_id}: unknown user ${order.user_id}`);
    let total = 0;
    for (const item of order.items) {
      assert.ok(prices.has(item.product_id), `${order.order_id}: unknown product ${item.product_id}`);
      assert.equal(item.price, prices.get(item.product_id));
      total += item.price * item.quantity;
    }
    assert.equal(order.total_amount, total, order.order_id);
  }
  // Shoppers abandon carts: far more add_to_cart than purchases.
  const adds = records.filter((r) => r.event_type === 'add_to_cart').length;
  const purchases = records.filter((r) => r.event_type === 'purchase').length;
  assert.ok(adds > 2 * purchases, `${adds} adds, ${purchases} purchases`);
});

test('media: sessions open with a login, and key skew makes some content far hotter than the median', async () => {
  const { lines } = await runSynth(dayRequest('media'));
  const records = parseRecords(lines);
  const open = new Set<string>();
  for (const r of records) {
    if (r.eventType === 'user.login') open.add(r.userId);
    else if (r.eventType === 'user.logout') {
      assert.ok(open.has(r.userId), `line ${r.line}: logout without login`);
      open.delete(r.userId);
    }
  }
  const watches = new Map<string, number>();
  for (const r of records) if (r.eventType === 'content.watched') watches.set(r.contentId, (watches.get(r.contentId) ?? 0) + 1);
  const counts = [...watches.values()].sort((a, b) => b - a);
  assert.ok(counts[0]! > 10 * counts[Math.floor(counts.length / 2)]!, `hottest ${counts[0]}, median ${counts[Math.floor(counts.length / 2)]}`);
});

test('financial: accounts transact near home, within their hours, and never 02:00-06:00 UTC outside cases', async () => {
  const { lines, summary } = await runSynth(dayRequest('financial'));
  const caseLines = new Set(summary.truth.flatMap((t) => (t.lines as number[] | undefined) ?? []));
  const tx = parseRecords(lines).filter((r) => r.type === 'transaction' && !caseLines.has(r.line));
  assert.ok(tx.length > 1000);
  for (const t of tx) {
    const hour = new Date(t.timestamp).getUTCHours();
    assert.ok(hour < 2 || hour >= 6, `line ${t.line} at ${hour}h`);
    assert.ok(t.amount <= 10_000, `line ${t.line}: ${t.amount}`);
  }
});
