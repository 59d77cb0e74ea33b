/**
 * Test fixtures: a financial transaction stream (seeds-digest.md §3 shape) that is clean by
 * construction — uniform amounts (|z| ≤ 1.8), ids of one shape, at most 2 s out of order — with
 * faults injected at known lines. Each fault names the check types that must report it.
 */
import type { CheckType } from '../../src/quality/rule.js';
import { random } from '../seeded-random.js';

export const BASE_TIME = Date.UTC(2026, 0, 1);
export const MERCHANTS = 30;

export type FaultKind =
  | 'missing_field'
  | 'wrong_type'
  | 'out_of_range'
  | 'bad_pattern'
  | 'duplicate'
  | 'unknown_reference'
  | 'stale'
  | 'outlier'
  | 'null_field'
  | 'malformed';

/** The check types that must flag each fault kind. */
export const FAULT_CHECKS: Readonly<Record<FaultKind, readonly CheckType[]>> = {
  missing_field: ['schema', 'completeness'],
  wrong_type: ['schema'],
  out_of_range: ['value_range'],
  bad_pattern: ['pattern'],
  duplicate: ['duplicates'],
  unknown_reference: ['referential_integrity'],
  stale: ['freshness'],
  outlier: ['statistical_anomaly'],
  null_field: ['completeness'],
  malformed: [],
};

export interface InjectedFault {
  readonly line: number;
  readonly kind: FaultKind;
}

export interface FaultStream {
  readonly text: string;
  readonly faults: readonly InjectedFault[];
  readonly lines: number;
}

const TYPES = ['deposit', 'withdrawal', 'transfer', 'payment', 'investment'];

export function cleanTransaction(i: number, rand: () => number): Record<string, unknown> {
  return {
    transaction_id: `tx_${i}`,
    user_id: `user_${i % 50}`,
    account_id: `acc_${i % 80}`,
    transaction_type: TYPES[i % TYPES.length],
    amount: Math.round((10 + rand() * 90) * 100) / 100,
    currency: i % 3 === 0 ? 'EUR' : 'USD',
    timestamp: BASE_TIME + i * 1000 - Math.floor(rand() * 2000),
    merchant_id: `m_${i % MERCHANTS}`,
    location: { latitude: 37 + rand(), longitude: 127 + rand() },
    metadata: { channel: i % 2 === 0 ? 'app' : 'web' },
  };
}

/**
 * `count` clean transactions; with `faults`, every kind is injected `perKind` times at spread-out
 * lines (never the first 100, so the anomaly profile is warm and sniffing sees clean records).
 */
export function transactionStream(count: number, options: { seed?: number; faults?: boolean; perKind?: number } = {}): FaultStream {
  const rand = random(options.seed ?? 7);
  const kinds = Object.keys(FAULT_CHECKS) as FaultKind[];
  const planned = new Map<number, FaultKind>();
  if (options.faults) {
    const perKind = options.perKind ?? 2;
    const slots = kinds.length * perKind;
    const spacing = Math.floor((count - 100) / slots);
    for (let s = 0; s < slots; s++) planned.set(100 + s * spacing + Math.floor(spacing / 2), kinds[s % kinds.length]!);
  }
  const out: string[] = [];
  const faults: InjectedFault[] = [];
  for (let i = 0; i < count; i++) {
    const line = i + 1;
    const record = cleanTransaction(i, rand);
    const kind = planned.get(i);
    if (kind !== undefined) faults.push({ line, kind });
    switch (kind) {
      case 'missing_field':
        delete record['user_id'];
        break;
      case 'wrong_type':
        record['user_id'] = 4711;
        break;
      case 'out_of_range':
        (record['location'] as Record<string, number>)['latitude'] = 123.4;
        break;
      case 'bad_pattern':
        record['currency'] = 'usd';
        break;
      case 'duplicate': {
        const earlier = cleanTransaction(i - 10, random(99));
        record['transaction_id'] = earlier['transaction_id'];
        break;
      }
      case 'unknown_reference':
        record['merchant_id'] = 'm_999';
        break;
      case 'stale':
        record['timestamp'] = (record['timestamp'] as number) - 20 * 60_000;
        break;
      case 'outlier':
        record['amount'] = 25_000;
        break;
      case 'null_field':
        record['account_id'] = null;
        break;
      case 'malformed':
        out.push(`${JSON.stringify(record).slice(0, 40)}`);
        continue;
      default:
        break;
    }
    out.push(JSON.stringify(record));
  }
  return { text: `${out.join('\n')}\n`, faults, lines: count };
}

/** A rule set with all eight check types over the transaction shape; references resolve next to it. */
export const ALL_CHECKS_RULES = `
name: all-checks
rules:
  - id: tx_schema
    type: schema
    severity: CRITICAL
    config:
      required_fields: [transaction_id, user_id, account_id, transaction_type, amount, currency, timestamp]
      optional_fields: [merchant_id, location, metadata]
      field_types: { transaction_id: string, user_id: string, amount: number, timestamp: timestamp, location: object }
  - id: tx_completeness
    type: completeness
    severity: HIGH
    config: { fields: [transaction_id, user_id, account_id, amount], max_null_ratio: 0.01 }
  - id: tx_freshness
    type: freshness
    severity: MEDIUM
    config: { timestamp_field: timestamp, max_age: 5m }
  - id: tx_ranges
    type: value_range
    severity: HIGH
    config:
      field_ranges:
        amount: { min: 0 }
        location.latitude: { min: -90, max: 90 }
        transaction_type: { allowed_values: [deposit, withdrawal, transfer, payment, investment] }
  - id: tx_currency
    type: pattern
    severity: LOW
    config: { field_patterns: { currency: '^[A-Z]{3}$' } }
  - id: tx_duplicates
    type: duplicates
    severity: CRITICAL
    config: { key_fields: [transaction_id], window: 1h }
  - id: tx_merchants
    type: referential_integrity
    severity: MEDIUM
    config:
      reference_checks:
        - { field: merchant_id, file: merchants.csv, key: merchant_id }
  - id: tx_amount_anomaly
    type: statistical_anomaly
    severity: LOW
    config: { numeric_fields: [amount], z_threshold: 3.5 }
`;

export function merchantsCsv(): string {
  return `merchant_id,name\n${Array.from({ length: MERCHANTS }, (_, i) => `m_${i},Shop ${i}`).join('\n')}\n`;
}
