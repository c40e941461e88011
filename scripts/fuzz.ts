import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedFerretDb, type EmbeddedDatabase } from '../src/db/embedded-ferretdb.ts';
import { ensureFerretDbBinary } from '../src/db/ferretdb-binary.ts';
import { logger, setLogLevel } from '../src/shared/logger.ts';
import { formatFuzzSummary, runFuzz } from './fuzz/fuzz-run.ts';

/*
 * `npm run fuzz`: the long Schemathesis run (README, "Fuzzing (Schemathesis)"). The service runs in
 * this process on a throwaway embedded FerretDB (or MONGODB_URI, in a database of its own) with the
 * demo district; reports stay in the printed temp folder.
 *   --max-examples N  test cases per operation and phase (default 200)
 *   --seed N          Hypothesis seed (default 20260101: the same run every time)
 */
const { values } = parseArgs({
  options: {
    'max-examples': { type: 'string', default: '200' },
    seed: { type: 'string', default: '20260101' },
  },
});

setLogLevel(process.env.FUZZ_LOG_LEVEL ?? 'error');
const reportDir = await mkdtemp(path.join(os.tmpdir(), 'starlight-fuzz-'));
process.exit(await fuzzOnce());

async function fuzzOnce(): Promise<number> {
  let embedded: EmbeddedDatabase | undefined;
  try {
    let mongoUri = process.env.MONGODB_URI;
    if (!mongoUri) {
      embedded = await startEmbeddedFerretDb({ binary: await ensureFerretDbBinary(logger), dataDir: path.join(reportDir, 'db'), port: 0, logger });
      mongoUri = embedded.uri;
    }
    const summary = await runFuzz({
      mongoUri,
      dbName: `fuzz_${Date.now()}`,
      maxExamples: Number(values['max-examples']),
      seed: Number(values.seed),
      reportDir,
      echo: true,
      log: (line) => process.stdout.write(`[fuzz] ${line}\n`),
    });
    process.stdout.write(`\n${formatFuzzSummary(summary)}\nreports: ${reportDir}\n`);
    return summary.failures === 0 && summary.identities.every((i) => i.exitCode === 0) ? 0 : 1;
  } finally {
    await embedded?.stop();
    if (embedded) await rm(path.join(reportDir, 'db'), { recursive: true, force: true });
  }
}
