import type { Config } from '../config/env.ts';
import { notificationPiiCollection } from '../notifications/index.ts';
import { caregiverPiiCollection, providerPiiCollection } from '../organisation/index.ts';
import { seniorPiiCollection } from '../seniors/index.ts';
import { rekeyBatch, type PiiCollection } from '../shared/pii-rekey.ts';
import { RekeyProgressModel } from './rekey.model.ts';

/** Every collection that holds values written with encryptPii (users hold none; life events only HMACs; providers their bank account numbers). */
export const PII_COLLECTIONS: readonly PiiCollection[] = [seniorPiiCollection, caregiverPiiCollection, providerPiiCollection, notificationPiiCollection];

export interface RekeyCounts { [key: string]: number; scanned: number; rekeyed: number; unreadable: number; changedMeanwhile: number; collectionsCompleted: number }

/**
 * Re-encrypts every stored PII value to the newest key (PII_KEYS' first), collection by collection,
 * `batchSize` documents at a time, saving the position after each batch: stopped (shutdown, crash)
 * it resumes where it was; once a pass is complete the next run starts a new one (cheap: values
 * already on the newest key are only read). Readers keep working throughout — every configured key
 * stays readable — so no senior is unreadable at any moment; the old key may be retired once a
 * pass has completed with `unreadable` 0 for each collection.
 */
export async function rekeyAllPii(config: Config, options: { batchSize: number; signal?: AbortSignal; now?: Date }): Promise<RekeyCounts> {
  const counts: RekeyCounts = { scanned: 0, rekeyed: 0, unreadable: 0, changedMeanwhile: 0, collectionsCompleted: 0 };
  const keyVersion = config.pii.keyVersion;
  for (const collection of PII_COLLECTIONS) {
    const progress = await RekeyProgressModel.findById(collection.name).lean();
    const resumes = progress && progress.keyVersion === keyVersion && !progress.completedAt;
    let afterId: unknown = resumes ? progress.afterId : null;
    if (!resumes) {
      await RekeyProgressModel.updateOne({ _id: collection.name }, { $set: { keyVersion, afterId: null, passStartedAt: options.now ?? new Date(), completedAt: null } }, { upsert: true });
    }
    for (;;) {
      if (options.signal?.aborted) return counts;
      const batch = await rekeyBatch(collection, config.pii, afterId, options.batchSize);
      counts.scanned += batch.scanned;
      counts.rekeyed += batch.rekeyed;
      counts.unreadable += batch.unreadable;
      counts.changedMeanwhile += batch.changedMeanwhile;
      if (batch.scanned === 0) break;
      afterId = batch.lastId;
      await RekeyProgressModel.updateOne({ _id: collection.name }, { $set: { afterId } });
    }
    await RekeyProgressModel.updateOne({ _id: collection.name }, { $set: { afterId: null, completedAt: new Date() } });
    counts.collectionsCompleted += 1;
  }
  return counts;
}
