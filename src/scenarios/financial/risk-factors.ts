/**
 * The five risk checks of source 001's FraudDetectionEngine (seeds-digest.md §3), as pure
 * functions of a transaction and what the scorer remembers about its user. Numbers and factor
 * shapes are the document's own; where the document stubs a value, the comment says what we do.
 * Clock fields (hour, weekday) are taken in UTC: the document calls datetime.fromtimestamp, which
 * uses the server's zone; a replay must not depend on the machine it runs on.
 */
import type { Location, Transaction, TransactionType } from './transaction.js';

export interface RiskFactor {
  readonly type: string;
  readonly risk_score: number;
  readonly [detail: string]: unknown;
}

/** Velocity windows in seconds, as the document writes them: 5 min, 15 min, 1 h. */
export const VELOCITY_WINDOWS = [300, 900, 3600] as const;
export const VELOCITY_HORIZON_MS = 3600 * 1000;

const VELOCITY_THRESHOLDS: Partial<Record<TransactionType, readonly [number, number, number]>> = {
  withdrawal: [5, 10, 20],
  transfer: [10, 20, 50],
  payment: [20, 50, 100],
};
const DEFAULT_VELOCITY_THRESHOLDS = [10, 20, 50] as const;

export function velocityThresholds(type: TransactionType): readonly [number, number, number] {
  return VELOCITY_THRESHOLDS[type] ?? DEFAULT_VELOCITY_THRESHOLDS;
}

/**
 * `counts[i]`: the user's earlier transactions of this type in the window VELOCITY_WINDOWS[i]
 * ending at this one. The document counts with a never-reset counter ("actually needs time-based
 * cleanup"); we count real sliding windows in event time.
 */
export function velocityRisks(type: TransactionType, counts: readonly number[]): RiskFactor[] {
  const thresholds = velocityThresholds(type);
  const risks: RiskFactor[] = [];
  VELOCITY_WINDOWS.forEach((window, i) => {
    const count = counts[i]!;
    const threshold = thresholds[i]!;
    if (count >= threshold) {
      risks.push({ type: 'high_velocity', window, count, threshold, risk_score: Math.min((count / threshold) * 0.5, 1.0) });
    }
  });
  return risks;
}

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in km (the document's haversine, R = 6371 km). */
export function haversineKm(a: Location, b: Location): number {
  const dlat = rad(b.latitude - a.latitude);
  const dlon = rad(b.longitude - a.longitude);
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dlon / 2) ** 2;
  return EARTH_RADIUS_KM * 2 * Math.atan2(Math.sqrt(h), Math.sqrt(1 - h));
}

/** Distance to the nearest earlier location; none on the user's first located transaction. */
export function locationRisks(location: Location | null, history: Iterable<Location>): RiskFactor[] {
  if (location === null) return [];
  let nearest = Infinity;
  for (const earlier of history) {
    nearest = Math.min(nearest, haversineKm(location, earlier));
    // One known place within 100 km settles it: no risk, whatever the rest.
    if (nearest <= 100) return [];
  }
  if (nearest === Infinity) return [];
  return [{ type: 'unusual_location', distance_from_last: nearest, risk_score: Math.min(nearest / 1000, 1.0) }];
}

/** What the scorer knows about a user (the document's behaviour profile). */
export interface UserProfile {
  readonly transaction_count: number;
  readonly total_amount: number;
  /** Welford's running mean and sum of squared deviations, for the amount's standard deviation. */
  readonly mean_amount: number;
  readonly m2_amount: number;
  /** UTC hours the user has transacted in, in first-seen order. */
  readonly typical_hours: readonly number[];
  readonly transaction_types: readonly TransactionType[];
  /** Whether the user has transacted on a weekend (UTC). */
  readonly weekend_activity: boolean;
}

export function averageAmount(profile: UserProfile): number {
  return profile.total_amount / profile.transaction_count;
}

/**
 * The document reads `std_amount` but never stores it, so it is always the fallback average·0.5.
 * We use the user's real (population) standard deviation once there are two amounts that differ,
 * and the document's fallback before that.
 */
export function amountSpread(profile: UserProfile): number {
  const std = profile.transaction_count >= 2 ? Math.sqrt(profile.m2_amount / profile.transaction_count) : 0;
  return std > 0 ? std : averageAmount(profile) * 0.5;
}

export function amountRisks(amount: number, profile: UserProfile | undefined): RiskFactor[] {
  if (!profile) return [];
  const average = averageAmount(profile);
  const spread = amountSpread(profile);
  // An average of 0 leaves no scale to measure against (the document would divide by zero).
  if (!(spread > 0)) return [];
  const z = Math.abs(amount - average) / spread;
  if (!(z > 3)) return [];
  return [{ type: 'unusual_amount', amount, average_amount: average, z_score: z, risk_score: Math.min(z / 5, 1.0) }];
}

export const utcHour = (time: number) => new Date(time).getUTCHours();
/** Python's weekday(): Monday 0 … Sunday 6. */
export const utcWeekday = (time: number) => (new Date(time).getUTCDay() + 6) % 7;
export const isWeekend = (time: number) => utcWeekday(time) >= 5;

export function patternRisks(tx: Transaction, profile: UserProfile | undefined): RiskFactor[] {
  if (!profile) return [];
  const risks: RiskFactor[] = [];
  const hour = utcHour(tx.timestamp);
  if (!profile.typical_hours.includes(hour)) {
    risks.push({ type: 'unusual_time', hour, typical_hours: profile.typical_hours, risk_score: 0.3 });
  }
  if (!profile.transaction_types.includes(tx.transaction_type)) {
    risks.push({ type: 'unusual_transaction_type', transaction_type: tx.transaction_type, typical_types: profile.transaction_types, risk_score: 0.4 });
  }
  return risks;
}

/**
 * Late night is the document's `2 <= hour <= 6`: 02:00 to 06:59 UTC. The weekend check reads
 * `weekend_activity`, which the document never sets (so every weekend transaction of a known user
 * scored 0.3); we set it once the user has transacted on a weekend.
 */
export function timeRisks(tx: Transaction, profile: UserProfile | undefined): RiskFactor[] {
  const risks: RiskFactor[] = [];
  const hour = utcHour(tx.timestamp);
  if (hour >= 2 && hour <= 6) risks.push({ type: 'late_night_transaction', hour, risk_score: 0.2 });
  if (isWeekend(tx.timestamp) && profile && !profile.weekend_activity) {
    risks.push({ type: 'weekend_unusual_activity', weekday: utcWeekday(tx.timestamp), risk_score: 0.3 });
  }
  return risks;
}

/** The profile after one more transaction (the document's update_behavior_profile). */
export function updatedProfile(profile: UserProfile | undefined, tx: Transaction): UserProfile {
  const count = (profile?.transaction_count ?? 0) + 1;
  const mean = profile?.mean_amount ?? 0;
  const delta = tx.amount - mean;
  const nextMean = mean + delta / count;
  const hour = utcHour(tx.timestamp);
  const hours = profile?.typical_hours ?? [];
  const types = profile?.transaction_types ?? [];
  return {
    transaction_count: count,
    total_amount: (profile?.total_amount ?? 0) + tx.amount,
    mean_amount: nextMean,
    m2_amount: (profile?.m2_amount ?? 0) + delta * (tx.amount - nextMean),
    typical_hours: hours.includes(hour) ? hours : [...hours, hour],
    transaction_types: types.includes(tx.transaction_type) ? types : [...types, tx.transaction_type],
    weekend_activity: (profile?.weekend_activity ?? false) || isWeekend(tx.timestamp),
  };
}

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

/** Mean of each category's highest factor; categories without a factor do not count. */
export function overallRisk(categories: readonly (readonly RiskFactor[])[]): number {
  let sum = 0;
  let n = 0;
  for (const factors of categories) {
    if (factors.length === 0) continue;
    let max = -Infinity;
    for (const f of factors) max = Math.max(max, f.risk_score);
    sum += max;
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

export function riskLevel(score: number): RiskLevel {
  if (score >= 0.8) return 'critical';
  if (score >= 0.6) return 'high';
  if (score >= 0.3) return 'medium';
  return 'low';
}

const RECOMMENDATIONS: Record<RiskLevel, string> = {
  critical: 'Immediate transaction blocking recommended',
  high: 'Additional verification required',
  medium: 'Monitor closely, consider manual review',
  low: 'Low risk, normal processing',
};

export function recommendation(level: RiskLevel): string {
  return RECOMMENDATIONS[level];
}
