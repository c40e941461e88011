// A consistent snapshot of the embedded database (FerretDB's SQLite files under DATA_DIR), taken
// while the service runs. Usage: npm run db:snapshot -- --out <folder> [--data-dir <dir>]
// The folder must be new or empty. On MongoDB use mongodump --oplog instead (docs/production.md).
import { parseArgs } from 'node:util';
import { loadDotEnvFile } from '../src/config/env.ts';
import { snapshotDataDir } from '../src/db/snapshot.ts';
import { logger } from '../src/shared/logger.ts';

const { values } = parseArgs({ options: { out: { type: 'string' }, 'data-dir': { type: 'string' } } });
loadDotEnvFile();
if (!values.out) {
  console.error('usage: npm run db:snapshot -- --out <folder> [--data-dir <dir>]');
  process.exit(2);
}
if (process.env.MONGODB_URI && !values['data-dir']) {
  console.error('MONGODB_URI is set: this command copies the embedded database only. Back up MongoDB with mongodump --oplog (docs/production.md).');
  process.exit(2);
}
const manifest = await snapshotDataDir({ dataDir: values['data-dir'] ?? process.env.DATA_DIR ?? './data', outDir: values.out, logger }).catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
for (const database of manifest.databases) {
  const documents = Object.values(database.collections).reduce((total, count) => total + count, 0);
  console.log(`${database.file}: ${documents} documents in ${Object.keys(database.collections).length} collections, ${database.bytes} bytes, as of ${database.startedAt}`);
}
console.log(`snapshot written to ${values.out} (manifest: snapshot.json; it holds the data folder's secrets, keep it like them)`);
