import { createHash } from 'node:crypto';
import type { Point } from '../src/shared/geo.ts';

/*
 * What an honest visit looks like from a caregiver's phone, for the demo district and the generated
 * ones: a GPS fix 10–50 m from the home in any direction, and a duration of the expected minutes
 * ±20%. The anomaly report reads the home's own coordinates repeated across homes or days as a
 * replayed, spoofed location (repeated_coordinates), and visits that always last exactly the billed
 * time as made up (duration_pattern) — which is what visits checked in at the home's point for
 * exactly the expected minutes looked like. The noise is drawn from a key (the order's id and the
 * step), so an order always gets the same fix and minutes, in whatever order the visits are made.
 */

/** Numbers in [0, 1) that depend only on the key. */
function draws(key: string): [number, number] {
  const digest = createHash('sha256').update(key).digest();
  return [digest.readUInt32BE(0) / 2 ** 32, digest.readUInt32BE(4) / 2 ** 32];
}

const METRES_PER_DEGREE_LAT = 111_320;

/** The point `metres` from `from` towards `bearing` (radians from north), to the 6 decimals phones report. */
export function offsetPoint(from: Point, metres: number, bearing: number): Point {
  const dLat = (metres * Math.cos(bearing)) / METRES_PER_DEGREE_LAT;
  const dLng = (metres * Math.sin(bearing)) / (METRES_PER_DEGREE_LAT * Math.cos((from.lat * Math.PI) / 180));
  return { lng: Number((from.lng + dLng).toFixed(6)), lat: Number((from.lat + dLat).toFixed(6)) };
}

/** A phone's fix at the home: 10–50 m off, in any direction. */
export function gpsFixNear(home: Point, key: string): Point {
  const [distance, bearing] = draws(key);
  return offsetPoint(home, 10 + 40 * distance, 2 * Math.PI * bearing);
}

/** How long an honest visit lasts: the expected minutes ±20%, in whole minutes (at least one). */
export function honestMinutes(expectedMinutes: number, key: string): number {
  const [share] = draws(`${key}:minutes`);
  return Math.max(1, Math.round(expectedMinutes * (0.8 + 0.4 * share)));
}

/** mulberry32: a tiny, well-mixed 32-bit generator; plenty for demo and test data and fully reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
