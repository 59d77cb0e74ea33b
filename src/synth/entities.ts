import { Faker, base, en } from '@faker-js/faker';
import type { Random } from './random.js';

/**
 * Entity pools shared by the domain generators. Faker (seeded) makes the names; per-event
 * generation only indexes into these pools with the fast PRNG, because one faker call costs
 * ~20 µs, forty times the per-event budget of 500K events/s.
 */

export interface City {
  readonly name: string;
  readonly latitude: number;
  readonly longitude: number;
}

/** Real coordinates, so haversine distances between cities (impossible travel) are true. */
export const WORLD_CITIES: readonly City[] = [
  { name: 'Seoul', latitude: 37.5665, longitude: 126.978 },
  { name: 'Busan', latitude: 35.1796, longitude: 129.0756 },
  { name: 'Tokyo', latitude: 35.6762, longitude: 139.6503 },
  { name: 'Osaka', latitude: 34.6937, longitude: 135.5023 },
  { name: 'Beijing', latitude: 39.9042, longitude: 116.4074 },
  { name: 'Shanghai', latitude: 31.2304, longitude: 121.4737 },
  { name: 'Hong Kong', latitude: 22.3193, longitude: 114.1694 },
  { name: 'Singapore', latitude: 1.3521, longitude: 103.8198 },
  { name: 'Bangkok', latitude: 13.7563, longitude: 100.5018 },
  { name: 'Sydney', latitude: -33.8688, longitude: 151.2093 },
  { name: 'Mumbai', latitude: 19.076, longitude: 72.8777 },
  { name: 'Dubai', latitude: 25.2048, longitude: 55.2708 },
  { name: 'Istanbul', latitude: 41.0082, longitude: 28.9784 },
  { name: 'Moscow', latitude: 55.7558, longitude: 37.6173 },
  { name: 'Berlin', latitude: 52.52, longitude: 13.405 },
  { name: 'Paris', latitude: 48.8566, longitude: 2.3522 },
  { name: 'London', latitude: 51.5074, longitude: -0.1278 },
  { name: 'Madrid', latitude: 40.4168, longitude: -3.7038 },
  { name: 'Rome', latitude: 41.9028, longitude: 12.4964 },
  { name: 'Amsterdam', latitude: 52.3676, longitude: 4.9041 },
  { name: 'Stockholm', latitude: 59.3293, longitude: 18.0686 },
  { name: 'Cairo', latitude: 30.0444, longitude: 31.2357 },
  { name: 'Lagos', latitude: 6.5244, longitude: 3.3792 },
  { name: 'Johannesburg', latitude: -26.2041, longitude: 28.0473 },
  { name: 'New York', latitude: 40.7128, longitude: -74.006 },
  { name: 'Chicago', latitude: 41.8781, longitude: -87.6298 },
  { name: 'Los Angeles', latitude: 34.0522, longitude: -118.2437 },
  { name: 'San Francisco', latitude: 37.7749, longitude: -122.4194 },
  { name: 'Toronto', latitude: 43.6532, longitude: -79.3832 },
  { name: 'Mexico City', latitude: 19.4326, longitude: -99.1332 },
  { name: 'Sao Paulo', latitude: -23.5505, longitude: -46.6333 },
  { name: 'Buenos Aires', latitude: -34.6037, longitude: -58.3816 },
];

/** Shipping cities of the KRW shop. */
export const KOREAN_CITIES: readonly string[] = [
  'Seoul', 'Busan', 'Incheon', 'Daegu', 'Daejeon', 'Gwangju', 'Ulsan', 'Suwon', 'Changwon', 'Goyang', 'Yongin', 'Seongnam', 'Jeonju', 'Cheongju',
];

export function seededFaker(seed: number): Faker {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  return faker;
}

/** `count` distinct values from a faker call (a suffix keeps them distinct when faker repeats). */
export function fakerPool(count: number, make: () => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < count) {
    let value = make();
    if (seen.has(value)) value = `${value} ${out.length}`;
    seen.add(value);
    out.push(value);
  }
  return out;
}

export interface Point {
  latitude: number;
  longitude: number;
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km (the haversine formula the financial fraud scorer uses). */
export function haversineKm(a: Point, b: Point): number {
  const toRad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * toRad;
  const dLon = (b.longitude - a.longitude) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * toRad) * Math.cos(b.latitude * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A point within `radiusKm` of `center` (uniform over the disc), rounded to 4 decimals (~11 m). */
export function pointNear(center: Point, radiusKm: number, random: Random): Point {
  const distance = radiusKm * Math.sqrt(random.float());
  const bearing = random.float() * 2 * Math.PI;
  const dLat = (distance / 111.32) * Math.cos(bearing);
  const dLon = (distance / (111.32 * Math.max(0.01, Math.cos((center.latitude * Math.PI) / 180)))) * Math.sin(bearing);
  return { latitude: round4(center.latitude + dLat), longitude: round4(center.longitude + dLon) };
}

export const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;
export const round2 = (value: number): number => Math.round(value * 100) / 100;
