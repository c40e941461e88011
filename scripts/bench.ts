// Benchmarks on a fresh embedded database: npm run bench -- --size district|city|small [--only settlement,issuance]
// Prints a table and writes bench/results.json. What each figure means: BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { MongoClient } from 'mongodb';
import { startEmbeddedFerretDb } from '../src/db/embedded-ferretdb.ts';
import { ensureFerretDbBinary, FERRETDB_BUILD_TAG } from '../src/db/ferretdb-binary.ts';
import { logger, setLogLevel } from '../src/shared/logger.ts';
import { addMonths, businessMonth } from '../src/shared/time.ts';
import type { PhaseArgs, PhaseName, PhaseResult } from './bench/phases.ts';
import { quantilesOf } from './bench/quantiles.ts';

const SIZES = {
  small: { seniors: 1_000, orders: 10_000 },
  district: { seniors: 10_000, orders: 100_000 },
  city: { seniors: 100_000, orders: 1_000_000 },
} as const;
type Size = keyof typeof SIZES;
/** The city run is hours on two cores; by default it measures what the month's jobs do. */
const DEFAULT_PHASES: Record<Size, string[]> = {
  small: ['scan', 'settlement', 'insertMany', 'issuance', 'explain', 'importXlsx', 'dispatch', 'http'],
  district: ['scan', 'settlement', 'insertMany', 'issuance', 'explain', 'importXlsx', 'dispatch', 'http', 'lists'],
  city: ['scan', 'settlement', 'insertMany', 'issuance', 'explain'],
};
const HTTP_SECONDS = 20;
const HTTP_CONNECTIONS = 50;

const { values } = parseArgs({ options: { size: { type: 'string', default: 'district' }, only: { type: 'string' }, keep: { type: 'boolean', default: false } } });
const size = values.size as Size;
if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
const wanted = values.only ? values.only.split(',') : DEFAULT_PHASES[size];
setLogLevel('warn');

const month = addMonths(businessMonth(new Date(), 'Asia/Shanghai'), -1);
const args: PhaseArgs = { ...SIZES[size], month, nextMonth: addMonths(month, 1) };
const dataDir = await mkdtemp(path.join(os.tmpdir(), `starlight-bench-${size}-`));
const binary = await ensureFerretDbBinary(logger);
const database = await startEmbeddedFerretDb({ binary, dataDir: path.join(dataDir, 'ferretdb'), port: 0, logger });
const childEnv = {
  ...process.env, NODE_ENV: 'development', MONGODB_URI: database.uri, DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'warn', JOBS_ENABLED: 'false',
  SETTLEMENT_SAMPLE_PCT: '5',
};
const results: Record<string, PhaseResult> = {};

try {
  process.stdout.write(`Benchmark ${size}: ${args.seniors} seniors, ${args.orders} visits in ${args.month}; database ${database.uri} (FerretDB ${FERRETDB_BUILD_TAG}, SQLite) in ${dataDir}\n`);
  await measure('generate');
  // A phase that fails is reported with its error and the others still run; the exit code says so.
  for (const phase of wanted.filter((name) => name !== 'http' && name !== 'lists')) await measure(phase as PhaseName).catch((error: unknown) => failed(phase, error));
  if (wanted.includes('http')) results.http = await http().catch((error: unknown) => failed('http', error));
  if (wanted.includes('lists')) results.lists = await lists().catch((error: unknown) => failed('lists', error));
} finally {
  await database.stop();
  if (!values.keep) await rm(dataDir, { recursive: true, force: true });
}

// With --only, the phases measured now replace theirs in the size's last results; the rest stay.
const file = path.join('bench', size === 'district' ? 'results.json' : `results-${size}.json`);
if (values.only) {
  const previous = await readFile(file, 'utf8').then((text) => JSON.parse(text) as { results?: Record<string, PhaseResult> }, () => null);
  for (const [phase, figures] of Object.entries(previous?.results ?? {})) if (!(phase in results)) results[phase] = { ...figures, fromEarlierRun: true };
}

const report = {
  size, ...args, ranAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, database: `FerretDB ${FERRETDB_BUILD_TAG} (SQLite), embedded` },
  ratios: {
    settlementOverScan: ratio(results.settlement?.wallS, results.scan?.wallS),
    issuanceOverInsertMany: ratio(results.issuance?.wallS, results.insertMany?.wallS),
  },
  results,
};
await mkdir('bench', { recursive: true });
await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
printTable();
process.stdout.write(`\nwritten: ${file}\n`);
if (Object.values(results).some((figures) => 'error' in figures)) process.exitCode = 1;

function failed(phase: string, error: unknown): PhaseResult {
  process.stdout.write(`  ${phase} FAILED: ${String(error).slice(0, 2000)}\n`);
  results[phase] = { error: String(error).split('\n')[0] ?? 'failed' };
  return results[phase];
}

/** Runs one phase in a process of its own and notes the database process's memory after it. */
async function measure(phase: PhaseName): Promise<void> {
  process.stdout.write(`… ${phase}\n`);
  const output = await run(process.execPath, ['--import', 'tsx', 'scripts/bench/run-phase.ts', phase, JSON.stringify(args)]);
  const line = output.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`phase ${phase} printed no result:\n${output.slice(-2000)}`);
  results[phase] = { ...(JSON.parse(line.slice('BENCH_RESULT '.length)) as PhaseResult), databaseRssMb: await rssMb(database.pid, 'VmRSS'), databasePeakRssMb: await rssMb(database.pid, 'VmHWM') };
  process.stdout.write(`  ${JSON.stringify(results[phase])}\n`);
}

function run(command: string, argv: string[], env: NodeJS.ProcessEnv = childEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${argv.join(' ')} exited ${code}:\n${output.slice(-3000)}`))));
  });
}

async function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number | null> {
  try {
    // The embedded database runs under a small guard shell: its memory is the shell's child's.
    if (pid === database.pid) pid = Number((await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/)[0]);
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * The service as deployed (its own process, jobs off), loaded with autocannon: the order list
 * (authenticated, paginated), order creation (each a real dispatch with a voucher hold), and
 * /healthz — the framework's own ceiling on this machine, beside them.
 */
async function http(): Promise<PhaseResult> {
  process.stdout.write('… http\n');
  const port = await freePort();
  const env = { ...childEnv, PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_ADMIN_USERNAME: 'bench-admin', BOOTSTRAP_ADMIN_PASSWORD: 'bench-password-1', AUTH_RATE_LIMIT_PER_MINUTE: '1000' };
  const service = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForReady(`${base}/readyz`);
    const headers = await loginHeaders(base, 'bench-admin', 'bench-password-1');
    const seniorIds = await dispatchCommunitySeniors();
    if (seniorIds.length === 0) throw new Error('the http phase needs the dispatch phase first (its community of seniors)');

    // The framework's ceiling and order creation first, while nothing is queued; then the list as
    // a community worker sees it (their community's month of visits, a page at a time), one
    // request alone and then under load; last the district-wide list an admin sees, timed once
    // when the abandoned list requests have drained (see BENCHMARKS.md).
    const health = await load('GET /healthz', { url: `${base}/healthz` });
    let next = 0;
    const tomorrow = Date.now() + 2 * 86_400_000;
    const orderBody = () => {
      next += 1;
      return JSON.stringify({ seniorId: seniorIds[next % seniorIds.length], serviceTypeCode: 'cleaning', quantity: 1, scheduledStart: new Date(tomorrow + next * 60_000).toISOString(), source: 'staff' });
    };
    // One order first: a load of refusals would measure the error path.
    const probe = await fetch(`${base}/api/v1/service-orders`, { method: 'POST', headers, body: orderBody() });
    if (probe.status !== 201) throw new Error(`creating an order answered ${probe.status}: ${(await probe.text()).slice(0, 500)}`);
    const create = await load('POST /api/v1/service-orders', {
      url: `${base}/api/v1/service-orders`, headers, method: 'POST',
      requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, body: orderBody() }) }],
    });
    const community = await busiestGeneratedCommunity();
    const created = await fetch(`${base}/api/v1/users`, {
      method: 'POST', headers,
      body: JSON.stringify({ username: 'bench-community', password: 'bench-password-2', displayName: '社区基准', role: 'community_staff', communityIds: [community.id] }),
    });
    if (!created.ok) throw new Error(`could not create the community worker: ${created.status} ${await created.text()}`);
    const staffHeaders = await loginHeaders(base, 'bench-community', 'bench-password-2');
    const listUrl = `${base}/api/v1/service-orders?page=2&pageSize=20`;
    const oneList = await timedGet('GET /api/v1/service-orders (community staff), one request', listUrl, staffHeaders);
    const list = { ...(await load('GET /api/v1/service-orders (community staff)', { url: listUrl, headers: staffHeaders })), communityOrders: community.orders, oneRequestMs: oneList.ms };
    // Requests autocannon gave up on are still being answered by the service and the database.
    const drainedS = await drain();
    process.stdout.write(`  drained: ${drainedS === null ? 'no, after 3 minutes' : `${drainedS} s`}\n`);
    const districtList = drainedS === null ? { ms: null, status: null, total: null } : await timedGet('GET /api/v1/service-orders (admin, whole district), one request', listUrl, headers).catch((error: unknown) => ({ ms: null, status: String(error), total: null }));
    return { ...prefix('list', list), 'list.drainedS': drainedS, ...prefix('districtList', districtList), ...prefix('create', create), ...prefix('healthz', health), peakRssMb: await rssMb(service.pid as number, 'VmHWM') };
  } finally {
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
  }
}

/**
 * Issue 16's phase: every list the console opens and order creation, on a small district (1,000
 * seniors / 10,000 visits, generated into a database of its own) and on this run's district, in
 * the same run, with the ratio of the medians. Each list alone: 21 requests one after another, the
 * first dropped (warm-up). The community worker's list also under 50 connections for 20 s, order
 * creation under 20.
 */
async function lists(): Promise<PhaseResult> {
  process.stdout.write('… lists\n');
  const sizes = [
    { name: 'small', seniors: 1_000, orders: 10_000, uri: withDatabase(database.uri, 'starlight_lists_small'), own: true },
    { name: 'district', seniors: args.seniors, orders: args.orders, uri: withDatabase(database.uri, 'starlight'), own: false },
  ];
  const figures: PhaseResult = {};
  for (const size of sizes) {
    const env = { ...childEnv, MONGODB_URI: size.uri };
    const sizeArgs = JSON.stringify({ ...args, seniors: size.seniors, orders: size.orders });
    const client = await MongoClient.connect(size.uri);
    const db = client.db();
    try {
      if (size.own || (await db.collection('service_orders').estimatedDocumentCount()) === 0) await run(process.execPath, ['--import', 'tsx', 'scripts/bench/run-phase.ts', 'generate', sizeArgs], env);
      if (!(await db.collection('communities').findOne({ name: '调度基准社区' }))) await run(process.execPath, ['--import', 'tsx', 'scripts/bench/run-phase.ts', 'dispatch', sizeArgs], env);
      if (!(await db.collection('settlement_statements').findOne({}))) await run(process.execPath, ['--import', 'tsx', 'scripts/bench/run-phase.ts', 'settlement', sizeArgs], env);
      const measured = await measureLists(size.name, env, db);
      Object.assign(figures, prefix(size.name, measured));
    } finally {
      await client.close();
    }
  }
  for (const key of Object.keys(figures).filter((k) => k.startsWith('district.') && k.endsWith('.medianMs'))) {
    figures[`ratio.${key.slice('district.'.length, -'.medianMs'.length)}`] = ratio(figures[key], figures[`small.${key.slice('district.'.length)}`]);
  }
  process.stdout.write(`  ${JSON.stringify(figures)}\n`);
  return figures;
}

async function measureLists(sizeName: string, env: NodeJS.ProcessEnv, db: ReturnType<MongoClient['db']>): Promise<PhaseResult> {
  const port = await freePort();
  const service = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_ADMIN_USERNAME: 'bench-admin', BOOTSTRAP_ADMIN_PASSWORD: 'bench-password-1', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForReady(`${base}/readyz`);
    const admin = await loginHeaders(base, 'bench-admin', 'bench-password-1');
    // The busiest generated community (the dispatch benchmark's own community holds only offers).
    const dispatchCommunityId = String((await db.collection('communities').findOne({ name: '调度基准社区' }))?._id);
    const busiest = (await db.collection('service_orders').aggregate<{ _id: string; n: number }>([{ $group: { _id: '$communityId', n: { $sum: 1 } } }]).toArray()).filter((c) => c._id !== dispatchCommunityId).sort((a, b) => b.n - a.n)[0]!;
    const anOrder = (await db.collection('service_orders').findOne({ communityId: busiest._id, caregiverId: { $ne: null } }))!;
    const user = async (username: string, body: Record<string, unknown>) => {
      const created = await fetch(`${base}/api/v1/users`, { method: 'POST', headers: admin, body: JSON.stringify({ username, password: 'bench-password-2', displayName: '基准用户', ...body }) });
      if (!created.ok && created.status !== 409) throw new Error(`could not create ${username}: ${created.status} ${await created.text()}`);
      return loginHeaders(base, username, 'bench-password-2');
    };
    const staff = await user(`bench-staff-${sizeName}`, { role: 'community_staff', communityIds: [busiest._id] });
    const provider = await user(`bench-provider-${sizeName}`, { role: 'provider_admin', providerId: anOrder.providerId });
    const caregiver = await user(`bench-caregiver-${sizeName}`, { role: 'caregiver', providerId: anOrder.providerId, caregiverId: anOrder.caregiverId });
    const firstPage = (await (await fetch(`${base}/api/v1/service-orders?pageSize=20`, { headers: staff })).json()) as { nextCursor: string | null };
    // The statement with the most lines (a provider's month: a city's can hold tens of thousands).
    const statement = await db.collection('settlement_statements').find({}).sort({ lineCount: -1 }).limit(1).next();
    const lists: Array<[string, string, Record<string, string>]> = [
      ['staffOrders.page1', '/api/v1/service-orders?page=1&pageSize=20', staff],
      ['staffOrders.page2', '/api/v1/service-orders?page=2&pageSize=20', staff],
      ['staffOrders.cursor2', `/api/v1/service-orders?pageSize=20&cursor=${firstPage.nextCursor}`, staff],
      ['adminOrders.page1', '/api/v1/service-orders?page=1&pageSize=20', admin],
      ['providerOrders.page1', '/api/v1/service-orders?page=1&pageSize=20', provider],
      ['caregiverOrders.page1', '/api/v1/service-orders?page=1&pageSize=20', caregiver],
      ['seniors.admin', '/api/v1/seniors?pageSize=20', admin],
      ['seniors.staff', '/api/v1/seniors?pageSize=20', staff],
      ['ledgerEntries', `/api/v1/seniors/${String(anOrder.seniorId)}/voucher-account/entries?pageSize=20`, admin],
      ['audit', '/api/v1/audit?pageSize=20', admin],
      ['notifications', '/api/v1/notifications?pageSize=20', admin],
      ['jobRuns', '/api/v1/jobs/runs?pageSize=20', admin],
      ['sampleChecks', `/api/v1/settlements/sample-checks?pageSize=20${statement ? `&statementId=${String(statement._id)}` : ''}`, admin],
      ['statementLines.page1', `/api/v1/settlements/statements/${String(statement?._id)}/lines?pageSize=20`, admin],
    ];
    const out: PhaseResult = { communityOrders: busiest.n, statementLineCount: Number(statement?.lineCount ?? 0) };
    for (const [name, url, headers] of lists) {
      const rssBefore = name === 'adminOrders.page1' ? await rssMb(database.pid, 'VmRSS') : null;
      const alone = await aloneTimings(`${base}${url}`, headers).catch((error: unknown) => {
        throw new Error(`${sizeName} ${name}: ${String(error)}`);
      });
      process.stdout.write(`  ${sizeName} ${name}: ${JSON.stringify(alone)}\n`);
      Object.assign(out, prefix(name, alone));
      if (rssBefore !== null) out['adminOrders.page1.databaseRssGrowthMb'] = ((await rssMb(database.pid, 'VmRSS')) ?? 0) - rssBefore;
    }
    Object.assign(out, prefix('staffOrders.load', await load(`GET service-orders page 2 (community staff, ${sizeName})`, { url: `${base}/api/v1/service-orders?page=2&pageSize=20`, headers: staff })));
    const seniorIds = (await db.collection('seniors').find({ communityId: dispatchCommunityId }, { projection: { _id: 1 } }).toArray()).map((s) => String(s._id));
    let next = 0;
    const day = Date.now() + 3 * 86_400_000;
    const orderBody = () => {
      next += 1;
      return JSON.stringify({ seniorId: seniorIds[next % seniorIds.length], serviceTypeCode: 'cleaning', quantity: 1, scheduledStart: new Date(day + next * 1_000).toISOString(), source: 'staff' });
    };
    const createAlone: number[] = [];
    for (let i = 0; i < 21; i += 1) {
      const started = performance.now();
      const res = await fetch(`${base}/api/v1/service-orders`, { method: 'POST', headers: admin, body: orderBody() });
      if (res.status !== 201) throw new Error(`creating an order answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      if (i > 0) createAlone.push(performance.now() - started);
    }
    Object.assign(out, prefix('create', quantiles(createAlone)));
    Object.assign(out, prefix('create.load', await load(`POST service-orders (${sizeName})`, {
      url: `${base}/api/v1/service-orders`, headers: admin, method: 'POST', connections: 20,
      requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, body: orderBody() }) }],
    })));
    return out;
  } finally {
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
  }
}

async function aloneTimings(url: string, headers: Record<string, string>): Promise<PhaseResult> {
  const timings: number[] = [];
  let last: { status: number; total?: number; totalIsEstimate?: boolean } = { status: 0 };
  let lastText = '';
  for (let i = 0; i < 21; i += 1) {
    const started = performance.now();
    const res = await fetch(url, { headers });
    lastText = await res.text();
    const body = JSON.parse(lastText) as { total?: number; totalIsEstimate?: boolean };
    if (i > 0) timings.push(performance.now() - started);
    last = { status: res.status, total: body.total, totalIsEstimate: body.totalIsEstimate };
  }
  if (last.status !== 200) throw new Error(`${url} answered ${last.status} ${lastText.slice(0, 300)}`);
  return { ...quantiles(timings), total: last.total ?? null, totalIsEstimate: last.totalIsEstimate ?? null };
}

function quantiles(timings: number[]): PhaseResult {
  const { medianMs, p99Ms } = quantilesOf(timings);
  return { medianMs, p99Ms };
}

function withDatabase(uri: string, name: string): string {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.toString();
}

async function load(title: string, options: Record<string, unknown>): Promise<PhaseResult> {
  process.stdout.write(`  ${title}: ${String(options.connections ?? HTTP_CONNECTIONS)} connections, ${HTTP_SECONDS} s\n`);
  const result = await autocannon({ connections: HTTP_CONNECTIONS, duration: HTTP_SECONDS, ...options } as autocannon.Options);
  const figures = { requestsPerS: Math.round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99, total: result.requests.total, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts };
  // Let the service and the database finish what the load left in flight before the next figure.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  process.stdout.write(`  ${JSON.stringify(figures)}\n`);
  return figures;
}

async function timedGet(title: string, url: string, headers: Record<string, string>): Promise<{ status: number; total: number | null; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  const figures = { status: response.status, total: ((await response.json()) as { total?: number }).total ?? null, ms: Math.round(performance.now() - started) };
  process.stdout.write(`  ${title}: ${JSON.stringify(figures)}\n`);
  return figures;
}

/** Seconds until the database process is idle (under 10% of a core over 2 s); null after 3 minutes. */
async function drain(): Promise<number | null> {
  const pid = Number((await readFile(`/proc/${database.pid}/task/${database.pid}/children`, 'utf8')).trim().split(/\s+/)[0]);
  const cpuTicks = async () => {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
  };
  const started = Date.now();
  while (Date.now() - started < 180_000) {
    const before = await cpuTicks();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    if ((await cpuTicks()) - before < 20) return Math.round((Date.now() - started) / 1000);
  }
  return null;
}

async function loginHeaders(base: string, username: string, password: string): Promise<Record<string, string>> {
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!login.ok) throw new Error(`login of ${username} failed: ${login.status}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
}

/** The generated community with the most visits (a busy community worker's list). */
async function busiestGeneratedCommunity(): Promise<{ id: string; orders: number }> {
  const client = await MongoClient.connect(database.uri);
  try {
    const counts = await client.db('starlight').collection('service_orders').aggregate<{ _id: string; orders: number }>([{ $group: { _id: '$communityId', orders: { $sum: 1 } } }]).toArray();
    const busiest = counts.sort((a, b) => b.orders - a.orders)[0];
    if (!busiest) throw new Error('no orders to list');
    return { id: busiest._id, orders: busiest.orders };
  } finally {
    await client.close();
  }
}

async function dispatchCommunitySeniors(): Promise<string[]> {
  const client = await MongoClient.connect(database.uri);
  try {
    const db = client.db('starlight');
    const community = await db.collection('communities').findOne({ name: '调度基准社区' });
    if (!community) return [];
    return (await db.collection('seniors').find({ communityId: String(community._id) }, { projection: { _id: 1 } }).toArray()).map((senior) => String(senior._id));
  } finally {
    await client.close();
  }
}

async function waitForReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not become ready in 2 minutes`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function prefix(name: string, figures: PhaseResult): PhaseResult {
  return Object.fromEntries(Object.entries(figures).map(([key, value]) => [`${name}.${key}`, value]));
}
function ratio(numerator: unknown, denominator: unknown): number | null {
  return typeof numerator === 'number' && typeof denominator === 'number' && denominator > 0 ? Math.round((numerator / denominator) * 100) / 100 : null;
}

function printTable(): void {
  const rows: [string, string, string][] = [];
  const r = results;
  const add = (what: string, figure: unknown, limit = '') => rows.push([what, String(figure ?? '—'), limit]);
  add('generate (not a benchmark)', r.generate && `${r.generate.wallS} s`);
  add('settlement', r.settlement && `${r.settlement.wallS} s, ${r.settlement.ordersPerS} orders/s, peak RSS ${r.settlement.peakRssMb} MB`, r.scan && `bare scan ${r.scan.wallS} s (${r.scan.ordersPerS}/s) → ratio ${report.ratios.settlementOverScan}×`);
  add('issuance', r.issuance && `${r.issuance.wallS} s, ${r.issuance.seniorsPerS} seniors/s, peak RSS ${r.issuance.peakRssMb} MB`, r.insertMany && `insertMany ${r.insertMany.wallS} s (${r.insertMany.entriesPerS}/s) → ratio ${report.ratios.issuanceOverInsertMany}×`);
  add('import 10,000-row XLSX', r.importXlsx && `${r.importXlsx.wallS} s, ${r.importXlsx.rowsPerS} rows/s, ${r.importXlsx.created} created, peak RSS ${r.importXlsx.peakRssMb} MB`);
  add('dispatch among 50 providers', r.dispatch && `median ${r.dispatch.medianMs} ms, p99 ${r.dispatch.p99Ms} ms (${r.dispatch.offered}/${r.dispatch.orders} offered)`);
  add('ranking step, day with 100 orders', r.dispatch && `median ${r.dispatch['ranking.at100.medianMs']} ms, p99 ${r.dispatch['ranking.at100.p99Ms']} ms`);
  add('ranking step, day with 3,000 orders', r.dispatch && `median ${r.dispatch['ranking.at3000.medianMs']} ms, p99 ${r.dispatch['ranking.at3000.p99Ms']} ms (${r.dispatch['ranking.dayOrders']} orders that day)`);
  if (r.http && 'error' in r.http) add('HTTP', `FAILED: ${String(r.http.error)}`);
  else if (r.http) {
    add('HTTP GET service-orders (community staff), one request', `${r.http['list.oneRequestMs']} ms (${r.http['list.communityOrders']} orders in the community)`);
    for (const [name, title] of [['list', 'HTTP GET service-orders (community staff)'], ['create', 'HTTP POST service-orders'], ['healthz', 'HTTP GET /healthz (ceiling)']] as const) {
      add(title, `${r.http[`${name}.requestsPerS`]} req/s, p50 ${r.http[`${name}.p50Ms`]} ms, p99 ${r.http[`${name}.p99Ms`]} ms, non-2xx ${r.http[`${name}.non2xx`]}, errors ${r.http[`${name}.errors`]}`);
    }
    add('HTTP GET service-orders (admin, whole district)', `one request: ${r.http['districtList.ms']} ms, status ${r.http['districtList.status']}, total ${r.http['districtList.total']}`);
  }
  if (r.lists && 'error' in r.lists) add('lists', `FAILED: ${String(r.lists.error)}`);
  else if (r.lists) {
    for (const key of Object.keys(r.lists).filter((k) => k.startsWith('district.') && k.endsWith('.medianMs'))) {
      const name = key.slice('district.'.length, -'.medianMs'.length);
      add(`lists: ${name}`, `district median ${r.lists[key]} ms, p99 ${r.lists[`district.${name}.p99Ms`]} ms`, `small ${r.lists[`small.${name}.medianMs`]} ms → ratio ${r.lists[`ratio.${name}`]}`);
    }
    for (const load of ['staffOrders.load', 'create.load']) {
      add(`lists: ${load}`, `district ${r.lists[`district.${load}.requestsPerS`]} req/s, p99 ${r.lists[`district.${load}.p99Ms`]} ms, non-2xx ${r.lists[`district.${load}.non2xx`]}, timeouts ${r.lists[`district.${load}.timeouts`]}`, `small ${r.lists[`small.${load}.requestsPerS`]} req/s`);
    }
    add('lists: admin page 1, FerretDB RSS growth', `${r.lists['district.adminOrders.page1.databaseRssGrowthMb']} MB`);
  }
  const width = [Math.max(...rows.map((row) => row[0].length)), Math.max(...rows.map((row) => row[1].length))];
  process.stdout.write(`\n${rows.map((row) => `${row[0].padEnd(width[0] as number)}  ${row[1].padEnd(width[1] as number)}  ${row[2]}`).join('\n')}\n`);
  if (r.explain) {
    process.stdout.write('\nindexes (explain):\n');
    for (const [key, value] of Object.entries(r.explain).filter(([name]) => name.endsWith('.plan'))) process.stdout.write(`  ${key.replace('.plan', '')}: ${String(value)}\n`);
  }
}
