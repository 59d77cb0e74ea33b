import { CaseBuilder, Reservations, epochText, flat, pickFree, quote, type Domain, type DomainSettings, type SynthEvent } from './domain.js';
import { Random } from './random.js';
import { Zipf } from './zipf.js';
import { KOREAN_CITIES, fakerPool, seededFaker } from './entities.js';

/**
 * E-commerce (seeds-digest §2), three streams in one file told apart by `stream`
 * ("user" | "product" | "order"), `timestamp` in epoch ms, amounts in KRW:
 *   user    {stream, user_id, event_type, timestamp, metadata{device, session_id, page, product_id?}}
 *           event_type: login | browse | view | click | search | add_to_cart | checkout | purchase | logout
 *   product {stream, product_id, action: view|cart|purchase, user_id, session_id, timestamp, properties{category, price, name}}
 *   order   {stream, order_id, user_id, status, total_amount, currency, timestamp, items[{product_id, quantity, price}],
 *            shipping_address{city}, payment_method}
 * Orders reference users and products that exist; a purchase writes the user event, one product
 * event per item and the order, at the same event time.
 *
 * Background shoppers have a persona. Browsers browse, view and fill carts, then abandon them
 * (never check out). Buyers never browse; they view, click, add to cart, check out and buy after
 * thinking: the purchase comes more than 15 min after login, more than 10 min after their last
 * view, more than 5 min after their third-last click, more than 10 min after their previous
 * order, and every order stays under 1,000,000 KRW. So the funnel patterns, high-value orders
 * and order bursts (≥ 3 orders in 10 min) fire only on injected cases.
 */

const TOPICS = { user: 'user_events', product: 'product_analytics', order: 'order_events' } as const;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HIGH_VALUE = 1_000_000;
/** Background orders stay below this (KRW): a high-value order is ≥ 1,000,000. */
const ORDER_CAP = 950_000;
const DEVICES = ['mobile', 'desktop', 'tablet', 'app'] as const;
const PAYMENTS = ['card', 'kakaopay', 'naverpay', 'bank_transfer'] as const;
const CART_SLOTS = 4;

export class EcommerceGenerator implements Domain {
  readonly name = 'ecommerce';
  readonly requiredFields = ['user_id', 'timestamp', 'event_type', 'action', 'product_id', 'order_id', 'total_amount'] as const;
  readonly cases = [
    { kind: 'high_value_order', span: 30 * MINUTE },
    { kind: 'order_burst', span: 35 * MINUTE },
    { kind: 'funnel', span: 6 * MINUTE },
  ];

  private readonly random: Random;
  private readonly users: number;
  private readonly userIds: string[];
  private readonly buyer: Uint8Array;
  private readonly device: Uint8Array;
  private readonly city: string[];
  private readonly userZipf: Zipf;
  private readonly reservations: Reservations;
  private readonly inSession: Uint8Array;
  private readonly sessionIds: string[];
  private readonly loginTime: Float64Array;
  private readonly sessionEnd: Float64Array;
  private readonly lastView: Float64Array;
  /** Per user, the last 3 click times (ring). */
  private readonly clicks: Float64Array;
  private readonly clickAt: Uint8Array;
  private readonly lastOrder: Float64Array;
  private readonly lastProduct: Int32Array;
  private readonly cart: Int32Array;
  private readonly cartQty: Uint8Array;
  private readonly cartSize: Uint8Array;
  private readonly checkedOut: Uint8Array;
  // Catalogue.
  readonly productIds: string[];
  readonly prices: Int32Array;
  private readonly productProps: string[];
  /** `"page":"/products/p_12","product_id":"p_12"` per product. */
  private readonly productPage: string[];
  private readonly productZipf: Zipf;
  private readonly expensive: number[];
  private readonly categories: string[];
  private orderSeq = 0;
  /** True while a case is built: its carts may exceed the background caps. */
  private building = false;

  constructor(settings: DomainSettings) {
    const random = new Random(settings.seed, 'ecommerce');
    this.random = random;
    const faker = seededFaker(settings.seed);
    const n = settings.entities;
    this.users = n;
    this.userIds = Array.from({ length: n }, (_, i) => `user_${i + 1}`);
    this.buyer = new Uint8Array(n);
    this.device = new Uint8Array(n);
    this.city = [];
    for (let u = 0; u < n; u++) {
      this.buyer[u] = random.chance(0.6) ? 1 : 0;
      this.device[u] = random.int(DEVICES.length);
      this.city.push(KOREAN_CITIES[Math.min(KOREAN_CITIES.length - 1, Math.floor(random.float() ** 2 * KOREAN_CITIES.length))]!);
    }
    this.userZipf = new Zipf(n, settings.userSkew, random);
    this.reservations = new Reservations(n);
    this.inSession = new Uint8Array(n);
    this.sessionIds = new Array<string>(n).fill('');
    this.loginTime = new Float64Array(n);
    this.sessionEnd = new Float64Array(n);
    this.lastView = new Float64Array(n).fill(-Infinity);
    this.clicks = new Float64Array(n * 3).fill(-Infinity);
    this.clickAt = new Uint8Array(n);
    this.lastOrder = new Float64Array(n).fill(-Infinity);
    this.lastProduct = new Int32Array(n).fill(-1);
    this.cart = new Int32Array(n * CART_SLOTS);
    this.cartQty = new Uint8Array(n * CART_SLOTS);
    this.cartSize = new Uint8Array(n);
    this.checkedOut = new Uint8Array(n);

    this.categories = fakerPool(12, () => faker.commerce.department());
    const names = fakerPool(Math.min(400, Math.max(20, Math.round(n / 5))), () => faker.commerce.productName());
    const items = Math.max(30, Math.round(n / 5));
    this.productIds = Array.from({ length: items }, (_, i) => `p_${i + 1}`);
    this.prices = new Int32Array(items);
    this.productProps = [];
    this.productPage = this.productIds.map((id) => flat(`"page":"/products/${id}","product_id":"${id}"`));
    this.expensive = [];
    for (let p = 0; p < items; p++) {
      // Log-normal prices around 35,000 KRW, 5,000-890,000, rounded to 100 won.
      const price = Math.min(890_000, Math.max(5_000, Math.round((35_000 * Math.exp(1.1 * random.normal())) / 100) * 100));
      this.prices[p] = price;
      if (price >= 250_000) this.expensive.push(p);
      const category = this.categories[random.int(this.categories.length)]!;
      this.productProps.push(flat(`"properties":{"category":${quote(category)},"price":${price},"name":${quote(names[p % names.length]!)}}`));
    }
    if (this.expensive.length === 0) {
      this.prices[0] = 450_000;
      this.expensive.push(0);
      this.productProps[0] = this.productProps[0]!.replace(/"price":\d+/, '"price":450000');
    }
    this.productZipf = new Zipf(items, settings.skew, random);
  }

  background(time: number, out: SynthEvent[]): void {
    const random = this.random;
    const u = pickFree(this.reservations, time, random, (r) => this.userZipf.sample(r), this.users);
    if (u < 0) return;
    if (!this.inSession[u]) {
      this.login(u, time);
      out.push(this.userEvent(u, time, 'login', -1, '/login'));
      return;
    }
    if (this.buyer[u]) this.buyerStep(u, time, out);
    else this.browserStep(u, time, out);
  }

  private buyerStep(u: number, time: number, out: SynthEvent[]): void {
    const random = this.random;
    if (this.checkedOut[u]) {
      if (this.mayPurchase(u, time)) this.purchase(u, time, 'paid', out);
      else out.push(this.userEvent(u, time, 'search', -1, '/search'));
      return;
    }
    if (time >= this.sessionEnd[u]! && this.cartSize[u] === 0) {
      out.push(this.logout(u, time));
      return;
    }
    const r = random.float();
    if (this.cartSize[u]! > 0 && (r < 0.25 || time >= this.sessionEnd[u]!)) {
      this.checkedOut[u] = 1;
      out.push(this.userEvent(u, time, 'checkout', -1, '/checkout'));
    } else if (r < 0.6) {
      this.view(u, time, this.productZipf.sample(random), out);
    } else if (r < 0.75) {
      this.click(u, time, out);
    } else if (r < 0.92 && this.lastProduct[u]! >= 0) {
      this.addToCart(u, time, this.lastProduct[u]!, random.chance(0.8) ? 1 : 2, out);
    } else {
      out.push(this.userEvent(u, time, 'search', -1, '/search'));
    }
  }

  private browserStep(u: number, time: number, out: SynthEvent[]): void {
    const random = this.random;
    if (time >= this.sessionEnd[u]!) {
      // An abandoned cart: browsers never check out.
      out.push(this.logout(u, time));
      return;
    }
    const r = random.float();
    if (r < 0.35) {
      out.push(this.userEvent(u, time, 'browse', -1, `/category/${this.categories[random.int(this.categories.length)]!.toLowerCase()}`));
    } else if (r < 0.72) {
      this.view(u, time, this.productZipf.sample(random), out);
    } else if (r < 0.82) {
      this.click(u, time, out);
    } else if (r < 0.95 && this.lastProduct[u]! >= 0) {
      this.addToCart(u, time, this.lastProduct[u]!, 1, out);
    } else {
      out.push(this.userEvent(u, time, 'search', -1, '/search'));
    }
  }

  openCase(kind: string, time: number): SynthEvent[] | null {
    const u = this.reservations.find(time, this.random, (r) => r.int(this.users), (i) => this.buyer[i] === 1 && time - this.lastOrder[i]! > 10 * MINUTE);
    if (u < 0) return null;
    this.building = true;
    try {
      switch (kind) {
        case 'high_value_order':
          return this.highValueOrder(u, time);
        case 'order_burst':
          return this.orderBurst(u, time);
        case 'funnel':
          return this.funnel(u, time);
        default:
          return null;
      }
    } finally {
      this.building = false;
    }
  }

  /** One order of ≥ 1,000,000 KRW, bought slowly enough not to be a funnel. */
  private highValueOrder(u: number, opened: number): SynthEvent[] {
    const random = this.random;
    const p = this.expensive[random.int(this.expensive.length)]!;
    const quantity = Math.ceil(HIGH_VALUE / this.prices[p]!) + random.intBetween(0, 1);
    const build = new CaseBuilder('high_value_order', this.userIds[u]!, { product_id: this.productIds[p], quantity, total_amount: quantity * this.prices[p]! });
    const out: SynthEvent[] = [];
    const time = this.startSession(u, opened, out);
    this.view(u, time + random.intBetween(20 * SECOND, MINUTE), p, out);
    this.addToCart(u, time + random.intBetween(2 * MINUTE, 3 * MINUTE), p, quantity, out);
    const checkout = time + random.intBetween(4 * MINUTE, 6 * MINUTE);
    out.push(this.userEvent(u, checkout, 'checkout', -1, '/checkout'));
    const paid = time + random.intBetween(16 * MINUTE, 25 * MINUTE);
    this.purchase(u, paid, 'paid', out);
    const orderIndex = out.length - 1;
    out.push(this.logout(u, paid + random.intBetween(MINUTE, 3 * MINUTE)));
    return this.finish(u, build, out, orderIndex);
  }

  /** 3-4 orders by one user within 10 minutes. */
  private orderBurst(u: number, opened: number): SynthEvent[] {
    const random = this.random;
    const orders = random.intBetween(3, 4);
    const build = new CaseBuilder('order_burst', this.userIds[u]!, { orders });
    const out: SynthEvent[] = [];
    const time = this.startSession(u, opened, out);
    let at = time + 16 * MINUTE + random.intBetween(0, 2 * MINUTE);
    let third = -1;
    for (let i = 0; i < orders; i++) {
      const p = this.cheapProduct();
      this.view(u, time + (i + 1) * MINUTE, p, out);
      this.addToCart(u, time + (i + 1) * MINUTE + 20 * SECOND, p, 1, out);
      out.push(this.userEvent(u, at - 30 * SECOND, 'checkout', -1, '/checkout'));
      // One item per order: empty the cart down to this product.
      this.cart[u * CART_SLOTS] = p;
      this.cartQty[u * CART_SLOTS] = 1;
      this.cartSize[u] = 1;
      this.purchase(u, at, 'paid', out);
      if (i === 2) third = out.length - 1;
      at += random.intBetween(90 * SECOND, 3 * MINUTE);
    }
    out.push(this.logout(u, at));
    return this.finish(u, build, out, third);
  }

  /** login → browse → view → click ×3 → add_to_cart → checkout → purchase within 4 min: every funnel pattern. */
  private funnel(u: number, opened: number): SynthEvent[] {
    const random = this.random;
    const p = this.cheapProduct();
    const build = new CaseBuilder('funnel', this.userIds[u]!, { product_id: this.productIds[p] });
    const out: SynthEvent[] = [];
    const time = this.startSession(u, opened, out);
    out.push(this.userEvent(u, time + 20 * SECOND, 'browse', -1, '/category/featured'));
    this.view(u, time + 60 * SECOND, p, out);
    for (let i = 0; i < 3; i++) this.click(u, time + (80 + 20 * i) * SECOND, out);
    this.addToCart(u, time + 140 * SECOND, p, 1, out);
    out.push(this.userEvent(u, time + 170 * SECOND, 'checkout', -1, '/checkout'));
    const purchaseAt = out.length;
    this.purchase(u, time + 200 * SECOND + random.intBetween(0, 20 * SECOND), 'paid', out);
    out.push(this.logout(u, time + 5 * MINUTE));
    return this.finish(u, build, out, purchaseAt);
  }

  /** A fresh session at `time` for a case; an open one ends (cart abandoned) a few seconds before. */
  private startSession(u: number, time: number, out: SynthEvent[]): number {
    if (this.inSession[u]) {
      out.push(this.logout(u, time));
      time += this.random.intBetween(5 * SECOND, 30 * SECOND);
    }
    this.login(u, time);
    out.push(this.userEvent(u, time, 'login', -1, '/login'));
    return time;
  }

  private finish(u: number, build: CaseBuilder, events: SynthEvent[], completes: number): SynthEvent[] {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      build.add(e.time, e.key, e.topic, e.text);
      if (i === completes) build.completesHere();
    }
    const built = build.build();
    this.reservations.reserve(u, built[built.length - 1]!.time + 1);
    return built;
  }

  private cheapProduct(): number {
    for (;;) {
      const p = this.productZipf.sample(this.random);
      if (this.prices[p]! < 300_000) return p;
    }
  }

  private mayPurchase(u: number, time: number): boolean {
    const thirdLastClick = this.clicks[u * 3 + this.clickAt[u]!]!;
    return (
      time - this.loginTime[u]! > 15 * MINUTE &&
      time - this.lastView[u]! > 10 * MINUTE &&
      time - thirdLastClick > 5 * MINUTE &&
      time - this.lastOrder[u]! > 10 * MINUTE
    );
  }

  private login(u: number, time: number): void {
    this.inSession[u] = 1;
    this.sessionIds[u] = `sess_${this.random.token(8)}`;
    this.loginTime[u] = time;
    this.sessionEnd[u] = time + this.random.intBetween(10 * MINUTE, 60 * MINUTE);
    this.cartSize[u] = 0;
    this.checkedOut[u] = 0;
  }

  private logout(u: number, time: number): SynthEvent {
    const event = this.userEvent(u, time, 'logout', -1, '/logout');
    this.inSession[u] = 0;
    this.cartSize[u] = 0;
    this.checkedOut[u] = 0;
    return event;
  }

  private view(u: number, time: number, p: number, out: SynthEvent[]): void {
    this.lastView[u] = time;
    this.lastProduct[u] = p;
    out.push(this.userEvent(u, time, 'view', p, ''));
    out.push(this.productEvent(u, time, p, 'view'));
  }

  private click(u: number, time: number, out: SynthEvent[]): void {
    const p = this.lastProduct[u]! >= 0 && this.random.chance(0.7) ? this.lastProduct[u]! : this.productZipf.sample(this.random);
    this.clicks[u * 3 + this.clickAt[u]!] = time;
    this.clickAt[u] = (this.clickAt[u]! + 1) % 3;
    out.push(this.userEvent(u, time, 'click', p, ''));
  }

  private addToCart(u: number, time: number, p: number, quantity: number, out: SynthEvent[]): void {
    const size = this.cartSize[u]!;
    let total = quantity * this.prices[p]!;
    for (let i = 0; i < size; i++) total += this.cartQty[u * CART_SLOTS + i]! * this.prices[this.cart[u * CART_SLOTS + i]!]!;
    // Background carts stay under the high-value threshold and the slot count; a case's cart may not.
    if (this.building || (size < CART_SLOTS && total < ORDER_CAP)) {
      const slot = Math.min(size, CART_SLOTS - 1);
      this.cart[u * CART_SLOTS + slot] = p;
      this.cartQty[u * CART_SLOTS + slot] = quantity;
      this.cartSize[u] = slot + 1;
    }
    out.push(this.userEvent(u, time, 'add_to_cart', p, ''));
    out.push(this.productEvent(u, time, p, 'cart'));
  }

  /** A purchase: the user event, one product event per item and the order, at one event time. */
  private purchase(u: number, time: number, status: string, out: SynthEvent[]): void {
    const size = this.cartSize[u]!;
    out.push(this.userEvent(u, time, 'purchase', -1, '/checkout/complete'));
    let items = '';
    let total = 0;
    for (let i = 0; i < size; i++) {
      const p = this.cart[u * CART_SLOTS + i]!;
      const quantity = this.cartQty[u * CART_SLOTS + i]!;
      total += quantity * this.prices[p]!;
      items += `${i > 0 ? ',' : ''}{"product_id":"${this.productIds[p]}","quantity":${quantity},"price":${this.prices[p]}}`;
      out.push(this.productEvent(u, time, p, 'purchase'));
    }
    this.orderSeq++;
    const orderId = `order_${this.orderSeq}${this.random.token(4)}`;
    const payment = PAYMENTS[this.random.int(PAYMENTS.length)];
    const text = `{"stream":"order","order_id":"${orderId}","user_id":"${this.userIds[u]}","status":"${status}","total_amount":${total},"currency":"KRW","timestamp":${epochText(time)},"items":[${items}],"shipping_address":{"city":"${this.city[u]}"},"payment_method":"${payment}"}`;
    out.push({ time, key: this.userIds[u]!, topic: TOPICS.order, text, owner: null });
    this.lastOrder[u] = time;
    this.cartSize[u] = 0;
    this.checkedOut[u] = 0;
  }

  private userEvent(u: number, time: number, type: string, p: number, page: string): SynthEvent {
    const where = p < 0 ? `"page":${quote(page)}` : this.productPage[p]!;
    const text = `{"stream":"user","user_id":"${this.userIds[u]}","event_type":"${type}","timestamp":${epochText(time)},"metadata":{"device":"${DEVICES[this.device[u]!]}","session_id":"${this.sessionIds[u]}",${where}}}`;
    return { time, key: this.userIds[u]!, topic: TOPICS.user, text, owner: null };
  }

  private productEvent(u: number, time: number, p: number, action: string): SynthEvent {
    const text = `{"stream":"product","product_id":"${this.productIds[p]}","action":"${action}","user_id":"${this.userIds[u]}","session_id":"${this.sessionIds[u]}","timestamp":${epochText(time)},${this.productProps[p]}}`;
    return { time, key: this.productIds[p]!, topic: TOPICS.product, text, owner: null };
  }
}
