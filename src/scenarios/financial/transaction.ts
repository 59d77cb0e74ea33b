/**
 * The financial transaction of seeds-digest.md §3 (source 001's FinancialTransaction), read from
 * a record's fields and checked before any state is touched: a bad record is refused whole.
 */

export const TRANSACTION_TYPES = ['deposit', 'withdrawal', 'transfer', 'payment', 'investment'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export interface Location {
  readonly latitude: number;
  readonly longitude: number;
}

export interface Transaction {
  readonly transaction_id: string;
  readonly user_id: string;
  readonly transaction_type: TransactionType;
  readonly amount: number;
  /** Event time, epoch ms. */
  readonly timestamp: number;
  /** Null when the record has none (e.g. an online transfer): the location check is skipped. */
  readonly location: Location | null;
}

/** Top-level fields the scorer reads (so the reader decodes only these). */
export const TRANSACTION_FIELDS = ['transaction_id', 'user_id', 'transaction_type', 'amount', 'location'] as const;

export class TransactionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransactionError';
  }
}

export function readTransaction(fields: Record<string, unknown>, timestamp: number): Transaction {
  const id = fields.transaction_id;
  if ((typeof id !== 'string' || id === '') && typeof id !== 'number') throw new TransactionError('transaction_id is missing');
  const user = fields.user_id;
  if ((typeof user !== 'string' || user === '') && typeof user !== 'number') throw new TransactionError(`transaction ${id}: user_id is missing`);
  const type = fields.transaction_type;
  if (!TRANSACTION_TYPES.includes(type as TransactionType)) {
    throw new TransactionError(`transaction ${id}: transaction_type ${JSON.stringify(type)} is not one of ${TRANSACTION_TYPES.join(', ')}`);
  }
  const amount = fields.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new TransactionError(`transaction ${id}: amount ${JSON.stringify(amount)} is not a number`);
  return {
    transaction_id: String(id),
    user_id: String(user),
    transaction_type: type as TransactionType,
    amount,
    timestamp,
    location: readLocation(fields.location, id),
  };
}

function readLocation(value: unknown, id: unknown): Location | null {
  if (value === undefined || value === null) return null;
  const { latitude, longitude } = value as { latitude?: unknown; longitude?: unknown };
  if (typeof latitude !== 'number' || typeof longitude !== 'number' || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
    throw new TransactionError(`transaction ${String(id)}: location needs latitude in [-90, 90] and longitude in [-180, 180]`);
  }
  return { latitude, longitude };
}
