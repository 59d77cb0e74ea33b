import { CaseBuilder, Reservations, epochText, flat, pickFree, quote, type Domain, type DomainSettings, type SynthEvent } from './domain.js';
import { Random } from './random.js';
import { Zipf } from './zipf.js';
import { fakerPool, seededFaker } from './entities.js';

/**
 * Media streaming activity (seeds-digest §1). One record shape, `timestamp` in epoch ms:
 *   {userId, eventType, contentId, timestamp, sessionId, device, genre?, quality?, watchSeconds?,
 *    rating?, experimentId?, variant?}
 *
 * Background behaviour, chosen so that the CEP scenarios only fire on injected cases:
 * - users live in sessions: login → watch / interact / browse → logout, and a session lasts more
 *   than 15 minutes (churn exits are login → 1-3 watches → logout within 15 min);
 * - after a watch the same user always does something else first (a binge is 4 watches with
 *   nothing in between);
 * - nobody likes both comedy and thriller (a taste change is 5 comedies then 3 thrillers);
 * - nobody watches in 4K (a premium conversion ends with a 4K watch);
 * - a content item is shared at most 4 times in 2 hours (a viral share is 5 shares in 2 h):
 *   a fifth background share becomes a like.
 */

const TOPIC = 'user-events';
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const GENRES = ['comedy', 'thriller', 'drama', 'action', 'documentary', 'romance', 'animation', 'sci-fi', 'horror'] as const;
const COMEDY = 0;
const THRILLER = 1;
const DEVICES = ['mobile', 'tv', 'web', 'tablet'] as const;
const QUALITIES = ['SD', 'HD', 'FHD'] as const;
const VIRAL_SHARES = 5;
const VIRAL_WITHIN = 2 * HOUR;

export class MediaGenerator implements Domain {
  readonly name = 'media';
  readonly requiredFields = ['userId', 'eventType', 'contentId', 'timestamp', 'sessionId', 'device'] as const;
  readonly cases = [
    { kind: 'binge', span: 100 * MINUTE },
    { kind: 'churn_exit', span: 15 * MINUTE },
    { kind: 'viral_share', span: 2 * HOUR },
    { kind: 'taste_change', span: 3 * HOUR },
    { kind: 'premium_conversion', span: HOUR },
  ];

  private readonly random: Random;
  private readonly users: number;
  /** `{"userId":"u12","eventType":"` — the fixed head of every record of a user. */
  private readonly head: string[];
  private readonly userIds: string[];
  private readonly devices: Uint8Array;
  private readonly qualities: Uint8Array;
  private readonly genres: Uint8Array[];
  /** `,"experimentId":"exp-autoplay","variant":"B"` or '' */
  private readonly experiment: string[];
  private readonly conversionRate: Float64Array;
  private readonly userZipf: Zipf;
  private readonly reservations: Reservations;
  // Session state per user.
  private readonly inSession: Uint8Array;
  private readonly sessionIds: string[];
  private readonly loginTime: Float64Array;
  private readonly sessionEnd: Float64Array;
  private readonly lastWasWatch: Uint8Array;
  private readonly lastContent: Int32Array;
  // Content catalogue.
  private readonly contentIds: string[];
  private readonly contentGenre: Uint8Array;
  private readonly contentSeconds: Uint16Array;
  private readonly genreItems: Uint32Array[];
  private readonly genreZipf: Zipf[];
  /** Per content, the times of its last 4 shares (ring), for the viral guard. */
  private readonly shareTimes: Float64Array;
  private readonly shareAt: Uint8Array;
  readonly titles: string[];

  constructor(settings: DomainSettings) {
    const random = new Random(settings.seed, 'media');
    this.random = random;
    const n = settings.entities;
    this.users = n;
    this.userIds = Array.from({ length: n }, (_, i) => `u${i + 1}`);
    this.head = this.userIds.map((id) => flat(`{"userId":${quote(id)},"eventType":"`));
    this.devices = new Uint8Array(n * 2);
    this.qualities = new Uint8Array(n);
    this.genres = [];
    this.experiment = [];
    this.conversionRate = new Float64Array(n);
    for (let u = 0; u < n; u++) {
      this.devices[2 * u] = random.int(DEVICES.length);
      this.devices[2 * u + 1] = random.int(DEVICES.length);
      this.qualities[u] = random.int(QUALITIES.length);
      this.genres.push(favouriteGenres(random));
      // 40% of users are in the autoplay experiment; variant B converts twice as often as A.
      if (random.chance(0.4)) {
        const variant = random.chance(0.5) ? 'A' : 'B';
        this.experiment.push(flat(`,"experimentId":"exp-autoplay","variant":"${variant}"`));
        this.conversionRate[u] = variant === 'B' ? 0.04 : 0.02;
      } else {
        this.experiment.push('');
        this.conversionRate[u] = 0.01;
      }
    }
    this.userZipf = new Zipf(n, settings.userSkew, random);
    this.reservations = new Reservations(n);
    this.inSession = new Uint8Array(n);
    this.sessionIds = new Array<string>(n).fill('');
    this.loginTime = new Float64Array(n);
    this.sessionEnd = new Float64Array(n);
    this.lastWasWatch = new Uint8Array(n);
    this.lastContent = new Int32Array(n);

    const items = Math.max(50, Math.round(n / 2));
    this.contentIds = Array.from({ length: items }, (_, i) => `c${i + 1}`);
    this.contentGenre = new Uint8Array(items);
    this.contentSeconds = new Uint16Array(items);
    const byGenre: number[][] = GENRES.map(() => []);
    for (let c = 0; c < items; c++) {
      // Every genre gets content even in a small catalogue: the first items cycle through them.
      const genre = c < GENRES.length ? c : random.int(GENRES.length);
      this.contentGenre[c] = genre;
      this.contentSeconds[c] = random.intBetween(600, 9000);
      byGenre[genre]!.push(c);
    }
    this.genreItems = byGenre.map((list) => Uint32Array.from(list));
    this.genreZipf = byGenre.map((list) => new Zipf(list.length, settings.skew, random));
    this.shareTimes = new Float64Array(items * 4).fill(-Infinity);
    this.shareAt = new Uint8Array(items);
    // Titles are not in the records (ids are); they name content in the docs and the UI.
    const faker = seededFaker(settings.seed);
    this.titles = fakerPool(Math.min(items, 500), () => faker.music.songName());
  }

  background(time: number, out: SynthEvent[]): void {
    const random = this.random;
    const u = pickFree(this.reservations, time, random, (r) => this.userZipf.sample(r), this.users);
    if (u < 0) return;
    if (!this.inSession[u]) {
      this.login(u, time);
      out.push(this.record(u, time, 'user.login', -1, ''));
      return;
    }
    if (time >= this.sessionEnd[u]!) {
      this.inSession[u] = 0;
      this.lastWasWatch[u] = 0;
      out.push(this.record(u, time, 'user.logout', -1, ''));
      return;
    }
    if (this.lastWasWatch[u]) {
      this.lastWasWatch[u] = 0;
      const c = this.lastContent[u]!;
      const r = random.float();
      if (r < 0.3) out.push(this.record(u, time, 'content.liked', c, ''));
      else if (r < 0.42) out.push(this.record(u, time, 'content.rated', c, `,"rating":${random.intBetween(1, 5)}`));
      else if (r < 0.5) out.push(this.record(u, time, this.mayShare(c, time) ? 'content.shared' : 'content.liked', c, ''));
      else if (r < 0.8) out.push(this.record(u, time, 'content.completed', c, ''));
      else out.push(this.record(u, time, 'content.browsed', -1, ''));
      return;
    }
    const r = random.float();
    if (r < 0.68) {
      out.push(this.watch(u, time, this.pickContent(u), QUALITIES[this.qualities[u]!]!));
    } else if (r < 0.68 + 0.1 * this.conversionRate[u]!) {
      // A/B conversions (subscription.purchased / user.upgraded): rare, twice as likely in variant B.
      out.push(this.record(u, time, random.chance(0.5) ? 'subscription.purchased' : 'user.upgraded', -1, ''));
    } else {
      out.push(this.record(u, time, 'content.browsed', -1, ''));
    }
  }

  openCase(kind: string, time: number): SynthEvent[] | null {
    const builders: Record<string, (time: number) => SynthEvent[] | null> = {
      binge: (t) => this.binge(t),
      churn_exit: (t) => this.churnExit(t),
      viral_share: (t) => this.viralShare(t),
      taste_change: (t) => this.tasteChange(t),
      premium_conversion: (t) => this.premiumConversion(t),
    };
    return builders[kind]?.(time) ?? null;
  }

  /** ≥ 4 consecutive watches within 2 h (content.watched next content.watched times(3)). */
  private binge(time: number): SynthEvent[] | null {
    const random = this.random;
    const u = this.findUser(time, () => true);
    if (u < 0) return null;
    const watches = random.intBetween(4, 6);
    const build = new CaseBuilder('binge', this.userIds[u]!, { watches });
    let at = time;
    if (!this.inSession[u]) {
      this.login(u, at);
      build.add(at, this.userIds[u]!, TOPIC, this.record(u, at, 'user.login', -1, '').text);
    }
    for (let i = 0; i < watches; i++) {
      at += random.intBetween(5 * MINUTE, 15 * MINUTE);
      build.add(at, this.userIds[u]!, TOPIC, this.watch(u, at, this.pickContent(u), QUALITIES[this.qualities[u]!]!).text);
      if (i === 3) build.completesHere();
    }
    this.lastWasWatch[u] = 1;
    return this.finish(u, build);
  }

  /** login → 1-3 watches → logout, all within 15 min. */
  private churnExit(time: number): SynthEvent[] | null {
    const random = this.random;
    // A user out of session, or one whose session is old enough to end now (> 15 min: no churn of its own).
    const u = this.findUser(time, (i) => !this.inSession[i] || time - this.loginTime[i]! > 16 * MINUTE);
    if (u < 0) return null;
    const watches = random.intBetween(1, 3);
    const build = new CaseBuilder('churn_exit', this.userIds[u]!, { watches });
    if (this.inSession[u]) {
      build.add(time, this.userIds[u]!, TOPIC, this.record(u, time, 'user.logout', -1, '').text);
      time += random.intBetween(5_000, 30_000);
    }
    this.login(u, time);
    build.add(time, this.userIds[u]!, TOPIC, this.record(u, time, 'user.login', -1, '').text);
    let at = time;
    for (let i = 0; i < watches; i++) {
      at += random.intBetween(MINUTE, 2 * MINUTE);
      if (i > 0) {
        // Browsing between the watches: two watches in a row would start a binge.
        build.add(at, this.userIds[u]!, TOPIC, this.record(u, at, 'content.browsed', -1, '').text);
        at += random.intBetween(10_000, 40_000);
      }
      build.add(at, this.userIds[u]!, TOPIC, this.watch(u, at, this.pickContent(u), QUALITIES[this.qualities[u]!]!).text);
    }
    at += random.intBetween(MINUTE, 3 * MINUTE);
    build.add(at, this.userIds[u]!, TOPIC, this.record(u, at, 'user.logout', -1, '').text);
    this.inSession[u] = 0;
    this.lastWasWatch[u] = 0;
    return this.finish(u, build);
  }

  /** A watch of a rarely watched item, then 5-8 shares of it by other users within 2 h. */
  private viralShare(time: number): SynthEvent[] | null {
    const random = this.random;
    const items = this.contentIds.length;
    let c = -1;
    for (let i = 0; i < 50 && c < 0; i++) {
      const candidate = random.int(items);
      if (this.newestShare(candidate) < time - VIRAL_WITHIN) c = candidate;
    }
    if (c < 0) return null;
    const watcher = this.findUser(time, (u) => !this.lastWasWatch[u] && this.genres[u]!.includes(this.contentGenre[c]!));
    if (watcher < 0) return null;
    const shares = random.intBetween(VIRAL_SHARES, 8);
    const build = new CaseBuilder('viral_share', this.contentIds[c]!, { shares, watcher: this.userIds[watcher] });
    // Users out of a session log in first, as in background: a watch or share outside a session
    // would carry sessionId null, which the media rules report as an empty field.
    if (!this.inSession[watcher]) {
      this.login(watcher, time);
      build.add(time, this.userIds[watcher]!, TOPIC, this.record(watcher, time, 'user.login', -1, '').text);
      time += random.intBetween(SECOND, 30 * SECOND);
    }
    build.add(time, this.userIds[watcher]!, TOPIC, this.watch(watcher, time, c, QUALITIES[this.qualities[watcher]!]!).text);
    this.lastWasWatch[watcher] = 1;
    this.reservations.reserve(watcher, time + 1);
    const offsets = Array.from({ length: shares }, () => random.intBetween(2 * MINUTE, 100 * MINUTE)).sort((a, b) => a - b);
    const sharers = new Set<number>([watcher]);
    for (let i = 0; i < shares; i++) {
      const at = time + offsets[i]!;
      // Sharers like the item's genre: a comedy fan sharing a thriller would bend the taste-change pattern.
      const u = this.findUser(time, (candidate) => !sharers.has(candidate) && this.genres[candidate]!.includes(this.contentGenre[c]!));
      if (u < 0) return null;
      sharers.add(u);
      if (!this.inSession[u]) {
        const login = at - random.intBetween(SECOND, MINUTE);
        this.login(u, login);
        build.add(login, this.userIds[u]!, TOPIC, this.record(u, login, 'user.login', -1, '').text);
      }
      build.add(at, this.userIds[u]!, TOPIC, this.record(u, at, 'content.shared', c, '').text);
      if (i === VIRAL_SHARES - 1) build.completesHere();
      this.lastWasWatch[u] = 0;
      this.reservations.reserve(u, at + 1);
      this.noteShare(c, at);
    }
    return build.build();
  }

  /** 5 comedies, then ≥ 3 thrillers, within 7 days; the user's taste stays thriller afterwards. */
  private tasteChange(time: number): SynthEvent[] | null {
    const random = this.random;
    // Not right after a watch of its own: the first case watch must not make a pair (a binge start).
    const u = this.findUser(time, (i) => !this.lastWasWatch[i] && this.genres[i]!.includes(COMEDY));
    if (u < 0) return null;
    const thrillers = random.intBetween(3, 4);
    const build = new CaseBuilder('taste_change', this.userIds[u]!, { from: 'comedy', to: 'thriller', comedies: 5, thrillers });
    let at = time;
    if (!this.inSession[u]) {
      this.login(u, at);
      build.add(at, this.userIds[u]!, TOPIC, this.record(u, at, 'user.login', -1, '').text);
    }
    for (let i = 0; i < 5 + thrillers; i++) {
      at += random.intBetween(8 * MINUTE, 20 * MINUTE);
      const genre = i < 5 ? COMEDY : THRILLER;
      const items = this.genreItems[genre]!;
      const c = items[this.genreZipf[genre]!.sample(random)]!;
      build.add(at, this.userIds[u]!, TOPIC, this.watch(u, at, c, QUALITIES[this.qualities[u]!]!).text);
      if (i === 7) build.completesHere();
      // Browsing between watches: the taste change must not also be a binge. (Browsing carries
      // no genre, so the genre events are exactly the 5 + N watches.)
      const browse = at + random.intBetween(MINUTE, 5 * MINUTE);
      build.add(browse, this.userIds[u]!, TOPIC, this.record(u, browse, 'content.browsed', -1, '').text);
    }
    this.genres[u] = Uint8Array.from(this.genres[u]!, (g) => (g === COMEDY ? THRILLER : g));
    this.lastWasWatch[u] = 0;
    return this.finish(u, build);
  }

  /** watch → next 3-4 likes/ratings → a 4K watch (then an upgrade), within 24 h. */
  private premiumConversion(time: number): SynthEvent[] | null {
    const random = this.random;
    const u = this.findUser(time, (i) => !this.lastWasWatch[i]);
    if (u < 0) return null;
    const engagements = random.intBetween(3, 4);
    const build = new CaseBuilder('premium_conversion', this.userIds[u]!, { engagements });
    let at = time;
    if (!this.inSession[u]) {
      this.login(u, at);
      build.add(at, this.userIds[u]!, TOPIC, this.record(u, at, 'user.login', -1, '').text);
    }
    at += random.intBetween(MINUTE, 3 * MINUTE);
    const c = this.pickContent(u);
    build.add(at, this.userIds[u]!, TOPIC, this.watch(u, at, c, QUALITIES[this.qualities[u]!]!).text);
    for (let i = 0; i < engagements; i++) {
      at += random.intBetween(30_000, 3 * MINUTE);
      const rated = random.chance(0.5);
      build.add(at, this.userIds[u]!, TOPIC, this.record(u, at, rated ? 'content.rated' : 'content.liked', c, rated ? `,"rating":${random.intBetween(4, 5)}` : '').text);
    }
    at += random.intBetween(5 * MINUTE, 40 * MINUTE);
    build.add(at, this.userIds[u]!, TOPIC, this.watch(u, at, this.pickContent(u), '4K').text);
    build.completesHere();
    at += random.intBetween(MINUTE, 5 * MINUTE);
    build.add(at, this.userIds[u]!, TOPIC, this.record(u, at, 'user.upgraded', -1, '').text);
    this.lastWasWatch[u] = 0;
    return this.finish(u, build);
  }

  private findUser(time: number, fits: (u: number) => boolean): number {
    return this.reservations.find(time, this.random, (r) => r.int(this.users), fits);
  }

  /** Reserves the user for the case and keeps the session open past it. */
  private finish(u: number, build: CaseBuilder): SynthEvent[] {
    const events = build.build();
    const last = events[events.length - 1]!.time;
    this.reservations.reserve(u, last + 1);
    if (this.inSession[u]) this.sessionEnd[u] = Math.max(this.sessionEnd[u]!, last + this.random.intBetween(MINUTE, 20 * MINUTE));
    return events;
  }

  private login(u: number, time: number): void {
    this.inSession[u] = 1;
    this.sessionIds[u] = `s-${this.random.token(8)}`;
    this.loginTime[u] = time;
    // Sessions last 16 min to 2 h: never a churn exit (logout within 15 min of login).
    this.sessionEnd[u] = time + this.random.intBetween(16 * MINUTE, 2 * HOUR);
    this.lastWasWatch[u] = 0;
  }

  private pickContent(u: number): number {
    const genres = this.genres[u]!;
    const genre = genres[this.random.int(genres.length)]!;
    return this.genreItems[genre]![this.genreZipf[genre]!.sample(this.random)]!;
  }

  private watch(u: number, time: number, c: number, quality: string): SynthEvent {
    this.lastWasWatch[u] = 1;
    this.lastContent[u] = c;
    const seconds = Math.floor(this.contentSeconds[c]! * (0.1 + 0.9 * this.random.float()));
    return this.record(u, time, 'content.watched', c, `,"quality":"${quality}","watchSeconds":${seconds}`);
  }

  private record(u: number, time: number, type: string, c: number, extra: string): SynthEvent {
    const device = DEVICES[this.devices[2 * u + (this.random.float() < 0.8 ? 0 : 1)]!]!;
    const content = c < 0 ? 'null' : `"${this.contentIds[c]}"`;
    const genre = c < 0 ? '' : `,"genre":"${GENRES[this.contentGenre[c]!]}"`;
    const session = this.sessionIds[u] ? `"${this.sessionIds[u]}"` : 'null';
    const text = `${this.head[u]}${type}","contentId":${content},"timestamp":${epochText(time)},"sessionId":${session},"device":"${device}"${genre}${extra}${this.experiment[u]}}`;
    return { time, key: this.userIds[u]!, topic: TOPIC, text, owner: null };
  }

  private mayShare(c: number, time: number): boolean {
    // The 4th most recent share is the oldest in the ring: a new share would be the 5th within 2 h.
    const oldest = this.shareTimes[c * 4 + this.shareAt[c]!]!;
    if (time - oldest < VIRAL_WITHIN) return false;
    this.noteShare(c, time);
    return true;
  }

  private noteShare(c: number, time: number): void {
    this.shareTimes[c * 4 + this.shareAt[c]!] = time;
    this.shareAt[c] = (this.shareAt[c]! + 1) % 4;
  }

  private newestShare(c: number): number {
    let newest = -Infinity;
    for (let i = 0; i < 4; i++) newest = Math.max(newest, this.shareTimes[c * 4 + i]!);
    return newest;
  }
}

/** 2-3 favourite genres, never both comedy and thriller. */
function favouriteGenres(random: Random): Uint8Array {
  const count = random.intBetween(2, 3);
  const chosen: number[] = [];
  while (chosen.length < count) {
    const genre = random.int(GENRES.length);
    if (chosen.includes(genre)) continue;
    if ((genre === COMEDY && chosen.includes(THRILLER)) || (genre === THRILLER && chosen.includes(COMEDY))) continue;
    chosen.push(genre);
  }
  return Uint8Array.from(chosen);
}
