import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import { createApp } from '../../src/app.ts';
import { jobs } from '../../src/capabilities.ts';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { connectMongoose } from '../../src/db/connection.ts';
import { JobRunner } from '../../src/jobs/index.ts';
import { logger } from '../../src/shared/logger.ts';
import { seedDemoDistrict } from '../../seed/index.ts';
import { ensureSchemathesis, runSt } from './schemathesis.ts';

/**
 * Who the fuzz signs in as (demo logins, seed/demo-district.ts): the admin reaches every staff
 * route; the community worker is the scoped role that enrols seniors and orders visits.
 */
export const FUZZ_IDENTITIES = ['admin', 'community.anju'] as const;

/**
 * Checks run on every response. negative_data_rejection is on too: the schemas are `.strict()`
 * zod at the edge, so a request that breaks the document must be refused with a 4xx.
 * positive_data_acceptance is off: a schema-valid body may still name ids that do not exist
 * (404) or break a domain rule (409/422), which the document lists as the expected answers.
 */
export const FUZZ_CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
] as const;

/**
 * Operations left out, each for a reason other than failing:
 * - POST /auth/logout: a generated refresh token never matches, so it only exercises "unknown
 *   token → 204", while an identity's own token would end the fuzz's session; it is covered in
 *   test/identity.
 * - POST /jobs/{name}/run: valid names start long runs (settlement, issuance) that change the data
 *   every other operation reads; covered by test/jobs.
 */
export const FUZZ_EXCLUSIONS: { method: string; path: string }[] = [
  { method: 'POST', path: '/api/v1/auth/logout' },
  { method: 'POST', path: '/api/v1/jobs/{name}/run' },
];

export interface FuzzOptions {
  mongoUri: string;
  dbName: string;
  maxExamples: number;
  seed: number;
  reportDir: string;
  /** Print each identity's Schemathesis report when it ends. */
  echo?: boolean;
  log?: (line: string) => void;
}

export interface IdentityResult {
  username: string;
  exitCode: number;
  operations: number;
  testCases: number;
  failures: number;
  /** Test cases Schemathesis could not run (e.g. a failed health check); a run with errors fails. */
  errors: number;
  junitPath: string;
  output: string;
}

export interface FuzzSummary {
  durationMs: number;
  seedMs: number;
  identities: IdentityResult[];
  operations: number;
  testCases: number;
  failures: number;
}

/** Starts the service on `dbName` with the demo district, fuzzes it once per identity, stops it. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  await ensureSchemathesis(log);
  const config = fuzzConfig();
  await connectMongoose(options.mongoUri, { autoIndex: false, dbName: options.dbName });
  let server: Server | undefined;
  try {
    await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
    log(`seeding the demo district into ${options.dbName}`);
    await seedDemoDistrict(config);
    const seedMs = Date.now() - started;
    const jobRunner = new JobRunner(config, logger, jobs);
    server = await listen(createApp({ config, jobRunner }));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Both identities at once: each st waits on the service and the database most of the time, so
    // two runs side by side take little longer than one on two cores.
    const identities = await Promise.all(FUZZ_IDENTITIES.map(async (username) => {
      const token = await signIn(baseUrl, username);
      log(`fuzzing as ${username}`);
      const result = await fuzzAs(username, token, baseUrl, options);
      log(`${username}: ${result.operations} operations, ${result.testCases} test cases, ${result.failures} failures, ${result.errors} errors (st exit ${result.exitCode})`);
      if (options.echo) process.stdout.write(`\n${'='.repeat(30)} as ${username} ${'='.repeat(30)}\n${result.output}\n`);
      return result;
    }));
    return {
      durationMs: Date.now() - started,
      seedMs,
      identities,
      operations: Math.max(...identities.map((i) => i.operations)),
      testCases: identities.reduce((sum, i) => sum + i.testCases, 0),
      failures: identities.reduce((sum, i) => sum + i.failures, 0),
    };
  } finally {
    if (server) await new Promise<void>((resolve) => { server?.close(() => resolve()); server?.closeAllConnections(); });
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
  }
}

// Secrets of this run only; the access token must outlive the longest run (one sign-in per identity).
function fuzzConfig(): Config {
  const secret = () => randomBytes(32).toString('hex');
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/nonexistent-fuzz-data-dir',
    JWT_SECRET: secret(),
    JWT_REFRESH_SECRET: secret(),
    JWT_ACCESS_TTL_SECONDS: String(6 * 3600),
    PII_ENCRYPTION_KEY: secret(),
    PII_HMAC_KEY: secret(),
    SETTLEMENT_SAMPLE_SEED: secret(),
    AUDIT_HMAC_KEY: secret(),
    JOBS_ENABLED: 'false',
    // The per-IP limiter on /auth/* would answer most generated logins 429 after the first 30 in a
    // minute; opened up, the fuzz reaches the login's own validation. The limiter is tested in test/identity.
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  });
}

function listen(app: ReturnType<typeof createApp>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

async function signIn(baseUrl: string, username: string): Promise<string> {
  const { DEMO_PASSWORD } = await import('../../seed/demo-district.ts');
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`demo login ${username} answered ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function fuzzAs(username: string, token: string, baseUrl: string, options: FuzzOptions): Promise<IdentityResult> {
  const junitPath = path.join(options.reportDir, `${username}.junit.xml`);
  const args = [
    'run', `${baseUrl}/api/v1/openapi.json`,
    '--url', baseUrl,
    '--header', `Authorization: Bearer ${token}`,
    '--checks', FUZZ_CHECKS.join(','),
    '--phases', 'examples,coverage,fuzzing',
    '--max-examples', String(options.maxExamples),
    '--seed', String(options.seed),
    '--workers', '1',
    // Generous: the fuzz judges answers, not latency, and this 2-core machine is often busy.
    '--request-timeout', '120',
    // Hypothesis' health checks judge the generator, not the service: a regex-constrained field
    // (e.g. paymentRef) filters many candidates, and a busy machine is slow.
    '--suppress-health-check', 'filter_too_much,too_slow',
    '--no-color',
    '--generation-database', 'none',
    '--report', 'junit',
    '--report-junit-path', junitPath,
    // Each excluded path has only the one (POST) operation, so excluding the path is exact.
    ...FUZZ_EXCLUSIONS.flatMap(({ path: p }) => ['--exclude-path', p]),
  ];
  const result = await runSt(args, options.reportDir);
  return { username, exitCode: result.exitCode, junitPath, output: result.output, ...(await countsOf(junitPath, result.output)) };
}

/** Operations from the JUnit report (one test case element each); test cases from st's summary. */
async function countsOf(junitPath: string, output: string): Promise<{ operations: number; testCases: number; failures: number; errors: number }> {
  const junit = await readFile(junitPath, 'utf8').catch(() => '');
  const operations = (junit.match(/<testcase\b/g) ?? []).length;
  const generated = /Test cases:\s*\n?\s*(\d+) generated/.exec(output);
  const failuresLine = /(\d+) unique failures?/.exec(output);
  const errorsLine = /^=+ .*?\b(\d+) errors?\b.* in [\d.]+s =+$/m.exec(output);
  return {
    operations,
    testCases: generated ? Number(generated[1]) : 0,
    failures: failuresLine ? Number(failuresLine[1]) : (junit.match(/<failure\b/g) ?? []).length,
    errors: errorsLine ? Number(errorsLine[1]) : 0,
  };
}

export function formatFuzzSummary(summary: FuzzSummary): string {
  const rows = summary.identities.map((i) => `  ${i.username.padEnd(16)} operations ${i.operations}, test cases ${i.testCases}, failures ${i.failures}, errors ${i.errors} (st exit ${i.exitCode})`);
  return [
    `Schemathesis fuzz: ${(summary.durationMs / 1000).toFixed(0)} s (seeding ${(summary.seedMs / 1000).toFixed(0)} s)`,
    ...rows,
    `  total            operations ${summary.operations}, test cases ${summary.testCases}, failures ${summary.failures}`,
  ].join('\n');
}
