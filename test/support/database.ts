import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { connectMongoose } from '../../src/db/connection.ts';

export function testDatabaseUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the tests through mocha (test/support/global-setup.ts)');
  return uri;
}

/**
 * Gives the enclosing describe a clean database of its own: connected before its tests, with
 * every model's indexes built, and dropped afterwards.
 */
export function useTestDatabase(): { name: () => string } {
  let dbName = '';
  before(async function () {
    this.timeout(60_000);
    dbName = `t_${randomBytes(6).toString('hex')}`;
    await connectMongoose(testDatabaseUri(), { autoIndex: false, dbName });
    await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
  });
  after(async () => {
    await mongoose.connection.dropDatabase();
    await mongoose.disconnect();
  });
  return { name: () => dbName };
}

/** Empties every collection, for tests inside one file that must not see each other's rows. */
export async function clearCollections(): Promise<void> {
  await Promise.all(Object.values(mongoose.models).map((model) => model.deleteMany({})));
}
