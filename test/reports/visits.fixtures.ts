import mongoose from 'mongoose';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { businessDay } from '../../src/shared/time.ts';

/*
 * Visits written straight into the database, as if checked in and out (or uploaded), for the rules
 * that judge visits together: only the fields the anomaly report reads are chosen; the rest is a
 * plain confirmed visit. Every point is a fresh one (no two alike, ~15 m apart in the order made)
 * unless a test gives its own.
 */

export const newId = () => new mongoose.Types.ObjectId().toHexString();
export const at = (month: string, day: number, time: string) => new Date(`${month}-${String(day).padStart(2, '0')}T${time}:00+08:00`);

let spotCount = 0;
/** A point of its own, with the 7 decimals of a real fix; consecutive ones are ~15 m apart. */
export function spot(): { lng: number; lat: number } {
  spotCount += 1;
  return { lng: Number((117.2 + spotCount * 0.000_123_456_7).toFixed(7)), lat: Number((31.8 + spotCount * 0.000_087_654_3).toFixed(7)) };
}

const HONEST_MINUTES = [52, 57, 63, 66, 49, 71, 55, 68, 61, 59];
let durationCount = 0;
/** An honest duration around the expected hour: never exactly 60, never 20% off more than a little. */
export const honestMinutes = () => HONEST_MINUTES[(durationCount += 1) % HONEST_MINUTES.length] as number;

export interface VisitSpec {
  caregiverId: string;
  providerId: string;
  seniorId?: string;
  streetId?: string;
  communityId?: string;
  checkInAt: Date;
  /** Default: check-in + durationMinutes. */
  checkOutAt?: Date | null;
  checkInPoint?: { lng: number; lat: number };
  checkOutPoint?: { lng: number; lat: number };
  durationMinutes?: number;
  /** How far the check-in and check-out were from the home, as stored; default 20 m. */
  distanceM?: number;
  expectedMinutes?: number;
  flags?: string[];
  status?: 'in_service' | 'completed' | 'confirmed' | 'settled' | 'disputed' | 'cancelled';
  /** How it was confirmed; default visit_code when confirmed or settled. */
  method?: 'visit_code' | 'senior_pin' | 'callback' | null;
}

/** Writes one visit; answers its id. */
export async function insertVisit(spec: VisitSpec): Promise<string> {
  const [id] = await insertVisits([spec]);
  return id as string;
}

/** Writes the visits in one insert; answers their ids in order. */
export async function insertVisits(specs: VisitSpec[]): Promise<string[]> {
  const docs = specs.map((spec) => {
    const durationMinutes = spec.durationMinutes ?? honestMinutes();
    const checkOutAt = spec.checkOutAt === undefined ? new Date(spec.checkInAt.getTime() + durationMinutes * 60_000) : spec.checkOutAt;
    const status = spec.status ?? 'confirmed';
    const method = spec.method === undefined ? (['confirmed', 'settled'].includes(status) ? 'visit_code' : null) : spec.method;
    const [checkInPoint, checkOutPoint] = [spec.checkInPoint ?? spot(), spec.checkOutPoint ?? spot()];
    const flags = spec.flags ?? [];
    return {
      _id: new mongoose.Types.ObjectId(), seniorId: spec.seniorId ?? newId(), communityId: spec.communityId ?? 'community-r', streetId: spec.streetId ?? 'street-r',
      seniorLocation: checkInPoint, serviceTypeCode: 'clean_r', quantity: 1, expectedMinutes: spec.expectedMinutes ?? 60,
      scheduledStart: spec.checkInAt, scheduledDay: businessDay(spec.checkInAt, 'Asia/Shanghai'), source: 'staff', priority: 'normal', status,
      providerId: spec.providerId, caregiverId: spec.caregiverId, priceFen: 4_000, subsidyFen: 2_000, selfPayFen: 2_000, subsidyRatePct: 50, visitCodeHash: 'test',
      checkIn: { at: spec.checkInAt, ...checkInPoint, distanceM: spec.distanceM ?? 20 },
      checkOut: checkOutAt ? { at: checkOutAt, ...checkOutPoint, distanceM: spec.distanceM ?? 20 } : null,
      durationMinutes: checkOutAt ? durationMinutes : null, flags, isFlagged: flags.length > 0,
      confirmation: method ? { method, at: checkOutAt ?? spec.checkInAt, by: 'test', satisfaction: null } : null,
      createdBy: 'test',
    };
  });
  await OrderModel.insertMany(docs);
  return docs.map((doc) => String(doc._id));
}
