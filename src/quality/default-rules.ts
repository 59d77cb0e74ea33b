import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RuleSet } from './rule.js';
import { parseRules } from './rules-file.js';

/**
 * The built-in rule sets (src/quality/rules/*.yaml) and the sniffing that picks one when
 * `--rules` is not given: each sampled record votes for the domain whose fields it carries.
 */
export const DOMAINS = ['media', 'ecommerce', 'financial'] as const;
export type Domain = (typeof DOMAINS)[number];
export type RulesChoice = Domain | 'generic';

/** Records sampled before choosing; the runner buffers them and replays them into the monitor. */
export const SNIFF_RECORDS = 100;

function rulesFolder(): string {
  // From src/quality (tsx) the YAML is beside us; from dist/src/quality it is in the source tree.
  for (const candidate of ['./rules/', '../../../src/quality/rules/']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('the built-in rule sets (src/quality/rules/*.yaml) are missing from the installation');
}

export function builtInRules(choice: RulesChoice): RuleSet {
  const folder = rulesFolder();
  const path = `${folder}${choice}.yaml`;
  const set = parseRules(readFileSync(path, 'utf8'), path, folder);
  return { ...set, source: `default:${choice}` };
}

/** The domain most sampled records belong to, or 'generic' when none claims a majority. */
export function sniffDomain(records: readonly Record<string, unknown>[]): RulesChoice {
  const votes: Record<Domain, number> = { media: 0, ecommerce: 0, financial: 0 };
  for (const record of records) {
    const domain = domainOf(record);
    if (domain) votes[domain]++;
  }
  let best: RulesChoice = 'generic';
  let bestVotes = records.length / 2;
  for (const domain of DOMAINS) {
    if (votes[domain] > bestVotes) {
      best = domain;
      bestVotes = votes[domain];
    }
  }
  return best;
}

function domainOf(record: Record<string, unknown>): Domain | undefined {
  const has = (field: string) => record[field] !== undefined;
  // Only financial records (transactions and security sessions) carry an account.
  if (has('transaction_id') || has('account_id')) return 'financial';
  if (has('userId') && has('eventType')) return 'media';
  if (has('order_id') || has('product_id') || (has('user_id') && (has('event_type') || has('stream')))) return 'ecommerce';
  return undefined;
}
