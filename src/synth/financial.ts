import { CaseBuilder, Reservations, epochText, flat, pickFree, quote, type Domain, type DomainSettings, type SynthEvent } from './domain.js';
import { Random } from './random.js';
import { Zipf } from './zipf.js';
import { WORLD_CITIES, fakerPool, haversineKm, pointNear, round2, seededFaker, type City, type Point } from './entities.js';

/**
 * Financial monitoring and security (seeds-digest §3 and §4): two kinds of record told apart by
 * `type`, `timestamp` in epoch ms, amounts in USD:
 *   transaction {type:"transaction", transaction_id, user_id, account_id, transaction_type:
 *                deposit|withdrawal|transfer|payment|investment, amount, currency, timestamp,
 *                merchant_id, location{latitude, longitude}, metadata{channel, device, merchant_name, city}}
 *   session     {type:"session", event_type: login|logout|page_view|api_call, user_id, account_id,
 *                session_id, timestamp, location{latitude, longitude}, ip_address, device, success}
 *
 * Background account holders live in a home city and transact within 15 km of it, during their
 * own hours (never 02:00-06:59 UTC), at least 7 minutes apart, with amounts near their typical
 * amount (never more than 2.5 standard deviations from their own history, never above 10,000).
 * They log in at most every 20 minutes, from home. So the fraud and security patterns (velocity
 * bursts, impossible travel, z > 3 outliers, night transactions, rapid logins, a large
 * transaction followed by 10 small ones) fire only on injected cases.
 */

const TOPICS = { transaction: 'transactions', session: 'security-events' } as const;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TYPES = ['payment', 'withdrawal', 'transfer', 'deposit', 'investment'] as const;
const TYPE_WEIGHTS = [0.6, 0.74, 0.86, 0.96, 1] as const;
/** Typical-amount multipliers per type: all near 1, so one history stays unimodal (no accidental z > 3). */
const TYPE_FACTOR = [0.8, 1.0, 1.2, 1.4, 1.4] as const;
const CHANNELS = ['card', 'online', 'atm', 'branch', 'online', 'card'] as const;
const DEVICES = ['mobile', 'desktop', 'tablet'] as const;
const HOME_RADIUS_KM = 15;
const TX_GAP = 7 * MINUTE;
const LOGIN_GAP = 20 * MINUTE;
/** Cases need the previous login this far back (5 logins in 5 min, 360 km/h across the home radius). */
const CASE_LOGIN_GAP = 6 * MINUTE;
const Z_CLAMP = 2.5;
/** The session analysis window of source 002: tumbling 30 minutes. */
const BOT_WINDOW = 30 * MINUTE;
/** Places per account near home, formatted once: float-to-text of coordinates per event cost ~15% of the run. */
const PLACES = 8;

/** A point with its `"location":{...}` JSON ready to splice into a record. */
interface Place extends Point {
  readonly json: string;
}

function place(point: Point): Place {
  return { ...point, json: flat(`"location":{"latitude":${point.latitude},"longitude":${point.longitude}}`) };
}

const TRANSACTION_REQUIRED = ['user_id', 'timestamp', 'amount', 'transaction_type', 'location'] as const;

export class FinancialGenerator implements Domain {
  readonly name = 'financial';
  readonly requiredFields = ['user_id', 'timestamp', 'type', 'amount', 'transaction_type', 'event_type', 'location'] as const;

  /**
   * `type` is required on security-session events only: the seeds' transactions carry no `type`
   * (seeds-digest §3), so the built-in financial rules treat it as optional there, and removing
   * it from a transaction would be a fault no rule can see.
   */
  requiredFieldsOf(record: Record<string, unknown>): readonly string[] {
    return record['type'] === 'transaction' ? TRANSACTION_REQUIRED : this.requiredFields;
  }
  readonly cases = [
    { kind: 'velocity_burst', span: 10 * MINUTE },
    { kind: 'impossible_travel', span: HOUR },
    { kind: 'amount_outlier', span: MINUTE },
    { kind: 'night_transaction', span: MINUTE },
    { kind: 'rapid_logins', span: 5 * MINUTE },
    { kind: 'large_then_small', span: HOUR },
    { kind: 'bot_session', span: HOUR },
  ];

  private readonly random: Random;
  private readonly settings: DomainSettings;
  private readonly users: number;
  private readonly userIds: string[];
  /** `"user_id":"user_1","account_id":"acc_1"` */
  private readonly ids: string[];
  private readonly home: City[];
  private readonly places: Place[];
  /** `,"city":"Seoul"` per account. */
  private readonly cityJson: string[];
  private readonly ip: string[];
  private readonly device: Uint8Array;
  private readonly typical: Float64Array;
  private readonly fromHour: Uint8Array;
  private readonly toHour: Uint8Array;
  private readonly userZipf: Zipf;
  private readonly reservations: Reservations;
  private readonly inSession: Uint8Array;
  private readonly sessionIds: string[];
  /** `"user_id":..,"account_id":..,"session_id":"..",` for the current session. */
  private readonly sessionHead: string[];
  /** `"ip_address":..,"device":..,"success":true}` (and false). */
  private readonly tailOk: string[];
  private readonly tailFailed: string[];
  private readonly loginTime: Float64Array;
  private readonly lastLogin: Float64Array;
  private readonly lastTx: Float64Array;
  // Welford running mean / variance of each account's background amounts (for the clamp)...
  private readonly count: Uint32Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  // ...and of all its amounts, injected ones included: what a scorer downstream sees.
  private readonly allCount: Uint32Array;
  private readonly allMean: Float64Array;
  private readonly allM2: Float64Array;
  private readonly merchants: string[];
  private readonly merchantIds: string[];
  private readonly merchantZipf: Zipf;
  private txSeq = 0;
  skipReason?: string;

  constructor(settings: DomainSettings) {
    const random = new Random(settings.seed, 'financial');
    this.random = random;
    this.settings = settings;
    const faker = seededFaker(settings.seed);
    const n = settings.entities;
    this.users = n;
    this.userIds = Array.from({ length: n }, (_, i) => `user_${i + 1}`);
    this.ids = this.userIds.map((id, i) => flat(`"user_id":"${id}","account_id":"acc_${i + 1}"`));
    this.home = [];
    this.places = [];
    this.cityJson = [];
    this.ip = [];
    this.device = new Uint8Array(n);
    this.typical = new Float64Array(n);
    this.fromHour = new Uint8Array(n);
    this.toHour = new Uint8Array(n);
    for (let u = 0; u < n; u++) {
      // Cities weighted towards the head of the list (Seoul, Busan, Tokyo...).
      const city = WORLD_CITIES[Math.floor(random.float() ** 2 * WORLD_CITIES.length)]!;
      this.home.push(city);
      const home = pointNear(city, 5, random);
      for (let i = 0; i < PLACES; i++) this.places.push(place(pointNear(home, HOME_RADIUS_KM, random)));
      this.cityJson.push(flat(`,"city":${quote(city.name)}`));
      this.ip.push(`${random.intBetween(11, 223)}.${random.int(256)}.${random.int(256)}.${random.intBetween(1, 254)}`);
      this.device[u] = random.int(DEVICES.length);
      this.typical[u] = Math.min(3000, Math.max(5, 60 * Math.exp(0.9 * random.normal())));
      this.fromHour[u] = random.intBetween(7, 9);
      // Until 20:00-02:00: some are night owls past midnight, nobody transacts 02:00-06:59 (the fraud scorer's late night is source 001's `2 <= hour <= 6`).
      this.toHour[u] = random.intBetween(20, 26);
    }
    this.userZipf = new Zipf(n, settings.userSkew, random);
    this.reservations = new Reservations(n);
    this.inSession = new Uint8Array(n);
    this.sessionIds = new Array<string>(n).fill('');
    this.sessionHead = this.ids.map((ids) => flat(`${ids},"session_id":"",`));
    this.tailOk = this.ip.map((ip, u) => flat(`"ip_address":"${ip}","device":"${DEVICES[this.device[u]!]}","success":true}`));
    this.tailFailed = this.tailOk.map((tail) => flat(tail.replace('"success":true}', '"success":false}')));
    this.loginTime = new Float64Array(n);
    this.lastLogin = new Float64Array(n).fill(-Infinity);
    this.lastTx = new Float64Array(n).fill(-Infinity);
    this.count = new Uint32Array(n);
    this.mean = new Float64Array(n);
    this.m2 = new Float64Array(n);
    this.allCount = new Uint32Array(n);
    this.allMean = new Float64Array(n);
    this.allM2 = new Float64Array(n);
    const merchantCount = Math.max(20, Math.min(500, Math.round(n / 10)));
    this.merchants = fakerPool(merchantCount, () => faker.company.name()).map(quote);
    this.merchantIds = Array.from({ length: merchantCount }, (_, i) => `m_${i + 1}`);
    this.merchantZipf = new Zipf(merchantCount, settings.skew, random);
  }

  background(time: number, out: SynthEvent[]): void {
    const random = this.random;
    // A few attempts: an account may have nothing it is allowed to do right now.
    for (let attempt = 0; attempt < 4; attempt++) {
      const u = pickFree(this.reservations, time, random, (r) => this.userZipf.sample(r), this.users);
      if (u < 0) return;
      const txAllowed = this.inHours(u, time) && time - this.lastTx[u]! >= TX_GAP;
      if (txAllowed && random.chance(0.5)) {
        out.push(this.transaction(u, time, this.pickType(), this.normalAmount(u, this.pickType()), this.near(u), true));
        return;
      }
      if (!this.inSession[u]) {
        if (time - this.lastLogin[u]! >= LOGIN_GAP) {
          out.push(this.login(u, time, this.near(u), true));
          return;
        }
      } else if (time - this.loginTime[u]! >= 10 * MINUTE && random.chance(0.1)) {
        this.inSession[u] = 0;
        out.push(this.sessionEvent(u, time, 'logout', this.near(u), true));
        return;
      } else {
        out.push(this.sessionEvent(u, time, random.chance(0.7) ? 'page_view' : 'api_call', this.near(u), true));
        return;
      }
      if (txAllowed) {
        out.push(this.transaction(u, time, this.pickType(), this.normalAmount(u, this.pickType()), this.near(u), true));
        return;
      }
    }
  }

  openCase(kind: string, time: number): SynthEvent[] | null {
    const span = this.cases.find((c) => c.kind === kind)?.span ?? HOUR;
    const at = kind === 'night_transaction' ? nightTime(time, this.random) : dayTime(time, span, this.random);
    this.skipReason = undefined;
    if (at + span > this.settings.end) {
      this.skipReason = kind === 'night_transaction' ? 'no 02:00-06:00 UTC left in the run' : 'the run ends before the case would';
      return null;
    }
    const builders: Record<string, (time: number) => SynthEvent[] | null> = {
      velocity_burst: (t) => this.velocityBurst(t),
      impossible_travel: (t) => this.impossibleTravel(t),
      amount_outlier: (t) => this.amountOutlier(t),
      night_transaction: (t) => this.nightTransaction(t),
      rapid_logins: (t) => this.rapidLogins(t),
      large_then_small: (t) => this.largeThenSmall(t),
      bot_session: (t) => this.botSession(t),
    };
    return builders[kind]?.(at) ?? null;
  }

  /** 6-8 withdrawals within 4 minutes (the 5-minute withdrawal threshold is 5). */
  private velocityBurst(time: number): SynthEvent[] | null {
    const u = this.findUser(time, () => true);
    if (u < 0) return null;
    const random = this.random;
    const withdrawals = random.intBetween(6, 8);
    const build = new CaseBuilder('velocity_burst', this.userIds[u]!, { transaction_type: 'withdrawal', count: withdrawals });
    let at = time;
    for (let i = 0; i < withdrawals; i++) {
      const e = this.transaction(u, at, 'withdrawal', this.normalAmount(u, 'withdrawal'), this.near(u), false);
      build.add(e.time, e.key, e.topic, e.text);
      if (i === 4) build.completesHere();
      at += random.intBetween(20 * SECOND, 30 * SECOND);
    }
    return this.finish(u, build);
  }

  /** A login at home, then a login > 800 km away faster than 1000 km/h allows, and a payment there. */
  private impossibleTravel(time: number): SynthEvent[] | null {
    const u = this.findUser(time, (i) => time - this.lastLogin[i]! >= CASE_LOGIN_GAP);
    if (u < 0) return null;
    const random = this.random;
    const home = this.near(u);
    const far = WORLD_CITIES.filter((c) => haversineKm(home, c) >= 800);
    const near = far.filter((c) => haversineKm(home, c) <= 3000);
    const city = random.pick(near.length > 0 ? near : far);
    const there = place(pointNear(city, 5, random));
    const distanceKm = haversineKm(home, there);
    // At most 80% of the time a 1000 km/h flight would need, and at most 40 minutes.
    const gap = Math.max(MINUTE, Math.min(40 * MINUTE, Math.floor(((distanceKm / 1000) * HOUR) * 0.8)));
    const build = new CaseBuilder('impossible_travel', this.userIds[u]!, {
      from: this.home[u]!.name,
      to: city.name,
      distanceKm: Math.round(distanceKm),
      speedKmh: Math.round(distanceKm / (gap / HOUR)),
    });
    const first = this.login(u, time, home, true);
    build.add(first.time, first.key, first.topic, first.text);
    const second = this.login(u, time + gap, there, true);
    build.add(second.time, second.key, second.topic, second.text);
    build.completesHere();
    const pay = this.transaction(u, time + gap + random.intBetween(MINUTE, 5 * MINUTE), 'payment', this.normalAmount(u, 'payment'), there, false);
    build.add(pay.time, pay.key, pay.topic, pay.text);
    const events = this.finish(u, build);
    // Back home no faster than 800 km/h: the return must not be a second impossible travel.
    this.reservations.reserve(u, pay.time + Math.ceil((distanceKm / 800) * HOUR));
    return events;
  }

  /**
   * One transaction far above the account's own history: z > 4 against all its earlier amounts,
   * with or without itself. Needs 20 earlier amounts: with itself included, n values allow at most
   * z = (n - 1) / sqrt(n), which passes 4 only from n = 18.
   */
  private amountOutlier(time: number): SynthEvent[] | null {
    const u = this.findUser(time, (i) => this.allCount[i]! >= 20);
    if (u < 0) return null;
    const n = this.allCount[u]!;
    const mean = this.allMean[u]!;
    const m2 = this.allM2[u]!;
    const sd = Math.sqrt(m2 / (n - 1));
    let amount = 0;
    let z = 0;
    for (let k = 6; k < 1000 && z <= 4; k += 2) {
      amount = round2(mean + k * Math.max(sd, mean * 0.05));
      z = Math.min(zScore(amount, n, mean, m2, false), zScore(amount, n, mean, m2, true));
    }
    const build = new CaseBuilder('amount_outlier', this.userIds[u]!, { amount, historyMean: round2(mean), historyCount: n, z: round2(z) });
    const e = this.transaction(u, time, 'transfer', amount, this.near(u), false);
    build.add(e.time, e.key, e.topic, e.text);
    return this.finish(u, build);
  }

  /** A transaction between 02:00 and 06:00 UTC by an account that never transacts at night. */
  private nightTransaction(time: number): SynthEvent[] | null {
    const u = this.findUser(time, () => true);
    if (u < 0) return null;
    const build = new CaseBuilder('night_transaction', this.userIds[u]!, { hourUtc: new Date(time).getUTCHours() });
    const e = this.transaction(u, time, 'payment', this.normalAmount(u, 'payment'), this.near(u), false);
    build.add(e.time, e.key, e.topic, e.text);
    return this.finish(u, build);
  }

  /** 5-6 logins from one place within 4 minutes, nothing else in between. */
  private rapidLogins(time: number): SynthEvent[] | null {
    const u = this.findUser(time, (i) => time - this.lastLogin[i]! >= CASE_LOGIN_GAP);
    if (u < 0) return null;
    const random = this.random;
    const logins = random.intBetween(5, 6);
    const build = new CaseBuilder('rapid_logins', this.userIds[u]!, { logins });
    const where = this.near(u);
    let at = time;
    for (let i = 0; i < logins; i++) {
      const e = this.login(u, at, where, i === logins - 1);
      build.add(e.time, e.key, e.topic, e.text);
      if (i === 4) build.completesHere();
      at += random.intBetween(20 * SECOND, 45 * SECOND);
    }
    return this.finish(u, build);
  }

  /** A transfer above 10,000, then 10-12 payments below 100 within the hour. */
  private largeThenSmall(time: number): SynthEvent[] | null {
    const u = this.findUser(time, () => true);
    if (u < 0) return null;
    const random = this.random;
    const smalls = random.intBetween(10, 12);
    const large = round2(random.between(12_000, 40_000));
    const n = this.allCount[u]!;
    const outlier = n >= 2 && zScore(large, n, this.allMean[u]!, this.allM2[u]!, false) > 3;
    const build = new CaseBuilder('large_then_small', this.userIds[u]!, { large, smalls, ...(outlier ? { alsoQualifies: ['amount_outlier'] } : {}) });
    const first = this.transaction(u, time, 'transfer', large, this.near(u), false);
    build.add(first.time, first.key, first.topic, first.text);
    let at = time;
    for (let i = 0; i < smalls; i++) {
      at += random.intBetween(2 * MINUTE, 4 * MINUTE);
      const e = this.transaction(u, at, 'payment', round2(random.between(5, 95)), this.near(u), false);
      build.add(e.time, e.key, e.topic, e.text);
      if (i === 9) build.completesHere();
    }
    return this.finish(u, build);
  }

  /**
   * A bot: a login, then 101-140 api_call events and no page_view, inside one 30-minute tumbling
   * window (the session analysis of source 002 scores > 100 api calls without page views 0.5).
   * The case starts at the next half hour so that no earlier page view shares its window.
   */
  private botSession(time: number): SynthEvent[] | null {
    const windowStart = time - (time % BOT_WINDOW) + BOT_WINDOW;
    if (windowStart + BOT_WINDOW > this.settings.end) return null;
    const u = this.findUser(time, (i) => time - this.lastLogin[i]! >= CASE_LOGIN_GAP);
    if (u < 0) return null;
    const random = this.random;
    const calls = random.intBetween(101, 140);
    const build = new CaseBuilder('bot_session', this.userIds[u]!, { api_calls: calls });
    const where = this.near(u);
    let at = windowStart + random.intBetween(5 * SECOND, MINUTE);
    const login = this.login(u, at, where, true);
    build.add(login.time, login.key, login.topic, login.text);
    for (let i = 0; i < calls; i++) {
      at += random.intBetween(2 * SECOND, 8 * SECOND);
      const e = this.sessionEvent(u, at, 'api_call', where, true);
      build.add(e.time, e.key, e.topic, e.text);
      if (i === 100) build.completesHere();
    }
    // The session stays open without page views until the window has closed.
    const events = this.finish(u, build);
    this.reservations.reserve(u, windowStart + BOT_WINDOW);
    return events;
  }

  private findUser(time: number, fits: (u: number) => boolean): number {
    return this.reservations.find(time, this.random, (r) => r.int(this.users), fits);
  }

  private finish(u: number, build: CaseBuilder): SynthEvent[] {
    const events = build.build();
    const last = events[events.length - 1]!.time;
    this.reservations.reserve(u, last + 1);
    return events;
  }

  private inHours(u: number, time: number): boolean {
    const hour = Math.floor((time % DAY) / HOUR);
    const to = this.toHour[u]!;
    return (hour >= this.fromHour[u]! && hour < to) || hour < to - 24;
  }

  private pickType(): number {
    const r = this.random.float();
    let t = 0;
    while (r >= TYPE_WEIGHTS[t]!) t++;
    return t;
  }

  /** Near the account's typical amount, clamped to mean ± 2.5 sd of its own history. */
  private normalAmount(u: number, type: number | string): number {
    const t = typeof type === 'number' ? type : TYPES.indexOf(type as (typeof TYPES)[number]);
    let amount = this.typical[u]! * TYPE_FACTOR[t]! * this.random.between(0.7, 1.3);
    const n = this.count[u]!;
    if (n >= 2) {
      const sd = Math.sqrt(this.m2[u]! / n);
      const mean = this.mean[u]!;
      amount = Math.min(mean + Z_CLAMP * sd, Math.max(mean - Z_CLAMP * sd, amount));
    }
    return Math.max(1, round2(amount));
  }

  /** One of the account's usual places, all within 15 km of home. */
  private near(u: number): Place {
    return this.places[u * PLACES + this.random.int(PLACES)]!;
  }

  private transaction(u: number, time: number, type: number | string, amount: number, where: Place, background: boolean): SynthEvent {
    const t = typeof type === 'number' ? type : TYPES.indexOf(type as (typeof TYPES)[number]);
    const typeName = TYPES[t]!;
    if (background) {
      // Welford's update; injected amounts stay out of the history so background keeps its spread.
      const n = ++this.count[u]!;
      const delta = amount - this.mean[u]!;
      this.mean[u]! += delta / n;
      this.m2[u]! += delta * (amount - this.mean[u]!);
    }
    const all = ++this.allCount[u]!;
    const allDelta = amount - this.allMean[u]!;
    this.allMean[u]! += allDelta / all;
    this.allM2[u]! += allDelta * (amount - this.allMean[u]!);
    this.lastTx[u] = Math.max(this.lastTx[u]!, time);
    const random = this.random;
    const hasMerchant = typeName === 'payment' || typeName === 'investment';
    const m = hasMerchant ? this.merchantZipf.sample(random) : -1;
    const merchant = m < 0 ? 'null' : `"${this.merchantIds[m]}"`;
    const merchantName = m < 0 ? '' : `,"merchant_name":${this.merchants[m]}`;
    const channel = typeName === 'withdrawal' ? 'atm' : CHANNELS[random.int(CHANNELS.length)];
    this.txSeq++;
    const text = `{"type":"transaction","transaction_id":"tx_${this.txSeq}${random.token(4)}",${this.ids[u]},"transaction_type":"${typeName}","amount":${amount},"currency":"USD","timestamp":${epochText(time)},"merchant_id":${merchant},${where.json},"metadata":{"channel":"${channel}","device":"${DEVICES[this.device[u]!]}"${merchantName}${this.cityJson[u]}}}`;
    return { time, key: this.userIds[u]!, topic: TOPICS.transaction, text, owner: null };
  }

  private login(u: number, time: number, where: Place, success: boolean): SynthEvent {
    this.inSession[u] = 1;
    this.sessionIds[u] = `sess_${this.random.token(8)}`;
    this.sessionHead[u] = flat(`${this.ids[u]},"session_id":"${this.sessionIds[u]}",`);
    this.loginTime[u] = time;
    this.lastLogin[u] = Math.max(this.lastLogin[u]!, time);
    return this.sessionEvent(u, time, 'login', where, success);
  }

  private sessionEvent(u: number, time: number, type: string, where: Place, success: boolean): SynthEvent {
    // Session events are most of this stream: the per-session and per-account parts are joined once.
    const text = `{"type":"session","event_type":"${type}",${this.sessionHead[u]}"timestamp":${epochText(time)},${where.json},${success ? this.tailOk[u] : this.tailFailed[u]}`;
    return { time, key: this.userIds[u]!, topic: TOPICS.session, text, owner: null };
  }
}

/** The z-score of `x` against a history (n, mean, m2), with the sample sd, optionally including x itself. */
function zScore(x: number, n: number, mean: number, m2: number, includeSelf: boolean): number {
  if (!includeSelf) return n < 2 ? Infinity : (x - mean) / Math.sqrt(m2 / (n - 1));
  const n1 = n + 1;
  const delta = x - mean;
  const mean1 = mean + delta / n1;
  const m21 = m2 + delta * (x - mean1);
  return (x - mean1) / Math.sqrt(m21 / (n1 - 1));
}

/** `time` if a case of `span` starting then ends before 02:00 or starts after 07:00 UTC (the scorer's late night is 02:00-06:59); else 07:00-08:00. */
function dayTime(time: number, span: number, random: Random): number {
  const ofDay = time % DAY;
  const afterMorning = ofDay >= 7 * HOUR;
  if (afterMorning ? ofDay + span < DAY + 2 * HOUR : ofDay + span < 2 * HOUR) return time;
  return time - ofDay + (afterMorning ? DAY : 0) + 7 * HOUR + random.int(HOUR);
}

/** The next moment between 02:00 and 05:59 UTC at or after `time`. */
function nightTime(time: number, random: Random): number {
  const hour = Math.floor((time % DAY) / HOUR);
  if (hour >= 2 && hour < 6) return time;
  const day = time - (time % DAY) + (hour >= 6 ? DAY : 0);
  return day + 2 * HOUR + random.int(4 * HOUR - MINUTE);
}
