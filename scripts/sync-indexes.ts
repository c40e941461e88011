// Production deploy step: build every model's indexes (autoIndex is off in production).
// Usage: MONGODB_URI=mongodb://… NODE_ENV=production npm run db:sync-indexes
import '../src/capabilities.ts';
import { loadConfig } from '../src/config/env.ts';
import { connectDatabase, syncAllIndexes } from '../src/db/connection.ts';
import { logger } from '../src/shared/logger.ts';
import { backfillNotificationSubjectIds } from '../src/notifications/index.ts';

const config = loadConfig();
const database = await connectDatabase(config, logger);
try {
  await syncAllIndexes();
  console.log('indexes in sync');
  // Notifications written before their top-level subjectId existed get it, so its index finds them.
  console.log(`notifications given their subjectId: ${await backfillNotificationSubjectIds()}`);
} finally {
  await database.close();
}
