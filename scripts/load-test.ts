// The service under abuse, on loopback only: npm run test:load [-- --seconds 20 --connections 200]
// Starts the real service (src/server.ts, its own embedded FerretDB, the demo district) on 127.0.0.1,
// then for the given time keeps `connections` expensive requests in flight — month reports and
// exports from four staff accounts — plus an oversized upload now and then, while two probes time
// /healthz and a community worker's order list. Passes when both probes keep p99 ≤ 1 s with every
// answer 2xx, and no request anywhere answered 5xx. Prints its figures; exits 1 when it fails.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { zipOf } from '../test/seniors/import/register-test-files.ts';
import { quantilesOf } from './bench/quantiles.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, connections: { type: 'string', default: '200' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const PASSWORD = 'Starlight@2026';

const port = await freePort();
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'starlight-load-'));
const base = `http://127.0.0.1:${port}`;
const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
  cwd: path.resolve(import.meta.dirname, '..'),
  // No MONGODB_URI: the service starts its own embedded FerretDB in the data dir.
  env: { ...withoutDatabaseUri(process.env), NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, SEED_DEMO: 'true', LOG_LEVEL: 'warn', JOBS_ENABLED: 'false' },
  stdio: ['ignore', 'ignore', 'inherit'],
  detached: true,
});
let exitCode: number | undefined;
try {
  await waitUntilReady();
  const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).slice(0, 7);
  const tokens = Object.fromEntries(await Promise.all(['admin', 'finance', 'auditor', 'street.sanlian', 'community.anju'].map(async (user) => [user, await login(user)] as const)));
  const rssBefore = await rssOf(child.pid as number);

  // The expensive load: reports and exports, each account hammering them with its share of the connections.
  const heavy = [
    { user: 'admin', path: `/api/v1/reports/anomalies?month=${month}` },
    { user: 'finance', path: `/api/v1/reports/overview?month=${month}` },
    { user: 'auditor', path: '/api/v1/audit/export' },
    { user: 'street.sanlian', path: `/api/v1/reports/providers?month=${month}` },
  ];
  const load = heavy.map(({ user, path: route }) => autocannon({
    url: `${base}${route}`, connections: Math.ceil(connections / heavy.length), duration: seconds, timeout: 30,
    headers: { authorization: `Bearer ${tokens[user]}` },
  }));
  const probes = [probe('/healthz'), probe('/api/v1/service-orders?pageSize=20', tokens['community.anju'])];
  const uploads = oversizedUploads(tokens['community.anju'] as string);
  const [loadResults, probeResults, uploadResults] = await Promise.all([Promise.all(load), Promise.all(probes), uploads]);
  const rssAfter = await rssOf(child.pid as number);

  // Zip bombs, after the load: a workbook whose directory declares 1 GiB of shared strings, and one
  // whose directory says 1 KB while its strings really inflate to 1 GiB (a deflate stream of ~1 MB).
  const bombs = [];
  for (const [name, bomb] of [['declared 1 GiB', workbookBomb(1024 ** 3, 16 * 1024)], ['lying, inflates to 1 GiB', workbookBomb(1024, 1024 ** 3)]] as const) {
    const rss = await rssOf(child.pid as number);
    const started = performance.now();
    const form = new FormData();
    form.append('file', new Blob([bomb]), 'bomb.xlsx');
    const res = await fetch(`${base}/api/v1/seniors/import`, { method: 'POST', headers: { authorization: `Bearer ${tokens['community.anju']}` }, body: form });
    const body = (await res.json()) as { error?: { message?: string } };
    bombs.push({ name, bytes: bomb.length, status: res.status, ms: Math.round(performance.now() - started), rssGrowthMb: (await rssOf(child.pid as number)) - rss, message: body.error?.message });
  }
  const statusOf = (result: autocannon.Result) => ({ '2xx': result['2xx'], '429': result.statusCodeStats?.['429']?.count ?? 0, '5xx': result['5xx'], errors: result.errors, timeouts: result.timeouts });
  console.log(`\nexpensive load: ${connections} connections for ${seconds} s`);
  for (const [index, result] of loadResults.entries()) console.log(`  ${heavy[index]!.path.padEnd(48)} ${JSON.stringify(statusOf(result))}`);
  console.log(`oversized uploads: ${JSON.stringify(uploadResults)}`);
  let failed = false;
  for (const result of probeResults) {
    const q = quantilesOf(result.latenciesMs);
    const bad = result.statuses.filter((status) => status < 200 || status >= 300).length;
    console.log(`probe ${result.path.padEnd(40)} n=${result.latenciesMs.length} median ${q.medianMs} ms, p99 ${q.p99Ms} ms, max ${q.maxMs} ms, non-2xx ${bad}`);
    if (q.p99Ms > 1_000 || bad > 0 || result.latenciesMs.length === 0) failed = true;
  }
  const serverErrors = loadResults.reduce((sum, result) => sum + result['5xx'], 0) + uploadResults.filter((status) => status >= 500).length;
  console.log(`service RSS ${rssBefore} → ${rssAfter} MB; 5xx answers: ${serverErrors}`);
  for (const bomb of bombs) console.log(`zip bomb (${bomb.name}, ${Math.round(bomb.bytes / 1024)} KB): ${bomb.status} in ${bomb.ms} ms, service RSS +${bomb.rssGrowthMb} MB — ${bomb.message}`);
  if (bombs.some((bomb) => bomb.status !== 400 || bomb.rssGrowthMb >= 50)) failed = true;
  if (serverErrors > 0 || uploadResults.some((status) => status !== 413)) failed = true;
  console.log(failed ? 'FAILED' : 'passed: the probes kept p99 ≤ 1 s, every expensive request answered without a 5xx, every oversized upload 413');
  exitCode = failed ? 1 : 0;
} finally {
  try {
    process.kill(-(child.pid as number), 'SIGTERM');
  } catch { /* already gone */ }
  await new Promise((resolve) => child.once('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(exitCode ?? 1);

function withoutDatabaseUri(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { MONGODB_URI: _uri, ...rest } = env;
  return rest;
}

async function waitUntilReady(): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error('the service did not become ready within 5 minutes');
}

async function login(username: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** One request after another for the whole run, timing each. */
async function probe(route: string, token?: string): Promise<{ path: string; latenciesMs: number[]; statuses: number[] }> {
  const latenciesMs: number[] = [];
  const statuses: number[] = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const started = performance.now();
    const res = await fetch(`${base}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    await res.arrayBuffer();
    latenciesMs.push(performance.now() - started);
    statuses.push(res.status);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { path: route, latenciesMs, statuses };
}

/** A register of more rows than IMPORT_MAX_ROWS, and a file over the upload's byte limit, every few seconds. */
async function oversizedUploads(token: string): Promise<number[]> {
  const header = 'name,idNumber,phone,address,communityCode,categories,careLevel,livingArrangement\n';
  const tooManyRows = header + '王秀英,110105194912310021,13912345678,合肥市蜀山区桐城路1号,340104001001,空巢,1,独居\n'.repeat(50_001);
  const tooManyBytes = 'x'.repeat(21 * 1024 * 1024);
  const statuses: number[] = [];
  const end = Date.now() + seconds * 1000;
  for (let n = 0; Date.now() < end; n += 1) {
    const form = new FormData();
    form.append('file', new Blob([n % 2 === 0 ? tooManyRows : tooManyBytes]), 'register.csv');
    const res = await fetch(`${base}/api/v1/seniors/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    await res.arrayBuffer();
    statuses.push(res.status);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return statuses;
}

/** A workbook whose shared strings part declares `declaredBytes` and really inflates to `realBytes` of one repeated character. */
function workbookBomb(declaredBytes: number, realBytes: number): Buffer {
  const strings = Buffer.concat([
    Buffer.from('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'),
    Buffer.alloc(realBytes, 'a'),
    Buffer.from('</t></si></sst>'),
  ]);
  return zipOf({
    '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    'xl/sharedStrings.xml': { content: strings, deflate: true, declaredSize: declaredBytes },
  });
}

async function rssOf(pid: number): Promise<number> {
  // The service's process tree: node and its FerretDB child.
  let total = 0;
  for (const id of [pid, ...(await childrenOf(pid))]) {
    try {
      const status = await readFile(`/proc/${id}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return Math.round(total / 1024);
}

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    const direct = text.trim().split(/\s+/).filter(Boolean).map(Number);
    return [...direct, ...(await Promise.all(direct.map(childrenOf))).flat()];
  } catch {
    return [];
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
