import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOpenApiDocument } from '../../src/shared/openapi/registry.ts';
import { FUZZ_EXCLUSIONS, FUZZ_IDENTITIES, formatFuzzSummary, runFuzz, type FuzzSummary } from '../../scripts/fuzz/fuzz-run.ts';
import { testDatabaseUri } from '../support/database.ts';

/**
 * The bounded Schemathesis run (README, "Fuzzing (Schemathesis)"): every operation of the OpenAPI
 * document, as the admin and as a community worker, on the demo district in a database of its own.
 * No 5xx, every status, content type, header and body as documented, every schema-breaking request
 * refused. `npm run fuzz` is the long run of the same thing.
 */
describe('OpenAPI fuzz (Schemathesis, bounded)', function () {
  // Bounded by the example count (st --max-time would keep fuzzing until the time is spent); the
  // timeout covers installing Schemathesis on a fresh clone (~20 s), seeding (~50 s) and the runs.
  this.timeout(15 * 60_000);
  let reportDir: string;
  let summary: FuzzSummary;

  before(async () => {
    reportDir = await mkdtemp(path.join(os.tmpdir(), 'starlight-fuzz-test-'));
    summary = await runFuzz({
      mongoUri: testDatabaseUri(),
      dbName: `t_fuzz_${randomBytes(4).toString('hex')}`,
      maxExamples: 10,
      seed: 20260101,
      reportDir,
    });
  });

  after(async () => {
    // The numbers the README quotes for the bounded run.
    if (summary) process.stdout.write(`${formatFuzzSummary(summary)}\n`);
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  it('finds no failure as the admin or as a community worker', () => {
    const failed = summary.identities.filter((i) => i.exitCode !== 0 || i.failures !== 0);
    // On failure, Schemathesis' own report names each operation, check and a curl to reproduce it.
    const reportOf = (output: string) => output.slice(Math.max(0, output.search(/=+ (FAILURES|ERRORS) =+/)), output.search(/=+ WARNINGS =+/));
    expect(failed.map((i) => `${i.username}:\n${reportOf(i.output)}`).join('\n'), formatFuzzSummary(summary)).to.equal('');
  });

  it('tried every operation of the document but the listed exclusions, for each identity', () => {
    const documented = Object.values(buildOpenApiDocument().paths ?? {}).reduce((sum, item) => sum + Object.keys(item).length, 0);
    expect(summary.identities.map((i) => i.username)).to.deep.equal([...FUZZ_IDENTITIES]);
    for (const identity of summary.identities) {
      expect(identity.operations, identity.username).to.equal(documented - FUZZ_EXCLUSIONS.length);
      expect(identity.testCases, identity.username).to.be.greaterThan(1000);
    }
  });
});
