import mongoose from 'mongoose';
import type { Config } from '../config/env.ts';
import type { Logger } from '../shared/logger.ts';
import { startEmbeddedFerretDb, type EmbeddedDatabase } from './embedded-ferretdb.ts';
import { ensureFerretDbBinary } from './ferretdb-binary.ts';

/*
 * THE PORTABLE SUBSET (../shared/spec/DATABASE.md, PRODUCT.md §12) — every query in this project
 * must run unchanged on real MongoDB (production, a replica set) and on FerretDB 1.24 with SQLite
 * (development, demos, tests). Therefore:
 *   - no multi-document transactions or sessions: correctness comes from conditional
 *     single-document updates, unique indexes over always-present fields, idempotency keys and
 *     resumable jobs;
 *   - aggregation only with $match, $group ($sum/$count), $sort, $skip, $limit, simple $project,
 *     $unset, $unwind, $count — no $lookup, $facet, $cond, date operators or $avg/$min/$max/$push;
 *     store precomputed fields (period 'YYYY-MM', communityId on orders) and finish in TypeScript;
 *   - ONE accumulator per $group: FerretDB 1.24 silently returns 0 for every accumulator after the
 *     first (FerretDB issue #4616, still open). Two sums are two pipelines, or one streaming pass;
 *   - no TTL, partial, sparse, text, 2dsphere or hashed indexes; no findOneAndUpdate with a
 *     projection, arrayFilters or pipeline updates; no $elemMatch/$slice projections;
 *   - stream (cursors, batches) anything that grows with the district.
 * PERFORMANCE ON THE EMBEDDED ENGINE: FerretDB 1.24 on SQLite uses no secondary index for reads;
 * it fetches by primary key only for a string/ObjectId `_id` equality (our patch lets other
 * conditions ride along: src/db/ferretdb-binary.ts) and scans the collection for everything else
 * (about 150 µs per senior-sized document). So: address single documents by `_id`, give lookup
 * documents a meaningful string `_id` (audit links, leases), and avoid per-item lookups by other
 * fields inside loops — read once, stream, and keep a set. Secondary indexes still matter on
 * MongoDB and still enforce uniqueness here.
 */

export interface DatabaseHandle {
  uri: string;
  engine: 'mongodb' | 'ferretdb-embedded';
  close(): Promise<void>;
}

export const DATABASE_NAME = 'starlight';

export async function connectDatabase(config: Config, logger: Logger): Promise<DatabaseHandle> {
  let embedded: EmbeddedDatabase | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    const binary = config.ferretdb.binPath ?? (await ensureFerretDbBinary(logger));
    embedded = await startEmbeddedFerretDb({ binary, dataDir: config.dataDir, port: config.ferretdb.port, logger });
    uri = embedded.uri;
  }
  try {
    await connectMongoose(uri, { autoIndex: config.env !== 'production' });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  logger.info({ engine: embedded ? 'ferretdb-embedded' : 'mongodb' }, 'database connected');
  return {
    uri,
    engine: embedded ? 'ferretdb-embedded' : 'mongodb',
    async close() {
      await mongoose.disconnect();
      await embedded?.stop();
    },
  };
}

/**
 * In production indexes are created by a deploy step (`npm run db:sync-indexes`), not on every
 * start; in development and tests mongoose builds them as models are first used.
 */
export async function connectMongoose(uri: string, options: { autoIndex: boolean; dbName?: string }): Promise<void> {
  mongoose.set('strictQuery', true);
  await mongoose.connect(uri, {
    dbName: options.dbName ?? databaseNameOf(uri) ?? DATABASE_NAME,
    autoIndex: options.autoIndex,
    serverSelectionTimeoutMS: 10_000,
  });
}

/** The database named in the URI's path (`mongodb://db1,db2/starlight?…`), if any. */
export function databaseNameOf(uri: string): string | undefined {
  const name = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri)?.[1];
  return name ? decodeURIComponent(name) : undefined;
}

/**
 * How long a real read by key takes now, in ms (null when the database does not answer within the
 * deadline). Not a ping: a ping is answered by the server's front while queries queue behind a busy
 * engine (the embedded FerretDB answered pings in milliseconds while each query took a minute).
 */
export async function probeDatabase(deadlineMs: number): Promise<number | null> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== 1 || !db) return null;
  const started = performance.now();
  try {
    await db.collection('users').findOne({ _id: 'readiness-probe' as never }, { maxTimeMS: Math.max(1, deadlineMs) });
    return performance.now() - started;
  } catch {
    return null;
  }
}

/** Builds every model's indexes; idempotent. Used by the production deploy step and by tests. */
export async function syncAllIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) await model.syncIndexes();
}
