// One benchmark phase in a process of its own: node --import tsx scripts/bench/run-phase.ts <phase> '<args json>'
// Reads MONGODB_URI and DATA_DIR from the environment (the orchestrator sets them); prints one
// `BENCH_RESULT {…}` line with the phase's figures and this process's peak RSS.
import '../../src/capabilities.ts';
import { loadConfig } from '../../src/config/env.ts';
import { connectDatabase } from '../../src/db/connection.ts';
import { logger, setLogLevel } from '../../src/shared/logger.ts';
import { phases, type PhaseArgs, type PhaseName } from './phases.ts';
import { useAuditKey } from '../../src/audit/index.ts';

const [name, rawArgs] = process.argv.slice(2) as [PhaseName, string];
if (!(name in phases)) throw new Error(`unknown phase ${name}; one of ${Object.keys(phases).join(', ')}`);
const config = loadConfig();
useAuditKey(config.auditKey); // every writer of the chain makes keyed links
setLogLevel('warn');
const database = await connectDatabase(config, logger);
try {
  const result = await phases[name](config, JSON.parse(rawArgs) as PhaseArgs);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ ...result, peakRssMb })}\n`);
} finally {
  await database.close();
}
