const EARTH_RADIUS_M = 6_371_000;

/** Great-circle distance in metres between two points given in degrees (WGS-84 / GCJ-02 alike). */
export function distanceM(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  const toRad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return Math.round(2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h)));
}

/**
 * The two datums a district's coordinates come in. Phones' GPS fixes are WGS-84; Chinese maps
 * (Amap, Tencent) and most address geocoders give GCJ-02, which is WGS-84 shifted by an
 * obfuscation of a few hundred metres — the size of the 300 m geofence. Every distance the system
 * computes is between two WGS-84 points: a GCJ-02 point is converted first (`toWgs84`).
 */
export const COORD_SYSTEMS = ['wgs84', 'gcj02'] as const;
export type CoordSystem = (typeof COORD_SYSTEMS)[number];
export interface Point { lng: number; lat: number }

// The public GCJ-02 algorithm (Krasovsky 1940 ellipsoid), as published in the eviltransform and
// coordtransform projects; its test pairs are in test/shared/geo.test.ts.
const KRASOVSKY_A = 6_378_245.0;
const KRASOVSKY_EE = 0.006_693_421_622_965_943;

function shiftLat(x: number, y: number): number {
  let shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  shift += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  shift += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  shift += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return shift;
}

function shiftLng(x: number, y: number): number {
  let shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  shift += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  shift += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  shift += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return shift;
}

/** The transform is defined for mainland China only; outside it GCJ-02 equals WGS-84. */
function outsideChina({ lng, lat }: Point): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

export function wgs84ToGcj02(point: Point): Point {
  if (outsideChina(point)) return { lng: point.lng, lat: point.lat };
  const radLat = (point.lat / 180.0) * Math.PI;
  const magic = 1 - KRASOVSKY_EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (shiftLat(point.lng - 105.0, point.lat - 35.0) * 180.0) / (((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrtMagic)) * Math.PI);
  const dLng = (shiftLng(point.lng - 105.0, point.lat - 35.0) * 180.0) / ((KRASOVSKY_A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lng: point.lng + dLng, lat: point.lat + dLat };
}

/**
 * GCJ-02 back to WGS-84. The shift has no closed inverse; it varies slowly, so subtracting the
 * shift at the current estimate converges to well under a centimetre in a few steps.
 */
export function gcj02ToWgs84(point: Point): Point {
  if (outsideChina(point)) return { lng: point.lng, lat: point.lat };
  let estimate = { lng: point.lng, lat: point.lat };
  for (let step = 0; step < 10; step += 1) {
    const shifted = wgs84ToGcj02(estimate);
    const dLng = point.lng - shifted.lng;
    const dLat = point.lat - shifted.lat;
    estimate = { lng: estimate.lng + dLng, lat: estimate.lat + dLat };
    if (Math.abs(dLng) < 1e-10 && Math.abs(dLat) < 1e-10) break;
  }
  return estimate;
}

/** A point in WGS-84, whichever datum it was given in (WGS-84 when unsaid: what phones report). */
export function toWgs84(point: Point, coordSystem: CoordSystem | null | undefined = 'wgs84'): Point {
  return coordSystem === 'gcj02' ? gcj02ToWgs84(point) : { lng: point.lng, lat: point.lat };
}
