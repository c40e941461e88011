// Where a monthly job's time goes, command by command, on a fresh embedded database:
//   npm run bench:profile -- --job settlement|issuance [--seniors 1000 --orders 10000]
// Generates the district (as the benchmark does), then runs the job once with the driver's command
// monitoring on and prints, per command and collection, how many were sent and the time spent
// waiting for their answers; what is left of the wall time is Node's own work (and the gaps
// between commands). Used to find what bounds settlement and issuance (BENCHMARKS.md).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import '../../src/capabilities.ts';
import { loadConfig } from '../../src/config/env.ts';
import { DATABASE_NAME } from '../../src/db/connection.ts';
import { startEmbeddedFerretDb } from '../../src/db/embedded-ferretdb.ts';
import { ensureFerretDbBinary } from '../../src/db/ferretdb-binary.ts';
import { settlementOrderFilter } from '../../src/dispatch/index.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { runSettlement } from '../../src/settlement/index.ts';
import { logger, setLogLevel } from '../../src/shared/logger.ts';
import { addMonths, businessMonth } from '../../src/shared/time.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { generateDistrict } from '../district-generator.ts';
import { useAuditKey } from '../../src/audit/index.ts';

const { values } = parseArgs({ options: { job: { type: 'string', default: 'settlement' }, seniors: { type: 'string', default: '1000' }, orders: { type: 'string', default: '10000' } } });
if (values.job !== 'settlement' && values.job !== 'issuance') throw new Error('--job must be settlement or issuance');
setLogLevel('warn');
const month = addMonths(businessMonth(new Date(), 'Asia/Shanghai'), -1);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'starlight-profile-'));
const database = await startEmbeddedFerretDb({ binary: await ensureFerretDbBinary(logger), dataDir: path.join(dataDir, 'ferretdb'), port: 0, logger });
try {
  Object.assign(process.env, { MONGODB_URI: database.uri, DATA_DIR: dataDir, NODE_ENV: 'development', SETTLEMENT_SAMPLE_PCT: '5' });
  const config = loadConfig();
useAuditKey(config.auditKey); // every writer of the chain makes keyed links
  await mongoose.connect(database.uri, { dbName: DATABASE_NAME, monitorCommands: true });
  await generateDistrict(config, { seniors: Number(values.seniors), orders: Number(values.orders), month, seed: 20261122 });

  // The floor settlement is measured against (the benchmark's `scan` phase), before monitoring starts.
  const scanStarted = performance.now();
  let scanned = 0;
  if (values.job === 'settlement') for await (const _order of OrderModel.collection.find(settlementOrderFilter(month)).sort({ _id: 1 }).batchSize(1000)) scanned += 1;
  const scanMs = performance.now() - scanStarted;

  const client = mongoose.connection.getClient();
  const sent = new Map<number, string>();
  const spent = new Map<string, { count: number; ms: number }>();
  client.on('commandStarted', (event) => {
    const command = event.command as Record<string, unknown>;
    sent.set(event.requestId, `${event.commandName} ${String(event.commandName === 'getMore' ? command.collection : command[event.commandName])}`);
  });
  client.on('commandSucceeded', (event) => {
    const key = sent.get(event.requestId);
    if (!key) return;
    sent.delete(event.requestId);
    const figures = spent.get(key) ?? { count: 0, ms: 0 };
    figures.count += 1;
    figures.ms += event.duration;
    spent.set(key, figures);
  });
  const started = performance.now();
  const outcome = values.job === 'settlement'
    ? await runSettlement(month, { by: 'profile', runId: `profile-${Date.now()}`, config })
    : await issueMonth(addMonths(month, 1), 'profile');
  const wallMs = performance.now() - started;

  const rows = [...spent].sort((a, b) => b[1].ms - a[1].ms);
  const inCommandsMs = rows.reduce((total, [, figures]) => total + figures.ms, 0);
  process.stdout.write(`${values.job} of ${values.seniors} seniors / ${values.orders} visits: ${(wallMs / 1000).toFixed(2)} s wall\n${JSON.stringify(outcome)}\n\n`);
  process.stdout.write(`${'command collection'.padEnd(44)}${'count'.padStart(8)}${'seconds'.padStart(10)}${'share'.padStart(8)}\n`);
  for (const [key, figures] of rows) {
    process.stdout.write(`${key.padEnd(44)}${String(figures.count).padStart(8)}${(figures.ms / 1000).toFixed(2).padStart(10)}${`${Math.round((100 * figures.ms) / wallMs)}%`.padStart(8)}\n`);
  }
  // Commands in flight together (the settlement run reads ahead) can add up to more than the wall time.
  if (values.job === 'settlement') process.stdout.write(`${'bare scan of the same orders'.padEnd(52)}${(scanMs / 1000).toFixed(2).padStart(10)}  (${scanned} orders; settlement ${(wallMs / scanMs).toFixed(2)}×)\n`);
  process.stdout.write(`${'waiting for the database, summed'.padEnd(52)}${(inCommandsMs / 1000).toFixed(2).padStart(10)}\n${'wall time'.padEnd(52)}${(wallMs / 1000).toFixed(2).padStart(10)}\n`);
} finally {
  await mongoose.disconnect();
  await database.stop();
  await rm(dataDir, { recursive: true, force: true });
}
