import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedFerretDb, type EmbeddedDatabase } from '../../src/db/embedded-ferretdb.ts';
import { ensureFerretDbBinary } from '../../src/db/ferretdb-binary.ts';
import { logger, setLogLevel } from '../../src/shared/logger.ts';

// One FerretDB for the whole run, on a free port in a temp folder, unless TEST_MONGODB_URI points
// at a database to use instead (a real MongoDB, for instance). Each test file then works in a
// database of its own (test/support/database.ts).

let embedded: EmbeddedDatabase | undefined;
let dataDir: string | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  setLogLevel(process.env.TEST_LOG_LEVEL ?? 'silent');
  if (process.env.TEST_MONGODB_URI) return;
  const binary = await ensureFerretDbBinary(logger);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'starlight-test-'));
  embedded = await startEmbeddedFerretDb({ binary, dataDir, port: 0, logger });
  process.env.TEST_MONGODB_URI = embedded.uri;
  process.env.TEST_FERRETDB_BIN = binary;
  process.env.TEST_FERRETDB_PID = String(embedded.pid);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await embedded?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
