// Generates a district (or a city) straight into the database, for benchmarks and crash tests.
// Usage: node --import tsx scripts/generate-district.ts --seniors 10000 --orders 100000 [--month 2026-10] [--seed 1]
// Uses MONGODB_URI, or the embedded FerretDB under DATA_DIR (default ./data) like the service.
import { parseArgs } from 'node:util';
import '../src/capabilities.ts';
import { loadConfig, loadDotEnvFile } from '../src/config/env.ts';
import { connectDatabase } from '../src/db/connection.ts';
import { logger } from '../src/shared/logger.ts';
import { addMonths, businessMonth } from '../src/shared/time.ts';
import { generateDistrict } from './district-generator.ts';
import { useAuditKey } from '../src/audit/index.ts';

const { values } = parseArgs({ options: { seniors: { type: 'string', default: '10000' }, orders: { type: 'string', default: '100000' }, month: { type: 'string' }, seed: { type: 'string', default: '20261122' } } });
loadDotEnvFile();
const config = loadConfig();
useAuditKey(config.auditKey); // every writer of the chain makes keyed links
const month = values.month ?? addMonths(businessMonth(new Date(), config.businessTimeZone), -1);
const database = await connectDatabase(config, logger);
try {
  const started = Date.now();
  const result = await generateDistrict(config, { seniors: Number(values.seniors), orders: Number(values.orders), month, seed: Number(values.seed), onProgress: (message) => console.log(message) });
  console.log(JSON.stringify({ month, ...result, seconds: Math.round((Date.now() - started) / 100) / 10 }));
} finally {
  await database.close();
}
