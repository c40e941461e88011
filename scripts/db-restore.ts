// Restores a snapshot made by db:snapshot into an empty or new data folder, after checking every
// file against the snapshot's manifest and SQLite's integrity check. Stop the service first and
// move the old data folder aside. Usage: npm run db:restore -- --from <folder> [--data-dir <dir>]
import { parseArgs } from 'node:util';
import { loadDotEnvFile } from '../src/config/env.ts';
import { restoreSnapshot } from '../src/db/snapshot.ts';
import { logger } from '../src/shared/logger.ts';

const { values } = parseArgs({ options: { from: { type: 'string' }, 'data-dir': { type: 'string' } } });
loadDotEnvFile();
if (!values.from) {
  console.error('usage: npm run db:restore -- --from <snapshot folder> [--data-dir <dir>]');
  process.exit(2);
}
const dataDir = values['data-dir'] ?? process.env.DATA_DIR ?? './data';
const manifest = await restoreSnapshot({ fromDir: values.from, dataDir, logger }).catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
for (const database of manifest.databases) {
  const documents = Object.values(database.collections).reduce((total, count) => total + count, 0);
  console.log(`${database.file}: ${documents} documents, as of ${database.startedAt}`);
}
console.log(`restored into ${dataDir}; start the service on it with DATA_DIR=${dataDir} npm start`);
