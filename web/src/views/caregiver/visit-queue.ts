import { ref } from 'vue';
import { ApiError, api } from '../../api/http.ts';
import type { Order } from '../../api/types.ts';

// A caregiver's check-ins and check-outs taken where the phone has no signal (rural homes, old
// concrete blocks): each is recorded on the phone with its own id and the phone's time, kept in
// localStorage (it survives the page being closed), and sent in the order it was taken when the
// network returns. The API takes a record at the time it was made and changes nothing when the
// same record comes twice (clientRecordId), so a queue that sends again after a lost answer is safe.

export type VisitStep = 'check-in' | 'check-out';
export interface QueuedRecord { clientRecordId: string; orderId: string; step: VisitStep; body: Record<string, unknown>; recordedAt: string }

const STORAGE_KEY = 'starlight.visit-records';
const load = (): QueuedRecord[] => {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as QueuedRecord[];
  } catch {
    return [];
  }
};
/** The records still to send, oldest first (the page shows how many). */
export const queuedRecords = ref<QueuedRecord[]>(load());
const save = () => localStorage.setItem(STORAGE_KEY, JSON.stringify(queuedRecords.value));

const newRecordId = () => `rec-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
/** A failed fetch (no network), as opposed to an answer from the API. */
const isOffline = (error: unknown) => !(error instanceof ApiError);

/**
 * Sends one step now, or keeps it when there is no network. A step of a visit whose earlier step
 * is still queued waits behind it (a check-out before its check-in would be refused).
 */
export async function sendStep(orderId: string, step: VisitStep, body: Record<string, unknown>): Promise<{ order: Order | null; queued: boolean }> {
  const record: QueuedRecord = { clientRecordId: newRecordId(), orderId, step, body, recordedAt: new Date().toISOString() };
  if (queuedRecords.value.some((queued) => queued.orderId === orderId)) return { order: null, queued: enqueue(record) };
  try {
    return { order: await post(record), queued: false };
  } catch (error) {
    if (isOffline(error)) return { order: null, queued: enqueue(record) };
    throw error;
  }
}

function enqueue(record: QueuedRecord): true {
  queuedRecords.value = [...queuedRecords.value, record];
  save();
  return true;
}

const post = (record: QueuedRecord) => api.post<Order>(`/service-orders/${record.orderId}/${record.step}`, { ...record.body, clientRecordId: record.clientRecordId, recordedAt: record.recordedAt });

let flushing: Promise<{ sent: Order[]; refused: { record: QueuedRecord; message: string }[] }> | null = null;

/**
 * Sends the queue in order; stops at the first record that finds no network (the rest wait for the
 * next try). A record the API refuses (a wrong code typed offline, a visit cancelled meanwhile) is
 * taken off the queue with the API's words, and so are the later steps of that visit.
 */
export function flushQueue(): Promise<{ sent: Order[]; refused: { record: QueuedRecord; message: string }[] }> {
  flushing ??= (async () => {
    const sent: Order[] = [];
    const refused: { record: QueuedRecord; message: string }[] = [];
    try {
      while (queuedRecords.value.length > 0) {
        const record = queuedRecords.value[0]!;
        try {
          sent.push(await post(record));
          queuedRecords.value = queuedRecords.value.slice(1);
        } catch (error) {
          if (isOffline(error)) break;
          refused.push({ record, message: (error as ApiError).details[0]?.message ?? (error as ApiError).message });
          queuedRecords.value = queuedRecords.value.filter((queued) => queued.orderId !== record.orderId);
        }
        save();
      }
    } finally {
      flushing = null;
    }
    return { sent, refused };
  })();
  return flushing;
}
