/**
 * The real-time fraud scorer of source 001 (FraudDetectionEngine, a Flink KeyedProcessFunction
 * keyed by user_id; seeds-digest.md §3) on sw's keyed state and event-time timers.
 *
 * Per transaction, in the document's order: velocity, location, amount, pattern and time checks,
 * the overall score (mean of each category's highest factor), level and recommendation; then the
 * user's state is updated. State per user:
 *  - `velocity`  map type → event times of the last hour (sorted). Timers drop times older than
 *                the largest window; times are counted in real sliding windows (the document's
 *                counter never expires: "actually needs time-based cleanup").
 *  - `locations` map "lat,lon" → location, each entry kept `historyTtl` after its last use
 *                (the document keeps a list with every location; a map keeps each place once).
 *  - `profile`   the behaviour profile (count, amounts, hours, types, weekend activity), kept
 *                `historyTtl` after the user's last transaction.
 * Usage in a pipeline module: `score: { keyBy: 'user_id', process: () => new FraudScorer() }`.
 */
import type { ProcessContext, ProcessFunction, StateTtl } from '../../engine/process.js';
import {
  amountRisks,
  locationRisks,
  overallRisk,
  patternRisks,
  recommendation,
  riskLevel,
  timeRisks,
  updatedProfile,
  velocityRisks,
  VELOCITY_HORIZON_MS,
  VELOCITY_WINDOWS,
  type RiskFactor,
  type RiskLevel,
  type UserProfile,
} from './risk-factors.js';
import { readTransaction, TRANSACTION_FIELDS, type Location, type Transaction, type TransactionType } from './transaction.js';

export const DAY_MS = 24 * 3600 * 1000;

export interface FraudScorerOptions {
  /** How long (event time) a user's profile and each location outlive their last write. Default 30 days. */
  readonly historyTtl?: number;
}

/** One scored transaction: the fields of the document's RiskAssessment plus the inputs a reader needs. */
export interface RiskAssessment {
  readonly transaction_id: string;
  readonly user_id: string;
  readonly transaction_type: TransactionType;
  readonly amount: number;
  readonly timestamp: number;
  readonly risk_score: number;
  readonly risk_level: RiskLevel;
  readonly recommendation: string;
  /** Each category's highest factor score, 0 when it raised none. */
  readonly velocity_risk: number;
  readonly location_risk: number;
  readonly amount_risk: number;
  readonly pattern_risk: number;
  readonly time_risk: number;
  readonly risk_factors: readonly RiskFactor[];
}

// Velocity expiry timers are rounded up to the minute: one timer per user per minute at most,
// instead of one per transaction, and a pruned time is at most a minute late (counts use exact
// window bounds, so results do not change).
const TIMER_GRANULARITY_MS = 60_000;

/** The stateful scoring both the scorer and the alerting function run. */
export class FraudScoring {
  private readonly historyTtl: StateTtl;

  constructor(options: FraudScorerOptions = {}) {
    const ttl = options.historyTtl ?? 30 * DAY_MS;
    if (!(ttl > 0)) throw new RangeError(`historyTtl must be a positive number of milliseconds, got ${ttl}`);
    this.historyTtl = { ttl };
  }

  score(tx: Transaction, ctx: ProcessContext): RiskAssessment {
    const velocity = this.checkVelocity(tx, ctx);
    const location = this.checkLocation(tx, ctx);
    const profileState = ctx.state.value<UserProfile>('profile', this.historyTtl);
    const profile = profileState.value();
    const amount = amountRisks(tx.amount, profile);
    const pattern = patternRisks(tx, profile);
    const time = timeRisks(tx, profile);
    profileState.update(updatedProfile(profile, tx));

    const score = overallRisk([velocity, location, amount, pattern, time]);
    const level = riskLevel(score);
    return {
      transaction_id: tx.transaction_id,
      user_id: tx.user_id,
      transaction_type: tx.transaction_type,
      amount: tx.amount,
      timestamp: tx.timestamp,
      risk_score: score,
      risk_level: level,
      recommendation: recommendation(level),
      velocity_risk: highest(velocity),
      location_risk: highest(location),
      amount_risk: highest(amount),
      pattern_risk: highest(pattern),
      time_risk: highest(time),
      risk_factors: [...velocity, ...location, ...amount, ...pattern, ...time],
    };
  }

  /** A velocity expiry timer: forget times no window can reach any more. */
  expire(time: number, ctx: ProcessContext): void {
    const velocity = ctx.state.map<TransactionType, number[]>('velocity');
    const horizon = time - VELOCITY_HORIZON_MS;
    for (const [type, times] of velocity.entries()) {
      const keep = upperBound(times, horizon);
      if (keep === times.length) velocity.remove(type);
      else if (keep > 0) velocity.put(type, times.slice(keep));
    }
  }

  private checkVelocity(tx: Transaction, ctx: ProcessContext): RiskFactor[] {
    const velocity = ctx.state.map<TransactionType, number[]>('velocity');
    const times = velocity.get(tx.transaction_type) ?? [];
    // Earlier transactions of this type in (t − window, t]: a sliding window ending at this one.
    const end = upperBound(times, tx.timestamp);
    const counts = VELOCITY_WINDOWS.map((seconds) => end - upperBound(times, tx.timestamp - seconds * 1000));
    const risks = velocityRisks(tx.transaction_type, counts);
    // Written back, not mutated in place: a backend outside the heap stores a copy.
    velocity.put(tx.transaction_type, [...times.slice(0, end), tx.timestamp, ...times.slice(end)]);
    const expiry = Math.ceil((tx.timestamp + VELOCITY_HORIZON_MS) / TIMER_GRANULARITY_MS) * TIMER_GRANULARITY_MS;
    ctx.timers.registerEventTimeTimer(expiry);
    return risks;
  }

  private checkLocation(tx: Transaction, ctx: ProcessContext): RiskFactor[] {
    if (tx.location === null) return [];
    const locations = ctx.state.map<string, Location>('locations', this.historyTtl);
    const risks = locationRisks(tx.location, locations.values());
    locations.put(`${tx.location.latitude},${tx.location.longitude}`, tx.location);
    return risks;
  }
}

/** Emits one risk assessment per transaction. */
export class FraudScorer implements ProcessFunction {
  readonly fields: readonly string[] = TRANSACTION_FIELDS;
  private readonly scoring: FraudScoring;

  constructor(options: FraudScorerOptions = {}) {
    this.scoring = new FraudScoring(options);
  }

  processElement(fields: Record<string, unknown>, ctx: ProcessContext): void {
    const tx = readTransaction(fields, ctx.timestamp);
    ctx.emit({ ...this.scoring.score(tx, ctx) });
  }

  onTimer(time: number, ctx: ProcessContext): void {
    this.scoring.expire(time, ctx);
  }
}

function highest(factors: readonly RiskFactor[]): number {
  let max = 0;
  for (const f of factors) max = Math.max(max, f.risk_score);
  return max;
}

/** First index whose time is > t (times ascending). */
function upperBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
