import { randomUUID } from 'node:crypto';
import { DomainError } from '../shared/errors.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { ContractLockModel } from './contracts.model.ts';

/*
 * Two contracts of one provider must not overlap (same days, a shared community and a shared
 * service type). That is a rule across documents, and there are no transactions: two concurrent
 * creates could both read "no conflict" and both insert. A unique index cannot express an overlap
 * short of one key per (provider, community, service type, day), which is far too heavy for a
 * rarely written collection. So creation is serialised per provider: whoever takes the provider's
 * lock document (a conditional upsert, atomic on both engines, as the job leases do) checks and
 * inserts; the other waits its turn and then sees the first contract. The lock is a lease: if its
 * holder dies, it lapses after LEASE_MS instead of blocking the provider for good.
 */
const LEASE_MS = 10_000;
const WAIT_MS = 15_000;

async function tryAcquire(providerId: string, holder: string): Promise<boolean> {
  const now = new Date();
  try {
    await ContractLockModel.findOneAndUpdate(
      { _id: providerId, leaseUntil: { $lt: now } },
      { $set: { holder, leaseUntil: new Date(now.getTime() + LEASE_MS) } },
      { upsert: true },
    ).lean();
    return true;
  } catch (error) {
    // The upsert met the existing, still leased document: someone else holds the lock.
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}

async function release(providerId: string, holder: string): Promise<void> {
  await ContractLockModel.updateOne({ _id: providerId, holder }, { $set: { holder: null, leaseUntil: new Date(0) } });
}

/** Runs `work` while holding the provider's contract lock; 503 if it stays taken for too long. */
export async function withContractLock<T>(providerId: string, work: () => Promise<T>): Promise<T> {
  const holder = randomUUID();
  const giveUpAt = Date.now() + WAIT_MS;
  for (let attempt = 0; !(await tryAcquire(providerId, holder)); attempt += 1) {
    if (Date.now() > giveUpAt) throw new DomainError('SERVICE_UNAVAILABLE');
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * Math.min(100, 2 ** attempt)));
  }
  try {
    return await work();
  } finally {
    await release(providerId, holder);
  }
}
