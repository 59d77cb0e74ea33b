// Differential test (style.md, "from zod"): the fast path of `sw quality check` — rules reading
// rows straight from the line's bytes, strings decoded only when a check asks, nested objects
// decoded to the fields rules read — must give exactly the report of the simple path, where each
// line is JSON.parse'd and observed as a record. The test also checks that the fast path ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseRules } from '../../src/quality/rules-file.js';
import { compileRules } from '../../src/quality/compile-rules.js';
import { builtInRules } from '../../src/quality/default-rules.js';
import { QualityMonitor, type QualityReport } from '../../src/quality/monitor.js';
import { scanRecords } from '../../src/quality/record-stream.js';
import type { RuleSet } from '../../src/quality/rule.js';
import { ALL_CHECKS_RULES, merchantsCsv, transactionStream } from './fault-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-quality-rows-'));
writeFileSync(join(dir, 'merchants.csv'), merchantsCsv());
const T = Date.UTC(2026, 0, 1);

/** Lines that take every branch of the row path: escapes, blanks, kinds, nesting, repeated keys. */
const EDGE_LINES = [
  // media
  `{"userId":"u1","eventType":"content.watched","contentId":"c1","timestamp":${T},"sessionId":"s-1","device":"tv","watchSeconds":12}`,
  `{"userId":"u1","eventType":"content.watched","contentId":"c1","timestamp":${T},"sessionId":"s\\u002d1","device":"tv","watchSeconds":12}`,
  `{"userId":"   ","eventType":"content.liked","contentId":"c2","timestamp":${T + 1},"sessionId":"s-2","device":"web"}`,
  `{"userId":"\\u0020\\t","eventType":"content.liked","contentId":"c2","timestamp":${T + 2},"sessionId":"s-2","device":"web"}`,
  `{"userId":"\u00a0","eventType":"content.liked","contentId":"c2","timestamp":${T + 3},"sessionId":"s-2","device":"web"}`,
  `{"userId":"","eventType":"user.login","contentId":null,"timestamp":${T + 4},"sessionId":"s-3","device":"mobile"}`,
  `{"userId":42,"eventType":{"a":1},"contentId":["c3"],"timestamp":"${new Date(T + 5).toISOString()}","sessionId":true,"device":null,"rating":9}`,
  `{"userId":"u2","eventType":"Content-Watched","contentId":"c\u00e9","timestamp":${T + 6},"sessionId":"s-4","device":"tv","watchSeconds":"12","rating":-1}`,
  `{"userId":"u3","userId":"u4","eventType":"content.rated","eventType":"content.shared","contentId":"c5","timestamp":1e12,"sessionId":"s-5","device":"tv"}`,
  `{"userId":"u5","eventType":"content.watched","timestamp":${T + 7},"sessionId":"s-6","device":"tv","watchSeconds":-0.5e1}`,
  `{"userId":"u6","eventType":"content.completed","contentId":"","timestamp":"soon","sessionId":"s-7","device":"tv"}`,
  `{"constructor":"x","__proto__":{"userId":"p"},"eventType":"user.logout","timestamp":${T + 8}}`,
  // financial
  `{"type":"session","event_type":"login","user_id":"user_1","account_id":"acc_1","session_id":"x1","timestamp":${T + 9},"location":{"latitude":91,"longitude":"east","extra":{"deep":[1,2]}},"success":"yes"}`,
  `{"type":"session","event_type":"login","user_id":"user_1","account_id":"acc_1","session_id":"x1","timestamp":${T + 9},"location":{"latitude":91,"longitude":"east"},"success":true}`,
  `{"type":"transaction","transaction_id":"t1","user_id":"user_2","account_id":"acc_2","transaction_type":"gift","amount":-3,"currency":"usd","timestamp":${T + 10},"location":"Seoul","metadata":[]}`,
  `{"type":"transaction","transaction_id":"t2","user_id":"user_2","account_id":"acc_2","transaction_type":"payment","amount":5,"currency":"EUR","timestamp":${T + 11},"location":{"latitude":{"nested":1},"longitude":1e400}}`,
  `{"type":"transaction","transaction_id":"t2","location":{"latitude":1,"latitude":2}}`,
  // ecommerce
  `{"stream":"order","order_id":"o1","user_id":"user_3","status":"paid","total_amount":100,"currency":"KRW","timestamp":${T + 12},"items":{"not":"a list"},"shipping_address":["x"]}`,
  `{"stream":"product","product_id":"p1","action":"wish","user_id":"user_4","session_id":"s","timestamp":${T + 13},"properties":{"price":-1,"category":"c"}}`,
  `{"stream":"user","user_id":"user_5","event_type":"view","timestamp":${T + 14},"metadata":"none"}`,
  `{"stream":"user","user_id":"user_5","event_type":"view","timestamp":${T + 14},"metadata":{}}`,
  `{"stream":"nope","order_id":"o1","user_id":"user_3","timestamp":${T + 15},"total_amount":"100"}`,
  // not records
  `[1,2]`,
  `{"userId":"u9",`,
];

/** Reference: every line JSON.parse'd and observed as a record. */
async function reportByRecords(set: RuleSet, lines: readonly string[]): Promise<QualityReport> {
  const monitor = new QualityMonitor(await compileRules(set), { examples: 1000 });
  lines.forEach((text, at) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      monitor.observeMalformed(at + 1, `invalid JSON: ${(error as Error).message}`);
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) monitor.observeMalformed(at + 1, 'not a JSON object (a list)');
    else monitor.observe(parsed as Record<string, unknown>, at + 1);
  });
  return monitor.report();
}

/** Fast path: the scan's row reader, as check-run uses it. Returns how many lines came as rows. */
async function reportByRows(set: RuleSet, path: string): Promise<{ report: QualityReport; rows: number; records: number }> {
  const monitor = new QualityMonitor(await compileRules(set), { examples: 1000 });
  let rows = 0;
  let records = 0;
  await scanRecords(path, {
    fields: () => monitor.reads,
    prepareRow: (row) => monitor.prepareRow(row),
    row(row, line) {
      rows++;
      monitor.observeRow(row, line);
    },
    record(record, line) {
      records++;
      monitor.observe(record, line);
    },
    malformed: (line, reason) => monitor.observeMalformed(line, reason),
  });
  return { report: monitor.report(), rows, records };
}

const faulty = transactionStream(2000, { faults: true, perKind: 4 }).text.trim().split('\n');
const sets: Array<[string, RuleSet]> = [
  ['all eight check types', parseRules(ALL_CHECKS_RULES, join(dir, 'rules.yaml'), dir)],
  ['built-in media', builtInRules('media')],
  ['built-in ecommerce', builtInRules('ecommerce')],
  ['built-in financial', builtInRules('financial')],
  [
    'filters on nested and whole values',
    parseRules(
      stringify({
        rules: [
          { id: 'eq', type: 'schema', when: { field: 'location', equals: { latitude: 91, longitude: 'east' } }, config: { required_fields: ['success'] } },
          { id: 'in', type: 'value_range', when: { field: 'eventType', in: ['content.liked', 42] }, config: { field_ranges: { userId: { allowed_values: ['u1'] } } } },
          { id: 'dup', type: 'duplicates', config: { key_fields: ['location', 'eventType', 'userId'], window: '1h' } },
          { id: 'pat', type: 'pattern', config: { field_patterns: { 'location.latitude': '^9', sessionId: '^s-' } } },
        ],
      }),
      join(dir, 'filters.yaml'),
      dir,
    ),
  ],
];

for (const [name, set] of sets) {
  test(`rows from bytes give the report of JSON.parse'd records (${name})`, async () => {
    const lines = [...EDGE_LINES, ...faulty, ...EDGE_LINES];
    const path = join(dir, `${name.replace(/\W+/g, '-')}.jsonl`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const fast = await reportByRows(set, path);
    const simple = await reportByRecords(set, lines);
    assert.deepEqual(fast.report, simple);
    assert.ok(simple.checks.failed > 0, 'the lines make some rule fail');
    assert.equal(fast.records, 0, 'every record went through the row path');
    assert.equal(fast.rows, simple.records);
  });
}
