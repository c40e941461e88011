import { AlertModel } from './alert.model.ts';
import { OrderModel } from './order.model.ts';
import { toOrderListView } from './order.view.ts';

/**
 * Every order and emergency alert of the senior, oldest first, for their data-subject export: who
 * provided each visit, when it was checked in and out, what it cost and how it was confirmed.
 */
export async function ordersOfSenior(seniorId: string) {
  const orders = await OrderModel.find({ seniorId }).sort({ scheduledStart: 1, _id: 1 }).lean();
  const alerts = await AlertModel.find({ seniorId }).sort({ _id: 1 }).lean();
  return {
    orders: orders.map((order) => toOrderListView(order)),
    alerts: alerts.map(({ _id, ...alert }) => ({ id: String(_id), ...alert })),
  };
}

/** The ids of the senior's orders and emergency alerts (the subjects of notifications about them), through their seniorId indexes. */
export async function orderAndAlertIdsOfSenior(seniorId: string): Promise<string[]> {
  const [orders, alerts] = await Promise.all([OrderModel.find({ seniorId }, { _id: 1 }).lean(), AlertModel.find({ seniorId }, { _id: 1 }).lean()]);
  return [...orders, ...alerts].map((doc) => String(doc._id));
}
