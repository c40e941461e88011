import mongoose, { Schema } from 'mongoose';
import { byKeys } from '../shared/by-keys.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { businessDay } from '../shared/time.ts';
import { OrderModel } from './order.model.ts';

/*
 * Human order numbers (issue 17): 'GD' + the business day of creation (Asia/Shanghai, YYYYMMDD) +
 * that day's sequence, 4 digits (5 or more should a day ever pass 9,999): GD202612030001.
 *
 * One counter document per day, `_id` the day, taken by one atomic $inc with upsert before the
 * order is inserted. A crash (or a refused insert) between the two leaves a number nobody holds:
 * numbers are unique and increasing within a day, not gapless. That is enough — finance reconciles
 * by the statements' lines, never by counting numbers — and a gapless sequence would need the
 * number and the order written together, which no single-document write can do here.
 */
const orderNumberCounterSchema = new Schema(
  { _id: { type: String, required: true }, seq: { type: Number, required: true, default: 0 } },
  { collection: 'service_order_numbers', versionKey: false },
);
const OrderNumberCounterModel = mongoose.model('ServiceOrderNumberCounter', orderNumberCounterSchema);

/** The number of the day's `seq`-th order: GD + YYYYMMDD + the sequence, at least 4 digits. */
export function formatOrderNumber(day: string, seq: number): string {
  return `GD${day.replaceAll('-', '')}${String(seq).padStart(4, '0')}`;
}

/** Takes the next number of the business day `at` falls on (one round trip). */
export async function nextOrderNumber(at: Date, timeZone: string): Promise<string> {
  const day = businessDay(at, timeZone);
  const take = () => OrderNumberCounterModel.findOneAndUpdate({ _id: day }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
  let counter;
  try {
    counter = await take();
  } catch (error) {
    // Two first orders of a day at once: both upserts insert, one is refused; its retry finds the
    // counter and increments it (MongoDB retries such an upsert itself, FerretDB does not).
    if (!isDuplicateKeyError(error)) throw error;
    counter = await take();
  }
  if (!counter) throw new Error(`order number counter ${day} was not answered`);
  return formatOrderNumber(day, counter.seq);
}

/** What people are shown for an order: its number, or for an order from before numbers the end of its id. */
export function orderLabel(order: { id: string; number: string | null }): string {
  return order.number ?? order.id.slice(-8);
}

/**
 * The numbers of many orders in one read by key (statements, exports: a page or batch at a time);
 * orders without a number (created before numbers existed) and unknown ids are absent.
 */
export async function orderNumbersOf(orderIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(orderIds.filter((id) => /^[0-9a-f]{24}$/.test(id)))];
  if (ids.length === 0) return new Map();
  const orders = await OrderModel.find({ _id: { $in: ids } }, { number: 1 }).setOptions(byKeys(ids.length)).lean();
  return new Map(orders.filter((order) => order.number).map((order) => [String(order._id), order.number as string]));
}
